/**
 * The whole pipeline: discover, parse + facts, graph, classify, rules, findings.
 *
 * Input: paths and options as the CLI takes them; output: an AuditRun for the reporters. Every
 * stage is a function of the previous stage's plain data.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { discover } from './discover/index.js';
import { runPool, type CacheStats } from './facts/pool.js';
import { DEFAULT_MAX_BYTES, readSourceFile } from './facts/read-source.js';
import { openCache, pruneCache } from './cache/store.js';
import { readRun, runKey, writeRun } from './cache/run-memo.js';
import { FileDigests } from './cache/file-digests.js';
import { ProjectIndex } from './graph/index.js';
import { pruneCalls } from './graph/prune.js';
import { loadCatalogue } from './classify/catalogue.js';
import { userApis, type BlockingApiSetting, type UserApis } from './classify/user-apis.js';
import { classify } from './classify/index.js';
import { loadWorkModel } from './classify/work-model.js';
import { loadRules, ruleFilter } from './rules/registry.js';
import { runRules } from './rules/engine.js';
import { ruleOption } from './rules/message.js';
import { provenCpuOnThreads } from './rules/impl/thread-target.js';
import { analyseReadiness } from './readiness/index.js';
import { withIncludedFiles } from './readiness/dependencies/index.js';
import type { ReadinessInput } from './readiness/types.js';
import { buildRun, showImportNames } from './findings/run.js';
import type { TestsMode } from './findings/test-code.js';
import type { PerFileIgnores, SeverityOverrides } from './findings/overrides.js';
import { matchedKinds, type AuditRun, type FileError, type RuleMeta } from './model/types.js';
import type { ModuleFacts } from './facts/types.js';
import { VERSION } from './version.js';
import { collectGarbage } from './memory.js';

export interface AuditOptions {
  exclude?: string[];
  select?: string[];
  ignore?: string[];
  jobs?: number;
  maxBytes?: number;
  respectGitignore?: boolean;
  /** Only files git tracks (a pre-commit hook: scratch files do not count). */
  trackedOnly?: boolean;
  /**
   * Report findings only in these files (paths as given, relative to the working directory; in
   * `analyse`, relative to the root);
   * the whole project is still analysed, since a call chain crosses files.
   */
  reportOnly?: string[];
  /** Fingerprints of accepted findings (a baseline): not reported. */
  baseline?: Set<string>;
  /** Findings in test code: kept apart (default), counted like the rest, or dropped. */
  tests?: TestsMode;
  /** The project's own blocking APIs (`blocking-apis` in the configuration). */
  blockingApis?: BlockingApiSetting[];
  /** Functions that run their first argument in a worker thread (`offload-wrappers`). */
  offloadWrappers?: string[];
  /** Rules whose findings are dropped in files matching a pattern (`per-file-ignores`). */
  perFileIgnores?: PerFileIgnores;
  /** Severities given to rules' findings (`severity`), before anything is counted. */
  severity?: SeverityOverrides;
  onProgress?: (done: number, total: number) => void;
  /**
   * The cache folder of per-file facts (see src/cache/); none when absent. `followLink`: the
   * folder may be a link (only when the user named it).
   */
  cache?: { dir: string; followLink?: boolean };
  /** Told each problem that does not stop the audit (a cache that cannot be written). */
  onWarning?: (message: string) => void;
}

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
  const rules = loadRules();
  const catalogue = loadCatalogue();
  const user = userApis(options.blockingApis, options.offloadWrappers);
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
  const memo = cache && memoKey && readRun(cache, memoKey);
  time(memo ? 'run memo (reused)' : 'run memo (none)');
  if (cache && memo) {
    options.onProgress?.(found.files.length, found.files.length);
    pruneCache(cache, found.files.map((f) => f.rel));
    return finish(memo);
  }
  const cacheStats: CacheStats = { hits: 0, misses: 0 };
  // The workers look up unchanged files by the digests taken here rather than reading them again.
  let modules = await runPool(found.files.map((f, i) => ({ abs: f.abs, rel: f.rel, ...(f.raw ? { raw: f.raw } : {}), ...(digests[i]?.hash ? { digest: digests[i].hash } : {}) })), 'facts', {
    jobs: options.jobs, maxBytes: options.maxBytes, onProgress: options.onProgress, allowed: found.allowedReals, cache, cacheStats,
    // Calls no stage can use are dropped as each batch arrives, so they never pile up (the cache holds them unpruned).
    onFacts: (facts) => pruneCalls(facts, catalogueKnows(catalogue, user)),
  });
  if (cache) {
    if (cacheStats.writeError) {
      options.onWarning?.(`cache folder ${options.cache!.dir} could not be written (${cacheStats.writeError}); some results are not cached (pass --cache-dir to use another folder, or --no-cache)`);
    }
    pruneCache(cache, found.files.map((f) => f.rel));
  }
  time(cache ? `parse + facts (cache: ${cacheStats.hits} files reused, ${cacheStats.misses} parsed)` : 'parse + facts');
  const bytes = modules.reduce((n, m) => n + m.bytes, 0);
  // What reading the facts left (the batches' text, the maps that made equal names one string) goes before the graph is built on them.
  collectGarbage();
  const { run, importNames } = await analyse(modules, rules, catalogue, { ...options, reportOnly }, readPath, paths, inputs, found.allowedReals);
  run.errors.push(...readiness.errors);
  time('graph + classify + rules + findings');
  // The facts, the graph and the classification are done with: they go before the names are
  // rewritten, the run memo and the reports are written, which would otherwise hold them as
  // garbage under their own peak.
  modules = [];
  collectGarbage();
  if (importNames) showImportNames(run, importNames);
  if (cache && memoKey) writeRun(cache, memoKey, run);
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

