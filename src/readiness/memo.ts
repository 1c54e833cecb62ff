/**
 * The readiness memo: the readiness stage's result, reused while what it reads is unchanged.
 *
 * Stage: readiness. The stage is pure over its inputs (index.ts): the manifests and native
 * sources audit.ts read, and the Cython modules among the facts. A warm run after an edit of
 * Python code has the same inputs, so it reads the last result back instead of parsing the
 * project's lock files and C, C++, Cython and Rust sources again (on beets 0.1 s of a 1.7 s run,
 * on the 5 M-line tree 0.4 s). One entry of the cache scope (cache/entry.ts layout, sealed with
 * the machine's key), keyed by the sha256 of those inputs and of the analysis code and data, so
 * a foreign, damaged or stale entry is never used.
 */
import { createHash } from 'node:crypto';
import type { PureCythonModule, ReadinessFacts, ReadinessInput } from './types.js';
import { analysisDigest } from '../cache/run-memo.js';
import { READINESS_ENTRY, readJsonEntry, writeEntry, type CacheHandle } from '../cache/store.js';
import { analyseReadiness } from './index.js';

/**
 * The readiness of `inputs` and `pureCython` (analyseReadiness): the memo's when it was made of
 * exactly these, else made and memoised. `reused` says which.
 */
export async function memoisedReadiness(
  handle: CacheHandle | undefined, inputs: ReadinessInput[], pureCython: PureCythonModule[],
): Promise<{ readiness: ReadinessFacts; reused: boolean }> {
  if (!handle) return { readiness: await analyseReadiness(inputs, pureCython), reused: false };
  const key = readinessKey(handle, inputs, pureCython);
  // Undefined also for an entry that verifies but is not JSON (written by a broken build): made again.
  const memo = readJsonEntry(handle, READINESS_ENTRY, key) as ReadinessFacts | undefined;
  if (memo !== undefined) return { readiness: memo, reused: true };
  const readiness = await analyseReadiness(inputs, pureCython);
  if (handle.writable) {
    try {
      writeEntry(handle, READINESS_ENTRY, key, JSON.stringify(readiness));
    } catch {
      // Not memoised; the facts' entries report a folder that cannot be written.
    }
  }
  return { readiness, reused: false };
}

function readinessKey(handle: CacheHandle, inputs: readonly ReadinessInput[], pureCython: readonly PureCythonModule[]): Buffer {
  const hash = createHash('sha256').update(handle.scope).update('\0').update(analysisDigest()).update('\0');
  for (const input of inputs) hash.update(`${input.rel}\0`).update(input.text).update('\0');
  // In path order: the facts arrive in the order the workers finish them.
  const cython = [...pureCython].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return hash.update('\0').update(JSON.stringify(cython)).digest();
}
