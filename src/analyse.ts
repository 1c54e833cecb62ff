/**
 * Everything after the run memo: parse + facts (or the cache's), graph, classification,
 * readiness, rules and findings.
 *
 * Loaded by audit.ts only when the run memo cannot answer, so a run over unchanged files starts
 * without loading the analysis (about a third of a small project's run).
 */
import { runPool, type CacheStats } from './facts/pool.js';
import { pruneCache, type CacheHandle } from './cache/store.js';
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
import { memoisedReadiness } from './readiness/memo.js';
import type { ReadinessInput } from './readiness/types.js';
import { buildRun, showImportNames } from './findings/run.js';
import { readSourceFile } from './facts/read-source.js';
import { matchedKinds, type AuditRun, type RuleMeta, type RunPart } from './model/types.js';
import type { ModuleFacts } from './facts/types.js';
import type { SourceFile } from './discover/types.js';
import type { TestsMode } from './findings/test-code.js';
import type { PerFileIgnores, SeverityOverrides } from './findings/overrides.js';
import { VERSION } from './version.js';
import { collectGarbage } from './memory.js';
import { timer } from './timing.js';

/** How to audit: the CLI's options as audit.ts and the analysis take them. */
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
  /**
   * The members of the run beyond its findings and summary that the caller reads (report/index.ts
   * says which each format shows); all when absent. A run the memo answers is read back without
   * the others. An analysed run always has them all.
   */
  runParts?: readonly RunPart[];
  /** Told each problem that does not stop the audit (a cache that cannot be written). */
  onWarning?: (message: string) => void;
}

/** What audit.ts found before the run memo: the files (with digests when cached) and the readiness inputs. */
export interface ProjectFiles {
  files: SourceFile[];
  /** Each file's content hash, by index; absent without a cache. */
  digests: (string | undefined)[];
  allowedReals?: readonly string[];
  inputs: ReadinessInput[];
  readPath: (rel: string) => string | Buffer;
  /** The audited paths as given. */
  roots: string[];
  /** `options.reportOnly` as root-relative names. */
  reportOnly?: string[];
}

/**
 * The audit of `project`: facts (the cache's for unchanged files), then the analysis. Returns the
 * run with names shown as Python imports them, and the bytes of Python analysed.
 */
