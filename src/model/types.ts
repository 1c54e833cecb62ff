/**
 * The shared vocabulary of every stage: severity, confidence, evidence, entry points, rule
 * metadata, findings and the AuditRun the reporters present.
 *
 * Stage: model, the bottom of the pipeline. It imports nothing outside src/model/ (whose
 * schema-types.ts is generated from the JSON Schemas), and every stage may import it;
 * test/architecture.test.ts fails on any import that runs back up the pipeline.
 */

import type { RuleFile, RuleOptionFile } from './schema-types.js';

export type Severity = 'error' | 'warning' | 'note';
export type Confidence = 'high' | 'medium' | 'low';

/** One hop of the evidence chain: the function that makes the next call, and where. */
export interface ChainStep {
  /** Qualified name: `app.handlers.fetch` or, for the final API, the API itself (`time.sleep`). */
  function: string;
  /** File of the call made by `function` (empty for an external API). */
  file: string;
  /** Line of that call. */
  line: number;
}

export interface Finding {
  rule: string;
  /** The rule's kebab-case name. */
  name: string;
  severity: Severity;
  confidence: Confidence;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  /** What to do about this very finding. */
  recommendation: string;
  /** Codes of other tools for the same problem (`ASYNC251`). */
  equivalents: string[];
  /**
   * Evidence: for a direct finding, the enclosing function then the API; for a transitive one,
   * each hop from the coroutine down to the blocking API.
   */
  chain: ChainStep[];
  /** Qualified name of the enclosing function. */
  function: string;
  /** Stable identity for baselines: rule + file + function + normalised callee. */
  fingerprint: string;
  /** The source line (trailing whitespace removed), for code frames. */
  snippet: string;
  /** The file is test code (under a test directory, `test_*.py`, `*_test.py`, `conftest.py`). */
  test?: boolean;
}

/** How a function uses the CPU and the GIL (see src/classify/workload.ts). */
export type Classification = 'cpu-gil' | 'releases-gil' | 'io' | 'mixed' | 'unknown';

/** One reason behind a classification. */
export interface Evidence {
  /** `cpu-gil`, `releases-gil` or `io`: what this piece of evidence points to. */
  kind: 'cpu-gil' | 'releases-gil' | 'io';
  /** Human-readable: "nested loops (depth 2) with 14 arithmetic operations", "`hashlib.sha256` releases the GIL". */
  reason: string;
  file: string;
  line: number;
  /** When the evidence comes from a callee: the calls from this function down to it. */
  chain?: ChainStep[];
}

/** A way the function is started concurrently or served. */
export interface EntryPoint {
  kind: 'thread' | 'thread-pool' | 'to-thread' | 'process' | 'process-pool' | 'request-handler' | 'task' | 'main' | 'async-task';
  /** Where it is started (the spawn call, the decorator, the `__main__` block). */
  file: string;
  line: number;
  /** The API or framework: `threading.Thread`, `concurrent.futures.ThreadPoolExecutor().submit`, `fastapi`, `celery`. */
  via: string;
}

/** Entry points that run the function on a thread of this process (they share its GIL and its state). */
export const THREAD_ENTRY_KINDS: ReadonlySet<EntryPoint['kind']> = new Set<EntryPoint['kind']>(['thread', 'thread-pool', 'to-thread']);

/** The workload profile of one function, for the hot-path table and the JSON `functions` array. */
export interface FunctionReport {
  /** Fully qualified name: `app.jobs.reports.score_chunk`. */
  qualname: string;
  file: string;
  line: number;
  isAsync: boolean;
  classification: Classification;
  confidence: Confidence;
  evidence: Evidence[];
  entryPoints: EntryPoint[];
  /** 0..100: how hot the function is likely to be (entry points reached from, loop nesting, callers). */
  hotness: number;
  /** The remedy that fits its classification and how it is run. */
  remedy: string;
}

export interface FileError {
  file: string;
  message: string;
}

/** One tunable setting of a rule. */
/** A tunable setting of a rule (a threshold) with its default: the `options` of a rule file. */
export type RuleOption = RuleOptionFile;

/**
 * Rule metadata as loaded from `rules/<category>/<ID>-<name>.yaml`: the file's shape (generated from
 * src/schema/rule.schema.json) and where it was loaded from. `fix.recommendations` are the remedies
 * the rule picks among by id, `messages` the variants of `message`, `options` its thresholds (read
 * them with `ruleOption`).
 */
