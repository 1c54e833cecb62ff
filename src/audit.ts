/**
 * The whole pipeline: discover, then the run memo, or parse + facts, graph, classify, rules and
 * findings (analyse.ts).
 *
 * Input: paths and options as the CLI takes them; output: an AuditRun for the reporters. Every
 * stage is a function of the previous stage's plain data.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { discover } from './discover/index.js';
import { DEFAULT_MAX_BYTES, readSourceFile } from './facts/read-source.js';
import { openCache, pruneCache } from './cache/store.js';
import { readRun, runKey, writeRun } from './cache/run-memo.js';
import { FileDigests } from './cache/file-digests.js';
import { withIncludedFiles } from './readiness/dependencies/included.js';
import type { ReadinessInput } from './readiness/types.js';
import type { AuditRun, FileError } from './model/types.js';
import { timer } from './timing.js';
import type { AuditOptions } from './analyse.js';

export type { AuditOptions } from './analyse.js';

export interface AuditResult {
  run: AuditRun;
  /**
   * Bytes of the Python files analysed; absent when the run memo answered (nothing was parsed).
   * The facts themselves are not returned: on a large tree they are most of the memory, and the
   * reports, written after the audit, never need them.
   */
  bytes?: number;
  root: string;
}

export async function audit(paths: string[], options: AuditOptions = {}): Promise<AuditResult> {
  const time = timer();
  const found = await discover(paths, { exclude: options.exclude, respectGitignore: options.respectGitignore, trackedOnly: options.trackedOnly });
  time('discover');
  const opened = options.cache && openCache(options.cache.dir, { root: found.root, maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES }, options.cache.followLink);
  if (opened && opened.warning) options.onWarning?.(opened.warning);
  const cache = opened ? opened.handle : undefined;
  const readiness = readReadinessInputs([...found.manifests, ...found.nativeSources], options.maxBytes, found.allowedReals);
  // Files that requirements files include (`-r`, `-c`) are read even when their names are not a manifest's.
  const inputs = withIncludedFiles(readiness.inputs, (rel) => readIncluded(join(found.root, rel), options.maxBytes));
  const rawPaths = new Map(found.files.filter((f) => f.raw).map((f) => [f.rel, f.raw!]));
  const readPath = (rel: string) => rawPaths.get(rel) ?? join(found.root, rel);
  // Paths given to report on, as the root-relative names findings carry.
  const reportOnly = options.reportOnly?.map((p) => relative(found.root, resolve(p)).split(sep).join('/'));
  const finish = (run: AuditRun, bytes?: number): AuditResult => {
    run.errors = [...found.errors, ...run.errors].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    run.summary.errors = run.errors.length;
    return { run, bytes, root: found.root };
  };
  // Unchanged files and settings: the last run's result, without parsing or analysing anything.
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const fileDigests = new FileDigests(cache, (path) => readSourceFile(path, found.allowedReals, maxBytes), maxBytes);
  const digests = cache ? found.files.map((f) => fileDigests.digest({ rel: f.rel, path: f.raw ?? f.abs })) : [];
  fileDigests.save();
  time(`digests (${fileDigests.reads} read)`);
  const memoKey = cache && runKey(cache, {
    settings: memoSettings(options, paths, reportOnly),
    files: found.files.map((f, i) => ({ rel: f.rel, digest: digests[i].hash ?? `unread: ${digests[i].unread}` })),
    texts: inputs,
  });
  const memo = cache && memoKey && readRun(cache, memoKey, options.runParts);
  time(memo ? 'run memo (reused)' : 'run memo (none)');
  if (cache && memo) {
    options.onProgress?.(found.files.length, found.files.length);
    pruneCache(cache, found.files.map((f) => f.rel));
    return finish(memo);
  }
  // The analysis is loaded only now: a run the memo answers never needs it.
  const { analyseFiles } = await import('./analyse.js');
  const { run, bytes } = await analyseFiles({
    files: found.files, digests: digests.map((d) => d?.hash), allowedReals: found.allowedReals, inputs, readPath, roots: paths, reportOnly,
  }, options, cache);
  run.errors.push(...readiness.errors);
  if (cache && memoKey) {
    const written = timer();
    writeRun(cache, memoKey, run);
    written('run memo (written)');
  }
  return finish(run, bytes);
}

/** Every option that changes the analysed result (not how it is shown or where the cache is), as plain data. */
function memoSettings(options: AuditOptions, roots: string[], reportOnly: string[] | undefined): unknown {
  return {
    roots, reportOnly, select: options.select, ignore: options.ignore, baseline: options.baseline && [...options.baseline].sort(),
    tests: options.tests, blockingApis: options.blockingApis, offloadWrappers: options.offloadWrappers,
    perFileIgnores: options.perFileIgnores, severity: options.severity, maxBytes: options.maxBytes,
  };
}

/** Manifests and native sources as text for the readiness stage; a file it cannot read is an error, not a stop. */
function readReadinessInputs(files: { abs: string; rel: string; size: number }[], maxBytes = 10 * 1024 * 1024, allowed?: readonly string[]) {
  const inputs: ReadinessInput[] = [];
  const errors: FileError[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.rel)) continue;
    seen.add(file.rel);
    // The same checked read as for Python files: no FIFO hangs, no symlink out of the root.
    const read = readSourceFile(file.abs, allowed, maxBytes);
    if ('issue' in read) errors.push({ file: file.rel, message: read.issue.message });
    else inputs.push({ rel: file.rel, text: read.bytes.toString('utf8').replace(/^\uFEFF/, '') });
  }
  return { inputs, errors };
}

/** An included requirements file's text, or null when it is missing, unreadable or too large. */
function readIncluded(abs: string, maxBytes = 10 * 1024 * 1024): string | null {
  try {
    if (!statSync(abs).isFile() || statSync(abs).size > maxBytes) return null;
    return readFileSync(abs, 'utf8').replace(/^\uFEFF/, '');
  } catch {
    return null;
  }
}
