/**
 * The cache folder: opening it safely, reading and writing one entry per file, and pruning.
 *
 * Stage: cache. Layout: `<dir>/.gitignore` (`*`, so git never sees it), `<dir>/CACHEDIR.TAG`, and
 * `<dir>/v<FORMAT>/<scope>/<path hash>`: one entry per file path under each scope (see
 * settings.ts), holding the facts of the bytes last seen there. An edit replaces a file's entry,
 * so the cache grows with the project, not with its history; entries of files a run did not see,
 * and scopes unused for a week (of this format or another version's), are removed.
 *
 * Writes go to a temporary file in the same folder, renamed over the entry: readers see the old
 * entry or the new one, never half of one, and a killed run leaves at most a stray temporary file
 * (removed later). The folder may have come with the audited repository, so nothing in it is
 * followed or trusted: links are not followed, entries that are not regular files are not read,
 * and only names this module makes are ever deleted.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmdirSync, statSync,
  unlinkSync, utimesSync, writeFileSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { decodeEntry, encodeEntry, FORMAT, HEADER_BYTES } from './entry.js';
import { cacheScope, type ScopeSettings } from './settings.js';
import { loadSecret } from './secret.js';
import { RUN_PARTS, type RunPart } from '../model/types.js';

/** What a parse worker needs to use the cache (plain data, sent with the worker). */
export interface CacheHandle {
  /** The scope's folder, holding the entries. */
  dir: string;
  scope: string;
  secret: Uint8Array;
  /** False when the folder cannot be written: entries are read, none written. */
  writable: boolean;
}

export type OpenResult = { handle: CacheHandle; warning?: string } | { handle?: undefined; warning: string };

const ENTRY_NAME = /^[0-9a-f]{32}$/;
const TEMP_NAME = /^[0-9a-f]{32}\.[0-9a-z-]+\.tmp$/;
const SCOPE_NAME = /^[0-9a-f]{16}$/;
/** A format's folder (`v<FORMAT>`), this version's or another's. */
const VERSION_NAME = /^v[0-9]+$/;
/** An entry larger than this is not read (no file's facts come near it). */
const MAX_ENTRY_BYTES = 512 * 1024 * 1024;
/** A temporary file older than this was left by a killed run. */
const STALE_TEMP_MS = 10 * 60 * 1000;
/** A scope (other settings, another version) unused this long is removed. */
const STALE_SCOPE_MS = 7 * 24 * 60 * 60 * 1000;

const GITIGNORE = '# Automatically created by gil-audit.\n*\n';
const CACHEDIR_TAG = 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by gil-audit.\n# For information about cache directory tags see https://bford.info/cachedir/\n';

/** The name under which the run memo (run-memo.ts) is kept: not a path any file can have. */
export const RUN_ENTRY = '\0run';
/** The name under which a part of the run memo (RUN_PARTS) is kept. */
export function runPartEntry(part: RunPart): string {
  return `${RUN_ENTRY}\0${part}`;
}
/** The name under which the files' digests (file-digests.ts) are kept. */
export const DIGESTS_ENTRY = '\0digests';
/** The name under which the readiness stage's result (readiness/memo.ts) is kept. */
export const READINESS_ENTRY = '\0readiness';
/** The entries of a scope that are not a file's: kept whatever files a run saw. */
export const PROJECT_ENTRIES: readonly string[] = [RUN_ENTRY, ...RUN_PARTS.map(runPartEntry), DIGESTS_ENTRY, READINESS_ENTRY];

/** The name of a file's entry. */
export function entryName(rel: string): string {
  return createHash('sha256').update(rel).digest('hex').slice(0, 32);
}

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

/** Whether `path` is a real folder (not a link to one); undefined when it does not exist. */
function isRealDir(path: string): boolean | undefined {
  try {
    return lstatSync(path).isDirectory();
  } catch (error) {
    // ENOTDIR: a file above it; making it will fail and say so.
    if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') return undefined;
    return false;
  }
}