export interface RuleMeta extends RuleFile {
  /** File it was loaded from, relative to the package root. */
  source: string;
}

/** The catalogue kinds a declarative rule reports when called directly in a coroutine (none for other rules). */
export function matchedKinds(rule: RuleFile | undefined): string[] {
  return rule?.match && 'kinds' in rule.match ? rule.match.kinds : [];
}

/** The readiness checks (FREE-THREADING.md §6 ids) a declarative rule reports, if it is a readiness rule. */
export function matchedChecks(rule: RuleFile | undefined): string[] | undefined {
  return rule?.match && 'checks' in rule.match ? rule.match.checks : undefined;
}

export interface AuditSummary {
  files: number;
  lines: number;
  functions: number;
  asyncFunctions: number;
  findings: number;
  bySeverity: Record<Severity, number>;
  byRule: Record<string, number>;
  errors: number;
  /** Findings in test code kept apart from the counts above (`--tests separate`, the default). */
  testFindings?: number;
}

/**
 * Members of a run that only some reports show (report/index.ts says which): the run memo keeps
 * them apart and reads them back only for those (cache/run-memo.ts).
 */
export const RUN_PARTS = ['functions', 'assessment'] as const satisfies readonly (keyof AuditRun)[];
export type RunPart = (typeof RUN_PARTS)[number];

/** The whole result of one audit, input to every reporter. */
export interface AuditRun {
  tool: { name: string; version: string };
  /** The root(s) audited, as given on the command line. */
  roots: string[];
  summary: AuditSummary;
  /** Metadata of every rule that produced a finding, keyed by id. */
  rules: Record<string, RuleMeta>;
  /** Sorted by file, line, column, rule. */
  findings: Finding[];
  /** Findings in test code, kept apart: not in `findings`, the summary counts, hot paths or the exit code. */
  testFindings?: Finding[];
  /** Sorted by file. */
  errors: FileError[];
  /** Workload profile of the functions worth reporting, hottest first (ties: file, line). */
  functions?: FunctionReport[];
  /** The free-threading (PEP 703) verdict. */
  readiness?: ReadinessReport;
  /** What was audited, at which revision, under which title (absent when the caller did not say). */
  cover?: ReportCover;
  /** Risk, scores, root-cause groups, action plan and thread verdicts, built from the findings (src/findings/groups.ts). */
  assessment?: Assessment;
}

/** The cover of a report: the project, its revision and what the audit left out. */
export interface ReportCover {
  /** `--title`, else `Concurrency audit of <project>`. */
  title: string;
  /** `[project].name` of the closest pyproject.toml, else the audited folder's name. */
  project: string;
  /** The git commit audited and its commit date (ISO 8601); absent outside a git repository. */
  revision?: { commit: string; date: string; modified: boolean };
  /** Exclude patterns in force (configuration and `--exclude`). */
  excluded: string[];
  /** Whether .gitignore rules were honoured. */
  gitignore: boolean;
  /** Only files git tracks were audited. */
  trackedOnly: boolean;
  /** How test code was treated. */
  tests: 'separate' | 'include' | 'exclude';
}

/** The three areas the executive summary scores. */
export type AssessmentArea = 'event-loop' | 'gil' | 'free-threading';
export type RiskLevel = 'critical' | 'high' | 'medium' | 'low' | 'none';

/** One area's score out of 100 and what it rests on. */
export interface AreaScore {
  area: AssessmentArea;
  score: number;
  /** `good` (85+), `fair` (60-84), `poor` (30-59), `critical` (below 30). */
  rating: 'good' | 'fair' | 'poor' | 'critical';
  /** Root-cause groups that cost points (none for free-threading, scored by `readiness`). */
  groups: number;
  /** One sentence: what the score rests on. */
  basis: string;
}

/** One place a root cause shows: a finding's location. */
export interface GroupSite {
  file: string;
  line: number;
  column: number;
  /** The function the finding is in (for a helper's group, the caller that reaches it). */
  function: string;
  rule: string;
  fingerprint: string;
}

/**
 * Findings that one change fixes: every call site of one blocking helper, or one function's
 * calls of one rule, or one subject reported in several files (a dependency in two manifests).
 */