/** Everything after parsing: usable on facts made anywhere (tests build them in-process). */
export async function analyseFacts(
  modules: ModuleFacts[], options: AuditOptions, readPath: (rel: string) => string | Buffer, roots: string[], readiness: ReadinessInput[] = [],
): Promise<AuditRun> {
  const catalogue = loadCatalogue();
  pruneCalls(modules, catalogueKnows(catalogue, userApis(options.blockingApis, options.offloadWrappers)));
  const { run, importNames } = await analyse(modules, loadRules(), catalogue, options, readPath, roots, readiness);
  if (importNames) showImportNames(run, importNames);
  return run;
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

/** Whether the catalogue or the configuration names an API at all (calls neither names can be pruned; see graph/prune.ts). */
function catalogueKnows(catalogue: ReturnType<typeof loadCatalogue>, user: UserApis): (name: string) => boolean {
  const configured = [...user.blocking, ...user.offloadWrappers];
  return (name) => catalogue.matches(name).length > 0 || configured.some((c) => c.regex.test(name));
}

/** `allowed`: real paths the files may lie in, for the code frames (see readSourceFile). */
async function analyse(
  modules: ModuleFacts[], rules: RuleMeta[], catalogue: ReturnType<typeof loadCatalogue>, options: AuditOptions,
  readPath: (rel: string) => string | Buffer, roots: string[], readinessInputs: ReadinessInput[], allowed?: readonly string[],
): Promise<{ run: AuditRun; importNames?: (name: string) => string }> {
  const time = timer();
  const index = new ProjectIndex(modules, catalogue.namesOf('calls-argument'), (name) => catalogue.canonical(name), (a, b) => catalogue.sameApi(a, b), loadWorkModel().caches);
  index.releaseBuildState();
  time('graph');
  collectGarbage();
  // Profiles of test code are shown only when test code counts like the rest.
  const classified = classify(index, catalogue, userApis(options.blockingApis, options.offloadWrappers), options.tests === 'include');
  time('classify');
  collectGarbage();
  const pureCython = modules.flatMap((m) => (m.cython ? [{ file: m.path, ...m.cython }] : []));
  const readiness = await analyseReadiness(readinessInputs, pureCython);
  time('readiness');
  const isSelected = ruleFilter(options.select, options.ignore);
  // A kind's direct rule counts for transitive chains unless it is explicitly ignored.
  const notIgnored = ruleFilter([], options.ignore);
  const byId = new Map(rules.map((r) => [r.id, r]));
  const kindRule = new Map<string, RuleMeta>();
  for (const rule of rules) for (const kind of matchedKinds(rule)) if (notIgnored(rule.id)) kindRule.set(kind, rule);
  const raw = await runRules({ ...classified, index, readiness, rules: byId, isSelected, ruleForKind: (k) => kindRule.get(k) }, rules);
  time('rules');
  // The readiness stage's and the rules' garbage goes before the findings are built on top of the analysis.
  collectGarbage();
  const cache = new Map<string, string[]>();
  const lines = (rel: string) => {
    let got = cache.get(rel);
    if (!got) {
      // Read as the facts were: never through a FIFO or a link out of the root put there since.
      const read = readSourceFile(readPath(rel), allowed, options.maxBytes);
      got = 'bytes' in read ? read.bytes.toString('utf8').split(/\r?\n/) : [];
      cache.set(rel, got);
    }
    return got;
  };
  // The run with the names of the analysis; those shown (graph/import-names.ts) are put in once it is dropped.
  const run = buildRun({
    tool: { name: 'gil-audit', version: VERSION }, roots, modules: index.modules,
    functions: index.functions.filter((f) => f.fact.kind !== 'module').map((f) => f.fact),
    raw, rules: byId, profiles: classified.profiles, readiness, lines,
    provenThreadCpu: new Set([...provenCpuOnThreads(classified.entries, classified.provenWork, ruleOption(byId.get('GA201')!, 'min-work'))].map((id) => index.functions[id].fqn)),
    options: { baseline: options.baseline, reportOnly: options.reportOnly, perFileIgnores: options.perFileIgnores, severity: options.severity, tests: options.tests },
  });
  return { run, importNames: index.importNames };
}

/** Prints stage times to stderr when GIL_AUDIT_TIMING is set (for profiling, not for users). */
function timer(): (stage: string) => void {
  let last = performance.now();
  return (stage) => {
    const now = performance.now();
    if (process.env.GIL_AUDIT_TIMING) process.stderr.write(`timing: ${stage}: ${(now - last).toFixed(0)} ms, heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB, rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB\n`);
    last = now;
  };
}
