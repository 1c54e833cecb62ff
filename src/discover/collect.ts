/**
 * Turns the walk's candidates into the three sorted lists of a `DiscoverResult`.
 *
 * Stage: discover. Input: candidates (files named on the command line first, then those the
 * walk kept). Outputs: `SourceFile` lists, one file per real path, sized, sorted by rel; files
 * that cannot be read are dropped and recorded as problems.
 *
 * When several paths lead to one file, the one reached without a symlink wins, then the one
 * named on the command line, then the first in rel order.
 */

import { access, constants, stat } from 'node:fs';
import type { FileKind } from './file-kinds.js';
import { describeFsError, PERMISSION_FIX } from './fs-errors.js';
import type { DiscoverProblem, SourceFile } from './types.js';
import type { Candidate } from './walk.js';

export interface Collected {
  files: SourceFile[];
  manifests: SourceFile[];
  nativeSources: SourceFile[];
}

/** Plain code-unit order of rel paths, as the result promises. */
export function compareRel(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How many files are sized at once (libuv runs 4 file-system calls at a time by default). */
const STAT_CONCURRENCY = 16;

/**
 * The size of a readable file; rejects with the `node:fs` error otherwise. Callback `stat` and
 * `access` rather than `fs.promises`: a third of the cost on trees of thousands of files.
 */
function readableSize(abs: string | Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    stat(abs, (statErr, st) => {
      if (statErr) return reject(statErr);
      access(abs, constants.R_OK, (accessErr) => (accessErr ? reject(accessErr) : resolve(st.size)));
    });
  });
}

/** One candidate per real path, picked as described above. */
function dedupe(candidates: readonly Candidate[], explicit: ReadonlySet<string>): Candidate[] {
  const rank = (c: Candidate): number => (c.viaSymlink ? 2 : 0) + (explicit.has(c.rel) ? 0 : 1);
  const ordered = [...candidates].sort((a, b) => rank(a) - rank(b) || compareRel(a.rel, b.rel));
  const byReal = new Map<string, Candidate>();
  for (const c of ordered) if (!byReal.has(c.real)) byReal.set(c.real, c);
  return [...byReal.values()];
}

/** Sizes every file (dropping those it cannot stat or read) and sorts each list by rel. */
export async function collect(
  candidates: readonly Candidate[],
  explicit: ReadonlySet<string>,
  problems: DiscoverProblem[],
): Promise<Collected> {
  const lists: Record<FileKind, Candidate[]> = { python: [], manifest: [], native: [] };
  for (const c of candidates) for (const kind of c.kinds) lists[kind].push(c);
  const unique = new Map<Candidate, SourceFile | null>();
  const picked: Record<FileKind, Candidate[]> = {
    python: dedupe(lists.python, explicit),
    manifest: dedupe(lists.manifest, explicit),
    native: dedupe(lists.native, explicit),
  };
  for (const list of Object.values(picked)) for (const c of list) unique.set(c, null);

  const queue = [...unique.keys()];
  const failures: DiscoverProblem[] = [];
  const worker = async (): Promise<void> => {
    for (let c = queue.pop(); c !== undefined; c = queue.pop()) {
      try {
        unique.set(c, { abs: c.abs, rel: c.rel, size: await readableSize(c.raw ?? c.abs), ...(c.raw ? { raw: c.raw } : {}) });
      } catch (err) {
        failures.push({ file: c.rel, message: `cannot read file: ${describeFsError(err)}; ${PERMISSION_FIX}` });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, queue.length) }, worker));
  problems.push(...failures);

  const finish = (list: readonly Candidate[]): SourceFile[] =>
    list
      .map((c) => unique.get(c))
      .filter((f): f is SourceFile => f != null)
      .sort((a, b) => compareRel(a.rel, b.rel));
  return { files: finish(picked.python), manifests: finish(picked.manifest), nativeSources: finish(picked.native) };
}