export interface FindingGroup {
  /** `G1`, `G2`... in action-plan order. */
  id: string;
  kind: 'helper' | 'function' | 'subject';
  area: AssessmentArea | 'other';
  /** The rules of its findings, sorted. */
  rules: string[];
  severity: Severity;
  confidence: Confidence;
  /** Markdown (code in backticks): `` `app.db._query` calls `sqlite3.connect` `` */
  title: string;
  /** The function every site reaches or runs in, with where it makes the call (absent for a subject). */
  function?: { qualname: string; file: string; line: number };
  /** The blocking or heavy API at the end of the chain, when there is one. */
  api?: string;
  /** What to do, written for this API and this use. */
  remedy: string;
  /** The first finding's chain, from the caller down to the API. */
  chain: ChainStep[];
  sites: GroupSite[];
}

/** One step of the action plan. */
export interface Action {
  priority: 'now' | 'next' | 'later';
  effort: 'small' | 'medium' | 'large';
  impact: 'high' | 'medium' | 'low';
  /** The group it fixes. */
  group: string;
  /** Markdown: what to do. */
  text: string;
}

/** Whether threads help a function started on threads. */
export interface ThreadVerdict {
  qualname: string;
  file: string;
  line: number;
  classification: Classification;
  /** `fights-gil`: CPU-bound Python that serialises on the GIL; `scales`: waits on I/O or runs native code without the GIL. */
  verdict: 'fights-gil' | 'scales';
  /** The thread entry points that start it, without repeats. */
  startedAt: EntryPoint[];
  remedy: string;
}

/** The judgement the report presents, built from the findings and profiles. */
export interface Assessment {
  risk: { level: RiskLevel; reason: string };
  areas: AreaScore[];
  actions: Action[];
  groups: FindingGroup[];
  threads: ThreadVerdict[];
}

/** One area of the free-threading readiness score. */
export interface ReadinessArea {
  area: 'dependencies' | 'native-code' | 'shared-state';
  /** Points kept out of `weight`. */
  score: number;
  weight: number;
  /** What cost points, one line each (`2 dependencies not ready: lxml, pyarrow`). */
  deductions: string[];
}

/** A function whose CPU-bound work free-threading would let run in parallel. */
export interface ReadinessHotPath {
  qualname: string;
  file: string;
  line: number;
  /** How it runs concurrently: `threading.Thread`, `ThreadPoolExecutor().submit`... */
  via: string;
  hotness: number;
}

/**
 * The free-threaded Python (PEP 703) verdict: a score with its breakdown, whether free-threading
 * would speed this program up, what blocks it, and the path to take.
 */
export interface ReadinessReport {
  /** 0..100: the sum of the areas' scores. */
  score: number;
  level: 'ready' | 'nearly-ready' | 'work-needed' | 'blocked';
  areas: ReadinessArea[];
  /** Would free-threading speed this program up? From the CPU-bound functions run on threads. */
  wouldHelp: { answer: 'yes' | 'no' | 'unclear'; reason: string; hotPaths: ReadinessHotPath[] };
  /** Findings that stand between the project and a free-threaded build, most severe first (rule, file, line). */
  blockers: { rule: string; file: string; line: number; subject: string; message: string }[];
  /** What to do: adopt 3.14t now, wait for named packages, fix own code first, or stay on processes. */
  path: { action: 'adopt-free-threading' | 'fix-own-code' | 'wait-for-packages' | 'stay-on-processes' | 'not-needed'; text: string; waitFor: string[] };
  /** Dependencies by free-threading status (declared once each; lock files only where no manifest names them). */
  dependencies: { name: string; status: string; requirement: string; firstVersion?: string; file: string; line: number }[];
  nativeModules: { name: string; binding: string; file: string; line: number; declaresFreeThreading: boolean }[];
  /** Where the package statuses come from, and their date. */
  packageData: { source: string; asOf: string };
  /**
   * Whether the packaging and CI say the project supports free-threading (checklist B14, B15):
   * free-threading trove classifiers, free-threaded Python versions in CI, and whether a package
   * is declared and CI configuration was found at all (an absent signal means something only then).
   */
  signals?: {
    classifiers: { file: string; line: number; value: string }[];
    ciLegs: { file: string; line: number; version: string }[];
    declaresPackage: boolean;
    hasCi: boolean;
  };
}
