/**
 * Walks directory trees without recursion and lists the files discover collects.
 *
 * Stage: discover. Inputs: the directories named on the command line (each with the ignore
 * rules that apply at its top) and the audit root's real path(s). Output: `Candidate`s, not yet
 * deduplicated or sized, plus problems recorded along the way.
 *
 * Directories are handled one at a time from an explicit stack, so the order of the walk, and
 * so which of two paths to the same directory wins, is deterministic; the listings of the next
 * few on the stack are read ahead, concurrently. Plain directories are
 * walked before any symlinked one: a symlink to a directory already walked (or to an ancestor:
 * a loop) is not entered, and one whose target lies outside the root is not followed.
 *
 * A name that is not valid UTF-8 is listed again as bytes: such a file or directory keeps its
 * path as bytes (`raw`) for reading, and a lossy decoding of it for display.
 */

import { promises as fsp, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { kindsOf, type FileKind } from './file-kinds.js';
import { describeFsError, PERMISSION_FIX } from './fs-errors.js';
import { readPatternFile } from './git-context.js';
import { admitDir, isIgnored, makeLayer, withLayer, type IgnoreChain } from './ignore-rules.js';
import { isSkippedDirName, VENV_MARKER } from './skip-dirs.js';
import type { DiscoverProblem } from './types.js';

/** A directory named on the command line: always entered, never skipped. */
export interface WalkStart {
  abs: string;
  /** Relative to the root ('' for the root itself). */
  rel: string;
  /** Real path (symlinks resolved). */
  real: string;
  /** `.gitignore` layers in force at the directory's parent (its own file is read by the walk). */
  gitignore: IgnoreChain;
}

/** A file the walk kept, before deduplication by real path. */
export interface Candidate {
  abs: string;
  rel: string;
  real: string;
  /** The path as bytes, when some name on it is not valid UTF-8 (`abs` and `rel` are lossy then). */
  raw?: Buffer;
  /** Reached through a symlink (itself, or a symlinked directory on the way). */
  viaSymlink: boolean;
  kinds: readonly FileKind[];
}

export interface WalkOptions {
  respectGitignore: boolean;
  /** `--exclude` patterns, as a one-layer chain at the root. */
  exclude: IgnoreChain;
  /** Real paths a symlink may lead into: the root's, and those of the directories given. */
  allowedReals: readonly string[];
  /** Where problems are recorded. */
  problems: DiscoverProblem[];
}

/** A directory entry; `raw` is its name as bytes when that is not valid UTF-8. */
type Entry = Pick<Dirent, 'name' | 'isFile' | 'isDirectory' | 'isSymbolicLink' | 'isFIFO' | 'isSocket' | 'isBlockDevice' | 'isCharacterDevice'> & { raw?: Buffer };

type Listing = { entries: Entry[] } | { error: unknown };

/** How many directories, beyond the one being handled, are listed ahead. */
const READ_AHEAD = 8;

interface DirItem {
  /** Its listing, once asked for. */
  listing?: Promise<Listing>;
  abs: string;
  rel: string;
  real: string;
  gitignore: IgnoreChain;
  exclude: IgnoreChain;
  forced: boolean;
  viaSymlink: boolean;
  /** Its path as bytes, when some name on it is not valid UTF-8. */
  raw?: Buffer;
}

/** `/`-joined child path; `parent` '' is the root. */
function childRel(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

/** How a path is shown in `errors`: its rel, or '.' for the root. */
export function shown(rel: string): string {
  return rel === '' ? '.' : rel;
}

function isWithin(real: string, allowed: readonly string[]): boolean {
  return allowed.some((dir) => real === dir || real.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep));
}

function byName(a: Entry, b: Entry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Lists `dir`; names that are not valid UTF-8 come with their bytes. */
async function listEntries(abs: string, raw: Buffer | undefined): Promise<Entry[]> {
  if (!raw) {
    const entries = await fsp.readdir(abs, { withFileTypes: true });
    // U+FFFD in a name: it may be a lossy decoding of bytes that are not UTF-8.
    if (!entries.some((e) => e.name.includes('\uFFFD'))) return entries;
  }
  const listed = await fsp.readdir(raw ?? abs, { withFileTypes: true, encoding: 'buffer' });
  return listed.map((d) => {
    const bytes = d.name;
    const name = bytes.toString('utf8');
    const entry: Entry = {
      name,
      isFile: () => d.isFile(),
      isDirectory: () => d.isDirectory(),
      isSymbolicLink: () => d.isSymbolicLink(),
      isFIFO: () => d.isFIFO(),
      isSocket: () => d.isSocket(),
      isBlockDevice: () => d.isBlockDevice(),
      isCharacterDevice: () => d.isCharacterDevice(),
    };
    if (!Buffer.from(name, 'utf8').equals(bytes)) entry.raw = bytes;
    return entry;
  });
}

/** Walks `starts` (and everything below them that the rules let in) and returns the files kept. */
export async function walk(starts: readonly WalkStart[], options: WalkOptions): Promise<Candidate[]> {
  const { problems } = options;
  const candidates: Candidate[] = [];
  const visited = new Set<string>();
  // Popped from the end: push in reverse order to walk in name order.
  const stack: DirItem[] = [];
  // Symlinked directories, in the order met, entered once no plain directory is left.
  const deferred: DirItem[] = [];
  for (let i = starts.length - 1; i >= 0; i--) {
    const s = starts[i];
    stack.push({ ...s, exclude: options.exclude, forced: true, viaSymlink: false });
  }

  const list = (dir: DirItem): Promise<Listing> =>
    (dir.listing ??= listEntries(dir.abs, dir.raw).then(
      (entries) => ({ entries }),
      (error: unknown) => ({ error }),
    ));

  const enter = async (dir: DirItem): Promise<void> => {
    if (visited.has(dir.real)) return;
    const listing = await list(dir);
    if ('error' in listing) {
      visited.add(dir.real);
      const message = `cannot read directory: ${describeFsError(listing.error)}; ${PERMISSION_FIX}`;
      problems.push({ file: shown(dir.rel), message });
      return;
    }
    const { entries } = listing;
    // A virtualenv is skipped but not marked visited: it is still walked if named explicitly.
    if (!dir.forced && entries.some((e) => e.name === VENV_MARKER && !e.isDirectory())) return;
    visited.add(dir.real);

    let gitignore = admitDir(dir.gitignore, dir.rel);
    const exclude = dir.forced ? admitDir(dir.exclude, dir.rel) : dir.exclude;
    if (options.respectGitignore && entries.some((e) => e.name === '.gitignore' && !e.isDirectory())) {
      const rel = childRel(dir.rel, '.gitignore');
      const patterns = await readPatternFile(path.join(dir.abs, '.gitignore'), rel, problems);
      gitignore = withLayer(gitignore, makeLayer(patterns ?? [], dir.rel));
    }
    // The directory's path for kindsOf: its rel, or at the root its absolute path.
    const dirPath = dir.rel === '' ? dir.abs.split(path.sep).join('/') : dir.rel;
    const ignored = (rel: string, isDir: boolean): boolean =>
      isIgnored(exclude, rel, isDir) || (options.respectGitignore && isIgnored(gitignore, rel, isDir));

    const subdirs: DirItem[] = [];
    for (const entry of entries.sort(byName)) {
      const { name } = entry;
      const rel = childRel(dir.rel, name);
      const abs = path.join(dir.abs, name);
      const raw = entry.raw || dir.raw ? Buffer.concat([dir.raw ?? Buffer.from(dir.abs), Buffer.from(path.sep), entry.raw ?? Buffer.from(name)]) : undefined;
      const isLink = entry.isSymbolicLink();
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let kinds: readonly FileKind[] = [];
      if (isFile || isLink) {
        kinds = kindsOf(name, dirPath);
        if (isFile && kinds.length === 0) continue;
      }
      if (isDir && isSkippedDirName(name)) continue;
      // Names that are not UTF-8 are told apart by their bytes.
      let real = dir.real + path.sep + (entry.raw ? `\0${entry.raw.toString('hex')}` : name);
      if (isLink) {
        let target: Stats;
        try {
          target = await fsp.stat(raw ?? abs);
          real = await fsp.realpath(raw ?? abs);
        } catch (err) {
          if (kinds.length > 0) {
            problems.push({
              file: rel,
              message: `broken symlink: ${describeFsError(err)}; fix or remove the link, or exclude it with --exclude`,
            });
          }
          continue;
        }
        if (!isWithin(real, options.allowedReals)) continue; // never follow a link out of the root
        isDir = target.isDirectory();
        isFile = target.isFile();
        if (isDir && isSkippedDirName(name)) continue;
        if (isFile && kinds.length === 0) continue;
      }
      if (!isDir && !isFile) {
        // FIFOs, sockets, devices: never read (a FIFO would block the audit); named if they look like sources.
        if (!isLink && kindsOf(name, dirPath).length > 0 && !ignored(rel, false)) {
          problems.push({ file: rel, message: 'not a regular file (a FIFO, socket or device); skipped (remove it, or exclude it with --exclude)' });
        }
        continue;
      }
      if (ignored(rel, isDir)) continue;
      if (isFile) {
        candidates.push({ abs, rel, real, viaSymlink: dir.viaSymlink || isLink, kinds, ...(raw ? { raw } : {}) });
      } else {
        const item: DirItem = {
          abs,
          rel,
          real,
          gitignore,
          exclude,
          forced: false,
          viaSymlink: dir.viaSymlink || isLink,
          ...(raw ? { raw } : {}),
        };
        if (isLink) deferred.push(item);
        else subdirs.push(item);
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  };

  for (;;) {
    const next = stack.pop() ?? deferred.shift();
    if (next === undefined) break;
    for (let i = stack.length - 1; i >= 0 && i >= stack.length - READ_AHEAD; i--) {
      if (!visited.has(stack[i].real)) void list(stack[i]);
    }
    await enter(next);
  }
  return candidates;
}
