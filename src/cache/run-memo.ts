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
 *
 * The run's profiles and assessment (RUN_PARTS) are entries of their own under the same key, read
 * only when the caller's report shows them: on a 2 M-line project they are 156 MB of the memo's
 * 220 MB, and the text report, the one a pre-commit hook writes, shows neither. A part written by
 * another run since does not verify under this run's key, so a memo is read whole or not at all.
 * The text is ASCII (compactPieces), so it reads back as a one-byte string, half the memory.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { packagePath } from '../config/schema.js';
import { RUN_PARTS, type AuditRun, type RunPart } from '../model/types.js';
import { compactPieces } from '../model/json-text.js';
import { hashFolder } from './settings.js';
import { readJsonEntry, RUN_ENTRY, runPartEntry, writeEntry, type CacheHandle } from './store.js';

/** The folders whose files decide what the analysis makes of the facts: the compiled code and the rule data. */
const ANALYSIS_FILES = [fileURLToPath(new URL('../', import.meta.url)), packagePath('rules'), packagePath('src', 'schema')];

let analysis: string | undefined;

/** A digest of every compiled module and rule data file, once per process. */
export function analysisDigest(): string {
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

/**
 * The result memoised under `key`, if the memo is valid and for exactly these inputs, with the
 * members `parts` names (the others are left out).
 */
export function readRun(handle: CacheHandle, key: Buffer, parts: readonly RunPart[] = RUN_PARTS): AuditRun | undefined {
  const run = readJsonEntry(handle, RUN_ENTRY, key) as AuditRun | undefined;
  if (run === undefined) return undefined;
  for (const part of parts) {
    const value = readJsonEntry(handle, runPartEntry(part), key);
    if (value === undefined) return undefined;
    // null: the run had no such member.
    if (value !== null) (run as unknown as Record<RunPart, unknown>)[part] = value;
  }
  return run;
}

/** Memoises `run` under `key`; false when the folder cannot be written (the run is simply not memoised). */
export function writeRun(handle: CacheHandle, key: Buffer, run: AuditRun): boolean {
  if (!handle.writable) return false;
  try {
    const members = run as unknown as Record<string, unknown>;
    const rest: Record<string, unknown> = {};
    for (const name of Object.keys(members)) if (!(RUN_PARTS as readonly string[]).includes(name)) rest[name] = members[name];
    // The parts first: until the run itself is written under the new key, no reader takes them for a memo.
    // In pieces: on a large project the memo runs to hundreds of megabytes, written at the run's peak.
    // A part is a list or an object of lists: its members are written whole, as they were inside the run.
    for (const part of RUN_PARTS) writeEntry(handle, runPartEntry(part), key, compactPieces(members[part] ?? null, 1));
    writeEntry(handle, RUN_ENTRY, key, compactPieces(rest));
    return true;
  } catch {
    return false;
  }
}
