/**
 * The free-threading (PEP 703) verdict: score and breakdown, "would it help?", blockers, path.
 *
 * Stage: findings. Input: the readiness stage's facts, the findings that survived suppression and
 * baseline, and the function profiles (what runs CPU-bound Python on threads). Output: the
 * `readiness` section of the AuditRun. The scoring is described in docs/readiness.md; its weights
 * are the `AREAS` and `PENALTY` tables below.
 */
import type { Finding, FunctionReport, ReadinessArea, ReadinessHotPath, ReadinessReport, RuleMeta } from '../model/types.js';
import { matchedChecks, THREAD_ENTRY_KINDS } from '../model/types.js';
import type { Dependency, ReadinessFacts } from '../readiness/types.js';

/** How many points each area is worth (they add up to 100). */
const AREAS: Record<ReadinessArea['area'], number> = { dependencies: 40, 'native-code': 35, 'shared-state': 25 };

/** Points one problem costs in its area. */
const PENALTY = {
  /** A runtime dependency with no free-threaded build: installs from source, may re-enable the GIL. */
  notReadyDependency: 10,
  /** A dependency whose support is partial or disputed, or capped below its first free-threaded release. */
  partialDependency: 4,
  /** A native module that does not declare free-threading support: importing it re-enables the GIL. */
  undeclaredModule: 12,
  /** A finding of severity `warning` in the area (crash or data corruption likely without the GIL). */
  critical: 6,
  /** Any other finding (hygiene, likely races); their total per area is capped by `minorCap`. */
  minor: 1,
  minorCap: 10,
} as const;

/** Checks about the project's own native modules (FREE-THREADING.md §6.1 B01, B02, B04–B08, §6.2, §6.3). */
const NATIVE_CHECK = /^(B0[124-8]|C\d\d|X\d\d)/;
/** Checks that a native module does not declare support (the GIL comes back when it is imported). */
const UNDECLARED_CHECK = /^B0[124-7]/;

const PROCESS_ENTRIES = new Set(['process', 'process-pool']);

/** `provenThreadCpu`: qualnames of functions on threads whose CPU work is proven heavy (see `helps`). */
export function readinessReport(facts: ReadinessFacts, findings: Finding[], functions: FunctionReport[], provenThreadCpu: ReadonlySet<string>, rules: Map<string, RuleMeta>): ReadinessReport {
  const own = findings.filter((f) => rules.get(f.rule)?.category === 'free-threading');
  const areaOf = (f: Finding): ReadinessArea['area'] => {
    const checks = matchedChecks(rules.get(f.rule));
    if (!checks) return 'shared-state';
    return checks.some((c) => NATIVE_CHECK.test(c)) ? 'native-code' : 'dependencies';
  };
  const dependencies = firstDeclarations(facts.dependencies);
  const areas = (Object.keys(AREAS) as ReadinessArea['area'][]).map((area) => scoreArea(area, own.filter((f) => areaOf(f) === area), dependencies, rules));
  const score = areas.reduce((n, a) => n + a.score, 0);
  const wouldHelp = helps(functions, provenThreadCpu);
  const notReady = dependencies.filter((d) => d.status === 'not-ready' && d.group !== 'dev' && d.group !== 'build');
  const undeclared = own.filter((f) => (matchedChecks(rules.get(f.rule)) ?? []).some((c) => UNDECLARED_CHECK.test(c)));
  const critical = own.filter((f) => f.severity !== 'note');
  return {
    score,
    level: score >= 85 ? 'ready' : score >= 60 ? 'nearly-ready' : score >= 30 ? 'work-needed' : 'blocked',
    areas,
    wouldHelp,
    blockers: [...own]
      .sort((a, b) => severityRank(a) - severityRank(b) || areaRank(areaOf(a)) - areaRank(areaOf(b)) || cmp(a.file, b.file) || a.line - b.line)
      .slice(0, 25)
      .map((f) => ({ rule: f.rule, file: f.file, line: f.line, subject: f.function, message: f.message })),
    path: pathFor(wouldHelp, notReady.map((d) => d.name), undeclared.length + critical.length, functions),
    dependencies: dependencies.map((d) => ({
      name: d.name, status: d.status, requirement: d.requirement, ...(d.firstVersion ? { firstVersion: d.firstVersion } : {}), file: d.file, line: d.span.line,
    })),
    nativeModules: facts.nativeModules.map((m) => ({ name: m.name, binding: m.binding, file: m.file, line: m.span.line, declaresFreeThreading: m.declaresFreeThreading })),
    packageData: facts.packageData ?? { source: '', asOf: '' },
    ...(facts.signals ? { signals: facts.signals } : {}),
  };
}