/** Writes `content` (text, or buffers in order) to `file` whole, through a temporary file renamed over it. */
function writeWhole(file: string, content: string | readonly Buffer[], name = file): void {
  const temp = `${name}.${process.pid}-${threadId}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    if (typeof content === 'string') writeFileSync(temp, content, { flag: 'wx', mode: 0o644 });
    else writeBuffers(temp, content);
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Never made, or already renamed.
    }
    throw error;
  }
}

/** Writes `buffers` in order to the new file `path`. */
function writeBuffers(path: string, buffers: readonly Buffer[]): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    for (const buffer of buffers) {
      for (let done = 0; done < buffer.length;) done += writeSync(fd, buffer, done, buffer.length - done);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens the cache in `dir` for `settings`, making it when needed. `followLink`: whether `dir` may
 * be a link to a folder (only when the user named it; a link committed to a repository could point
 * anywhere). Never throws: a cache that cannot be used is a warning and the run goes on without it
 * (or, when only writing fails, reads it without writing).
 */
export function openCache(dir: string, settings: ScopeSettings, followLink = false): OpenResult {
  let secret: Buffer;
  try {
    secret = loadSecret();
  } catch (error) {
    return { warning: `cannot make the cache key (${code(error)}); running without the cache (set XDG_CACHE_HOME to a writable folder, or pass --no-cache)` };
  }
  const scope = cacheScope(settings);
  const versionDir = join(dir, `v${FORMAT}`);
  const scopeDir = join(versionDir, scope.slice(0, 16));
  const handle: CacheHandle = { dir: scopeDir, scope, secret, writable: true };
  const problem = (what: string) => ({ warning: `cache folder ${dir} ${what}; running without the cache (remove it, or pass --cache-dir or --no-cache)` });
  let top = isRealDir(dir);
  if (top === false && followLink) {
    try {
      top = statSync(dir).isDirectory();
    } catch {
      // A dangling link: not a folder.
    }
  }
  if (top === false) return problem('is not a folder (a file or a link)');
  try {
    if (top === undefined) mkdirSync(dir, { recursive: true });
    for (const [name, text] of [['.gitignore', GITIGNORE], ['CACHEDIR.TAG', CACHEDIR_TAG]]) {
      if (lstatSync(join(dir, name), { throwIfNoEntry: false }) === undefined) writeWhole(join(dir, name), text);
    }
    for (const sub of [versionDir, scopeDir]) {
      const real = isRealDir(sub);
      if (real === false) return problem(`holds ${sub}, which is not a folder`);
      if (real === undefined) mkdirSync(sub);
    }
    // Probe: a folder that takes a file takes entries.
    writeWhole(join(scopeDir, 'probe'), '', join(scopeDir, '0'.repeat(32)));
    unlinkSync(join(scopeDir, 'probe'));
  } catch (error) {
    handle.writable = false;
    const reason = `cache folder ${dir} cannot be written (${code(error)}); this run's results are not cached (pass --cache-dir to use another folder, or --no-cache)`;
    // Nothing to read either when the scope's folder is not there.
    return isRealDir(scopeDir) ? { handle, warning: reason } : { warning: reason };
  }
  return { handle };
}

/** The facts cached for `rel` under `key`, or undefined when there is no valid entry. */
export function readEntry(handle: CacheHandle, rel: string, key: Buffer): string | undefined {
  let fd: number;
  try {
    fd = openSync(join(handle.dir, entryName(rel)), constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size < HEADER_BYTES || stats.size > MAX_ENTRY_BYTES) return undefined;
    const bytes = Buffer.allocUnsafe(stats.size);
    let length = 0;
    while (length < bytes.length) {
      const read = readSync(fd, bytes, length, bytes.length - length, null);
      if (read === 0) return undefined;
      length += read;
    }
    return decodeEntry(bytes, key, Buffer.from(handle.secret.buffer, handle.secret.byteOffset, handle.secret.byteLength));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The JSON value of the entry `rel` under `key`; undefined when there is none that verifies or it is not JSON. */
export function readJsonEntry(handle: CacheHandle, rel: string, key: Buffer): unknown {
  const text = readEntry(handle, rel, key);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Stores `payload` (the facts of `rel`, or the run memo; whole or in pieces) under `key`; throws on a file-system error (the caller reports it once). */
export function writeEntry(handle: CacheHandle, rel: string, key: Buffer, payload: string | Iterable<string>): void {
  const secret = Buffer.from(handle.secret.buffer, handle.secret.byteOffset, handle.secret.byteLength);
  const file = join(handle.dir, entryName(rel));
  writeWhole(file, encodeEntry(key, payload, secret));
}

/**
 * Removes what the run that saw `rels` does not need: entries of other paths, temporary files of
 * killed runs, and other scopes unused for a week. Best effort: a failure leaves the file.
 */
export function pruneCache(handle: CacheHandle, rels: Iterable<string>): void {
  if (!handle.writable) return;
  const used = new Set<string>(PROJECT_ENTRIES.map(entryName));
  for (const rel of rels) used.add(entryName(rel));
  const now = Date.now();
  removeEntries(handle.dir, (name) => ENTRY_NAME.test(name) && !used.has(name), now);
  try {
    utimesSync(handle.dir, now / 1000, now / 1000);
  } catch {
    // Only the age of the scope is lost.
  }
  // Stale scopes of this format, and of the formats of other versions of the tool (a folder left
  // empty by them is removed too).
  const top = join(handle.dir, '..', '..');
  for (const version of listDir(top)) {
    if (!VERSION_NAME.test(version)) continue;
    const versionDir = join(top, version);
    for (const name of listDir(versionDir)) {
      const dir = join(versionDir, name);
      if (!SCOPE_NAME.test(name) || dir === handle.dir) continue;
      try {
        const stats = lstatSync(dir);
        if (!stats.isDirectory() || now - stats.mtimeMs < STALE_SCOPE_MS) continue;
        removeEntries(dir, (entry) => ENTRY_NAME.test(entry), now, true);
        rmdirSync(dir);
      } catch {
        // Not empty (something else is in it), or in use again: left alone.
      }
    }
    if (version === `v${FORMAT}`) continue;
    try {
      if (lstatSync(versionDir).isDirectory() && listDir(versionDir).length === 0) rmdirSync(versionDir);
    } catch {
      // In use again, or gone: left alone.
    }
  }
}

/** The names in `dir`, none when it cannot be read. */
function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Deletes the entries of `dir` that `drop` names, and temporary files of killed runs (all of them when `allTemps`). */
function removeEntries(dir: string, drop: (name: string) => boolean, now: number, allTemps = false): void {
  for (const name of listDir(dir)) {
    const file = join(dir, name);
    try {
      if (drop(name)) {
        unlinkSync(file);
      } else if (TEMP_NAME.test(name)) {
        const stats = lstatSync(file);
        if (allTemps || now - stats.mtimeMs > STALE_TEMP_MS) unlinkSync(file);
      }
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}
