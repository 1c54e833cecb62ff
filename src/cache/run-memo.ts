/**
 * The run memo: the analysed result of the last run, reused whole when nothing it depends on changed.
 *
 * Stage: cache. The per-file entries spare the parse of unchanged files; the cross-file stages
 * (graph, classify, rules, findings) still run over every file's facts. When a run's inputs are
 * exactly those of the last run in the same scope (the same analysis code and rule data, the same
 * settings, the same bytes in every Python file, manifest and native source), its result is the
 * last one, so it is read back instead. The memo is one entry of the scope (entry.ts layout, sealed
 * with the machine's key) keyed by the sha256 of all of that: a foreign, damaged or stale memo is
 * not used, and a run that writes a new one replaces it whole.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { packagePath } from '../config/schema.js';
import type { AuditRun } from '../model/types.js';
import { compactPieces } from '../model/json-text.js';
import { hashFolder } from './settings.js';
import { readEntry, RUN_ENTRY, writeEntry, type CacheHandle } from './store.js';

/** The folders whose files decide what the analysis makes of the facts: the compiled code and the rule data. */
const ANALYSIS_FILES = [fileURLToPath(new URL('../', import.meta.url)), packagePath('rules'), packagePath('src', 'schema')];

let analysis: string | undefined;

/** A digest of every compiled module and rule data file, once per process. */
function analysisDigest(): string {
  if (analysis !== undefined) return analysis;
  const hash = createHash('sha256');
  for (const dir of ANALYSIS_FILES) hashFolder(hash, dir, `${dir}/`, (name) => /\.(js|json|yaml)$/.test(name), true);
  analysis = hash.digest('hex');
  return analysis;
}

export interface RunInputs {
  /** Everything besides files that changes the result (rule selection, baseline, per-file ignores...), as plain data. */
  settings: unknown;
  /** Each Python file: its path and the sha256 of its bytes, or why it could not be read. */
  files: { rel: string; digest: string }[];
  /** Manifests and native sources as read for the readiness stage. */
  texts: { rel: string; text: string }[];
}

/** The memo key of a run's inputs. */
export function runKey(handle: CacheHandle, inputs: RunInputs): Buffer {
  const hash = createHash('sha256').update(handle.scope).update('\0').update(analysisDigest()).update('\0');
  hash.update(JSON.stringify(inputs.settings) ?? '').update('\0');
  for (const file of inputs.files) hash.update(`${file.rel}\0${file.digest}\0`);
  hash.update('\0');
  for (const text of inputs.texts) hash.update(`${text.rel}\0`).update(text.text).update('\0');
  return hash.digest();
}

/** The result memoised under `key`, if the memo is valid and for exactly these inputs. */
export function readRun(handle: CacheHandle, key: Buffer): AuditRun | undefined {
  const text = readEntry(handle, RUN_ENTRY, key);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as AuditRun;
  } catch {
    return undefined;
  }
}

/** Memoises `run` under `key`; false when the folder cannot be written (the run is simply not memoised). */
export function writeRun(handle: CacheHandle, key: Buffer, run: AuditRun): boolean {
  if (!handle.writable) return false;
  try {
    // In pieces: on a large project the memo runs to tens of megabytes, written at the run's peak.
    writeEntry(handle, RUN_ENTRY, key, compactPieces(run));
    return true;
  } catch {
    return false;
  }
}