/** Each package once: its first declaration in a manifest, else in a lock file. */
function firstDeclarations(all: Dependency[]): Dependency[] {
  const byName = new Map<string, Dependency>();
  for (const d of all) {
    const seen = byName.get(d.name);
    if (!seen || (seen.group === 'lock' && d.group !== 'lock')) byName.set(d.name, d);
  }
  return [...byName.values()].sort((a, b) => cmp(a.name, b.name));
}

function scoreArea(area: ReadinessArea['area'], findings: Finding[], dependencies: Dependency[], rules: Map<string, RuleMeta>): ReadinessArea {
  const weight = AREAS[area];
  const deductions: string[] = [];
  let lost = 0;
  const take = (points: number, what: string) => {
    if (points <= 0) return;
    lost += points;
    deductions.push(`${what} (−${points})`);
  };
  if (area === 'dependencies') {
    const runtime = dependencies.filter((d) => d.group !== 'dev');
    const notReady = runtime.filter((d) => d.status === 'not-ready');
    const partial = runtime.filter((d) => d.status === 'partial' || (d.status === 'ready' && d.capsBelowFirst));
    take(PENALTY.notReadyDependency * notReady.length, `${plural(notReady.length, 'dependency')} without free-threaded builds: ${names(notReady)}`);
    take(PENALTY.partialDependency * partial.length, `${plural(partial.length, 'dependency')} partly ready or pinned below the first free-threaded release: ${names(partial)}`);
    const other = findings.filter((f) => !/^B11/.test((matchedChecks(rules.get(f.rule)) ?? [''])[0]));
    minor(other, take);
  } else {
    const undeclared = findings.filter((f) => (matchedChecks(rules.get(f.rule)) ?? []).some((c) => UNDECLARED_CHECK.test(c)));
    take(PENALTY.undeclaredModule * undeclared.length, `${plural(undeclared.length, 'native module')} not declaring free-threading support: ${[...new Set(undeclared.map((f) => f.function))].join(', ')}`);
    const rest = findings.filter((f) => !undeclared.includes(f));
    const critical = rest.filter((f) => f.severity !== 'note');
    take(PENALTY.critical * critical.length, `${plural(critical.length, 'problem')} likely to crash or corrupt data without the GIL`);
    minor(rest.filter((f) => f.severity === 'note'), take);
  }
  return { area, score: Math.max(0, weight - lost), weight, deductions };
}

function minor(findings: Finding[], take: (points: number, what: string) => void): void {
  const notes = findings.filter((f) => f.severity === 'note');
  const critical = findings.filter((f) => f.severity !== 'note');
  if (critical.length > 0) take(PENALTY.critical * critical.length, `${plural(critical.length, 'problem')} likely to crash or corrupt data without the GIL`);
  take(Math.min(PENALTY.minorCap, PENALTY.minor * notes.length), `${plural(notes.length, 'other problem')}`);
}

/**
 * Would free-threading speed this program up? Yes only where CPU-bound Python already runs on
 * threads and its work is proven large (`proven`, by qualname: what GA201 and GA301 report,
 * whatever rules are selected). Functions on threads that the lenient model labels CPU-bound
 * without that proof (a few thousand operations, or loops over data of unknown size) make the
 * answer unclear: their thread scaling has to be measured before anyone counts on it.
 */
