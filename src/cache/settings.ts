/**
 * The scope of a cache: everything besides a file's path and bytes that changes the facts the
 * parse workers make of it.
 *
 * Stage: cache. That is the entry format, the tool's version, the code of the facts and parse
 * stages themselves (so a changed extractor never meets facts of the old one, even at the same
 * version), the tree-sitter runtime and grammar versions, the file-size limit, and the audited
 * root (paths in facts are relative to it). The facts stage reads no catalogue or rule data and no
 * other setting: those apply on the main thread, after the cache.
 */
import { createHash, type Hash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { FORMAT } from './entry.js';
import { VERSION } from '../version.js';

const require = createRequire(import.meta.url);

/** The folders of compiled code that run in a parse worker. */
const WORKER_CODE = ['../facts/', '../parse/'];

/** The native packages a worker parses with. */
const PARSER_PACKAGES = ['tree-sitter', 'tree-sitter-python'];

let code: string | undefined;

/**
 * Feeds `hash` the name (`label` and its path below `dir`) and the bytes of each file in `dir`
 * whose name `keep` accepts, in name order; with `recursive`, of the folders below it too.
 */
export function hashFolder(hash: Hash, dir: string, label: string, keep: (name: string) => boolean, recursive = false): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    const stats = statSync(path, { throwIfNoEntry: false });
    if (recursive && stats?.isDirectory()) hashFolder(hash, path, `${label}${name}/`, keep, true);
    else if (stats?.isFile() && keep(name)) hash.update(`${label}${name}\0`).update(readFileSync(path)).update('\0');
  }
}

/** A digest of the workers' code and parser versions, computed once per process. */
function codeDigest(): string {
  if (code !== undefined) return code;
  const hash = createHash('sha256');
  for (const folder of WORKER_CODE) hashFolder(hash, fileURLToPath(new URL(folder, import.meta.url)), folder, (n) => n.endsWith('.js'));
  for (const name of PARSER_PACKAGES) {
    const pkg = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string };
    hash.update(`${name}@${pkg.version}\0`);
  }
  code = hash.digest('hex');
  return code;
}

export interface ScopeSettings {
  /** The audited root, absolute. */
  root: string;
  /** The file-size limit in bytes. */
  maxBytes: number;
}

/** The scope as a hex digest (its first 16 characters name its folder). */
export function cacheScope(settings: ScopeSettings): string {
  return createHash('sha256')
    .update(JSON.stringify({ format: FORMAT, version: VERSION, code: codeDigest(), maxBytes: settings.maxBytes, root: settings.root }))
    .digest('hex');
}