export async function analyseFiles(project: ProjectFiles, options: AuditOptions, cache: CacheHandle | undefined): Promise<{ run: AuditRun; bytes: number }> {
  const time = timer();
  const rules = loadRules();
  const catalogue = loadCatalogue();
  const user = userApis(options.blockingApis, options.offloadWrappers);
  const cacheStats: CacheStats = { hits: 0, misses: 0 };
  // The workers look up unchanged files by the digests taken before the memo rather than reading them again.
  let modules = await runPool(project.files.map((f, i) => ({ abs: f.abs, rel: f.rel, ...(f.raw ? { raw: f.raw } : {}), ...(project.digests[i] ? { digest: project.digests[i] } : {}) })), 'facts', {
    jobs: options.jobs, maxBytes: options.maxBytes, onProgress: options.onProgress, allowed: project.allowedReals, cache, cacheStats,
    // Calls no stage can use are dropped as each batch arrives, so they never pile up (the cache holds them unpruned).
    onFacts: (facts) => pruneCalls(facts, catalogueKnows(catalogue, user)),
  });
  if (cache) {
    if (cacheStats.writeError) {
      options.onWarning?.(`cache folder ${options.cache!.dir} could not be written (${cacheStats.writeError}); some results are not cached (pass --cache-dir to use another folder, or --no-cache)`);
    }
    pruneCache(cache, project.files.map((f) => f.rel));
  }
  time(cache ? `parse + facts (cache: ${cacheStats.hits} files reused, ${cacheStats.misses} parsed)` : 'parse + facts');
  const bytes = modules.reduce((n, m) => n + m.bytes, 0);
  // Pruning asked the catalogue about every name called; the graph asks about far fewer.
  catalogue.forgetMatches();
  // What reading the facts left (the batches' text, the maps that made equal names one string) goes before the graph is built on them.
  collectGarbage();
  const { run, importNames } = await analyse(modules, rules, catalogue, { ...options, reportOnly: project.reportOnly }, project.readPath, project.roots, project.inputs, project.allowedReals, cache);
  time('graph + classify + rules + findings');
  // The facts, the graph and the classification are done with: they go before the names are
  // rewritten, the run memo and the reports are written, which would otherwise hold them as
  // garbage under their own peak.
  modules = [];
  collectGarbage();
  if (importNames) showImportNames(run, importNames);
  return { run, bytes };
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

/** The graph of `modules` as the audit builds it (the benchmark's bench/reach.ts measures the same one). */
export function projectIndex(modules: ModuleFacts[], catalogue: ReturnType<typeof loadCatalogue>): ProjectIndex {
  return new ProjectIndex(modules, catalogue.namesOf('calls-argument'), (name) => catalogue.canonical(name), (a, b) => catalogue.sameApi(a, b), loadWorkModel().caches);
}

/** Whether the catalogue or the configuration names an API at all (calls neither names can be pruned; see graph/prune.ts). */
export function catalogueKnows(catalogue: ReturnType<typeof loadCatalogue>, user: UserApis): (name: string) => boolean {
  const configured = [...user.blocking, ...user.offloadWrappers];
  return (name) => catalogue.matches(name).length > 0 || configured.some((c) => c.regex.test(name));
}

/** `allowed`: real paths the files may lie in, for the code frames (see readSourceFile). */
async function analyse(
  modules: ModuleFacts[], rules: RuleMeta[], catalogue: ReturnType<typeof loadCatalogue>, options: AuditOptions,
  readPath: (rel: string) => string | Buffer, roots: string[], readinessInputs: ReadinessInput[], allowed?: readonly string[], cache?: CacheHandle,
): Promise<{ run: AuditRun; importNames?: (name: string) => string }> {
  const byId = new Map(rules.map((r) => [r.id, r]));
  // The graph and the classification live only inside findRaw, and are collected once it returns:
  // what the findings and reports allocate next reuses their memory rather than stacking on their
  // garbage (on the generated 2 M-line project, 1,160 MB at the findings' end without the collection).
  const found = await findRaw(modules, rules, byId, catalogue, options, readinessInputs, cache);
  collectGarbage();
  const sourceLines = new Map<string, string[]>();
  const lines = (rel: string) => {
    let got = sourceLines.get(rel);
    if (!got) {
      // Read as the facts were: never through a FIFO or a link out of the root put there since.
      const read = readSourceFile(readPath(rel), allowed, options.maxBytes);
      got = 'bytes' in read ? read.bytes.toString('utf8').split(/\r?\n/) : [];
      sourceLines.set(rel, got);
    }
    return got;
  };
  // The run with the names of the analysis; those shown (graph/import-names.ts) are put in once it is dropped.
  const run = buildRun({
    tool: { name: 'gil-audit', version: VERSION }, roots, modules: found.modules, functions: found.functions,
    raw: found.raw, rules: byId, profiles: found.profiles, readiness: found.readiness, lines, provenThreadCpu: found.provenThreadCpu,
    options: { baseline: options.baseline, reportOnly: options.reportOnly, perFileIgnores: options.perFileIgnores, severity: options.severity, tests: options.tests },
  });
  return { run, importNames: found.importNames };
}

/** Graph, classification, readiness and rules: the raw findings, and what else the run is built from. */
async function findRaw(
  modules: ModuleFacts[], rules: RuleMeta[], byId: Map<string, RuleMeta>, catalogue: ReturnType<typeof loadCatalogue>, options: AuditOptions,
  readinessInputs: ReadinessInput[], cache: CacheHandle | undefined,
) {
  const time = timer();
  const index = projectIndex(modules, catalogue);
  index.releaseBuildState();
  time('graph');
  collectGarbage();
  // Profiles of test code are shown only when test code counts like the rest.
  const classified = classify(index, catalogue, userApis(options.blockingApis, options.offloadWrappers), options.tests === 'include');
  // What classification memoised goes before the rules, which ask for little of it again. Its
  // collection is timed with classification (on 5 M lines it is 0.6 s, longer than readiness).
  index.forgetMemos();
  catalogue.forgetMatches();
  for (const work of [classified.workload, classified.provenWork]) work.model.forgetPasses();
  collectGarbage();
  time('classify');
  const pureCython = modules.flatMap((m) => (m.cython ? [{ file: m.path, ...m.cython }] : []));
  // Pure over the manifests, native sources and Cython modules: a warm run after a Python edit reads it back.
  const { readiness, reused } = await memoisedReadiness(cache, readinessInputs, pureCython);
  time(cache ? `readiness (${reused ? 'reused' : 'made'})` : 'readiness');
  const isSelected = ruleFilter(options.select, options.ignore);
  // A kind's direct rule counts for transitive chains unless it is explicitly ignored.
  const notIgnored = ruleFilter([], options.ignore);
  const kindRule = new Map<string, RuleMeta>();
  for (const rule of rules) for (const kind of matchedKinds(rule)) if (notIgnored(rule.id)) kindRule.set(kind, rule);
  const raw = await runRules({ ...classified, index, readiness, rules: byId, isSelected, ruleForKind: (k) => kindRule.get(k) }, rules);
  time('rules');
  const proven = provenCpuOnThreads(classified.entries, classified.provenWork, ruleOption(byId.get('GA201')!, 'min-work'));
  return {
    raw, readiness, modules: index.modules, profiles: classified.profiles, importNames: index.importNames,
    functions: index.functions.filter((f) => f.fact.kind !== 'module').map((f) => f.fact),
    provenThreadCpu: new Set([...proven].map((id) => index.functions[id].fqn)),
  };
}