function helps(functions: FunctionReport[], proven: ReadonlySet<string>): ReadinessReport['wouldHelp'] {
  const onThreads = (f: FunctionReport) => f.entryPoints.some((e) => THREAD_ENTRY_KINDS.has(e.kind));
  const hotPath = (f: FunctionReport): ReadinessHotPath => ({ qualname: f.qualname, file: f.file, line: f.line, via: f.entryPoints.find((e) => THREAD_ENTRY_KINDS.has(e.kind))!.via, hotness: f.hotness });
  const heavy = functions.filter((f) => proven.has(f.qualname) && onThreads(f));
  if (heavy.length > 0) {
    const they = heavy.length === 1 ? 'it runs' : 'they run';
    return { answer: 'yes', reason: `${plural(heavy.length, 'CPU-bound function')} holding the GIL ${heavy.length === 1 ? 'runs' : 'run'} on threads; on a free-threaded build ${they} in parallel`, hotPaths: heavy.slice(0, 10).map(hotPath) };
  }
  const looks = functions.filter((f) => f.classification === 'cpu-gil' && onThreads(f));
  if (looks.length > 0) {
    const one = looks.length === 1;
    return {
      answer: 'unclear',
      reason: `${plural(looks.length, 'function')} on threads ${one ? 'looks' : 'look'} CPU-bound, but ${one ? 'its' : 'their'} work could not be shown to be large enough to matter (it is small, or runs over data of unknown size); measure how ${one ? 'it scales' : 'they scale'} with more threads before counting on free-threading`,
      hotPaths: looks.slice(0, 10).map(hotPath),
    };
  }
  const mixed = functions.filter((f) => f.classification === 'mixed' && onThreads(f));
  if (mixed.length > 0) {
    return { answer: 'unclear', reason: `${plural(mixed.length, 'thread target')} ${mixed.length === 1 ? 'mixes' : 'mix'} CPU work and I/O; free-threading helps as far as the CPU part dominates`, hotPaths: [] };
  }
  if (functions.some((f) => f.classification === 'cpu-gil' && f.entryPoints.some((e) => PROCESS_ENTRIES.has(e.kind)))) {
    return { answer: 'no', reason: 'the CPU-bound work already runs in processes; free-threading would let threads replace them (less memory, no pickling), not make it faster', hotPaths: [] };
  }
  if (functions.some(onThreads)) {
    return { answer: 'no', reason: 'the work on threads waits on I/O or runs native code that releases the GIL: threads already overlap it', hotPaths: [] };
  }
  return { answer: 'no', reason: 'no CPU-bound Python runs on threads, so there is nothing for a free-threaded build to run in parallel', hotPaths: [] };
}

function pathFor(wouldHelp: ReadinessReport['wouldHelp'], waitFor: string[], ownProblems: number, functions: FunctionReport[]): ReadinessReport['path'] {
  if (wouldHelp.answer === 'no') {
    const inProcesses = functions.some((f) => f.classification === 'cpu-gil' && f.entryPoints.some((e) => PROCESS_ENTRIES.has(e.kind)));
    return inProcesses
      ? { action: 'stay-on-processes', text: 'Keep the process pool: it already runs the CPU-bound work in parallel. Revisit free-threading when memory or pickling costs matter.', waitFor: [] }
      : { action: 'not-needed', text: 'Free-threading would not speed this program up; fix the findings above first (event-loop blocking, CPU work in requests).', waitFor: [] };
  }
  if (waitFor.length > 0) {
    return { action: 'wait-for-packages', text: `Wait for (or help) ${waitFor.join(', ')} to ship free-threaded wheels; meanwhile move the hot paths to a process pool.`, waitFor };
  }
  if (ownProblems > 0) {
    return { action: 'fix-own-code', text: 'Fix the project\'s own blockers listed above (module declarations, unsafe native state), then test on 3.14t.', waitFor: [] };
  }
  return { action: 'adopt-free-threading', text: 'Try CPython 3.14t: run the test suite on it (with a free-threaded CI leg) and measure the hot paths with more threads.', waitFor: [] };
}

function severityRank(f: Finding): number {
  return f.severity === 'error' ? 0 : f.severity === 'warning' ? 1 : 2;
}

function areaRank(area: ReadinessArea['area']): number {
  return area === 'dependencies' ? 0 : area === 'native-code' ? 1 : 2;
}

function names(deps: Dependency[]): string {
  return deps.map((d) => d.name).join(', ');
}

function plural(n: number, noun: string): string {
  const word = n === 1 ? noun : noun.endsWith('y') ? `${noun.slice(0, -1)}ies` : `${noun}s`;
  return `${n} ${word}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
