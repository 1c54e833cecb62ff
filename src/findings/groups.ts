/**
 * The assessment a report presents: findings grouped by root cause, an action plan, a score per
 * area with an overall risk level, and whether threads help each function started on threads.
 *
 * Stage: findings. Input: an `AuditRun` (findings, rules, function profiles, readiness). Output:
 * an `Assessment`, plain data in a fixed order; the reporters present it and decide nothing.
 * The rubric below is written out in every report (Markdown "How to read the scores").
 */

import type {
  Action, AreaScore, Assessment, AuditRun, Confidence, EntryPoint, Finding, FindingGroup, FunctionReport, RiskLevel, Severity,
  ThreadVerdict,
} from '../model/types.js';
import { THREAD_ENTRY_KINDS } from '../model/types.js';

/** Percent of what is left of its area's score one root cause takes, by severity. */
export const GROUP_COST: Record<Severity, number> = { error: 15, warning: 6, note: 2 };
/** Each call site after a group's first costs 1 more point, up to this many. */
export const EXTRA_SITE_COST_MAX = 5;
/** Score boundaries of the ratings: good at or above the first, fair the second, poor the third, critical below. */
export const RATING_BOUNDS = { good: 85, fair: 60, poor: 30 } as const;
/** A root cause with this many call sites has one step more impact. */
export const WIDESPREAD_SITES = 5;

const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, note: 1 };
const CONFIDENCE_RANK: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };
const IMPACTS = ['low', 'medium', 'high'] as const;
const PRIORITY_RANK = { now: 0, next: 1, later: 2 } as const;
const EFFORT_RANK = { small: 0, medium: 1, large: 2 } as const;

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The area a rule's findings count in, from its category (or its id when its metadata is missing). */
function areaOf(run: AuditRun, rule: string): FindingGroup['area'] {
  const category = run.rules[rule]?.category;
  if (category === 'async-blocking' || (category === undefined && /^GA1/.test(rule))) return 'event-loop';
  if (category === 'gil-contention' || category === 'offload' || (category === undefined && /^GA[23]/.test(rule))) return 'gil';
  if (category === 'free-threading' || (category === undefined && /^GA[4-9]/.test(rule))) return 'free-threading';
  return 'other';
}

/** `a`, `a and b`, `a, b and c`. */
function listing(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

interface Draft {
  kind: FindingGroup['kind'];
  key: string;
  findings: Finding[];
}

/**
 * What a finding's root cause is: the helper that makes the blocking call when the chain runs
 * through helpers (every coroutine reaching it is fixed by fixing it), else the function and rule
 * (one function's repeated calls), else the rule and subject (a dependency named in two manifests).
 */
function rootCause(f: Finding, area: FindingGroup['area']): { kind: FindingGroup['kind']; key: string } {
  // Only a blocking call is fixed where it is made; other chains (shared state, CPU work) are the caller's to fix.
  if (f.chain.length > 2 && area === 'event-loop') return { kind: 'helper', key: `helper\0${f.chain[f.chain.length - 2].function}` };
  if (f.chain.length >= 2) return { kind: 'function', key: `function\0${f.rule}\0${f.function}` };
  return { kind: 'subject', key: `subject\0${f.rule}\0${f.function}\0${f.chain.length === 0 ? f.message : ''}` };
}

/** The async library a recommendation is written for. */
function offloadCall(remedy: string): string {
  const library = /\b(asyncio|trio|anyio)\.to_thread\b/.exec(remedy)?.[1] ?? 'asyncio';
  return library === 'asyncio' ? 'await asyncio.to_thread(fn, ...)' : `await ${library}.to_thread.run_sync(fn, ...)`;
}

/** Whether the finding's call is the context manager of a `with` statement (`with open(p) as f:`). */
function opensWithBlock(f: Finding, api: string | undefined): boolean {
  if (api === undefined || !/^\s*(async\s+)?with\b/.test(f.snippet ?? '')) return false;
  const name = api.replace(/\(\)/g, '').split('.').at(-1) ?? api;
  return f.snippet.includes(`${name}(`);
}

/** The group's remedy: its first finding's, unless a call opens a `with` block, which must move off the loop whole. */
function remedyOf(area: FindingGroup['area'], findings: Finding[], api: string | undefined): string {
  const first = findings[0].recommendation.trim();
  const withBlock = findings.find((f) => f.chain.length === 2 && opensWithBlock(f, api));
  if (area !== 'event-loop' || withBlock === undefined) return first;
  return (
    `${code(api ?? withBlock.chain[1].function)} opens a \`with\` block here: move the whole block into a plain function and run that function ` +
    `in a worker thread (${code(offloadCall(first))}), so the block's exit, and every call inside it, runs there too; ` +
    `offloading only the call would leave the exit on the event loop. ${first}`
  );
}

function titleOf(kind: FindingGroup['kind'], area: FindingGroup['area'], findings: Finding[], apis: string[]): string {
  const first = findings[0];
  if (kind === 'helper') {
    const callers = new Set(findings.map((f) => f.function)).size;
    return `${code(first.chain[first.chain.length - 2].function)} calls ${listing(apis.map(code))}, reached from ${callers} ${callers === 1 ? 'caller' : 'callers'}`;
  }
  if (kind === 'function' && area === 'event-loop' && apis.length > 1) return `${code(first.function)} calls ${listing(apis.map(code))}`;
  return first.message.trim();
}

function buildGroup(run: AuditRun, draft: Draft): Omit<FindingGroup, 'id'> {
  const { findings, kind } = draft;
  const first = findings[0];
  const rules = [...new Set(findings.map((f) => f.rule))].sort(compare);
  const area = areaOf(run, first.rule);
  const apis = [...new Set(findings.filter((f) => f.chain.length >= 2).map((f) => f.chain[f.chain.length - 1].function))];
  const severity = findings.reduce<Severity>((s, f) => (SEVERITY_RANK[f.severity] > SEVERITY_RANK[s] ? f.severity : s), 'note');
  const confidence = findings.reduce<Confidence>((c, f) => (CONFIDENCE_RANK[f.confidence] > CONFIDENCE_RANK[c] ? f.confidence : c), 'low');
  const maker = kind === 'helper' ? first.chain[first.chain.length - 2] : undefined;
  const fn =
    kind === 'helper' && maker !== undefined
      ? { qualname: maker.function, file: maker.file, line: maker.line }
      : kind === 'function'
        ? { qualname: first.function, file: first.file, line: first.line }
        : undefined;
  return {
    kind,
    area,
    rules,
    severity,
    confidence,
    title: titleOf(kind, area, findings, apis),
    ...(fn ? { function: fn } : {}),
    ...(apis.length > 0 ? { api: apis[0] } : {}),
    remedy: remedyOf(area, findings, apis[0]),
    chain: first.chain.map((s) => ({ function: s.function, file: s.file, line: s.line })),
    sites: findings.map((f) => ({ file: f.file, line: f.line, column: f.column, function: f.function, rule: f.rule, fingerprint: f.fingerprint })),
  };
}

/** Findings grouped by root cause, each group's findings in report order, groups in order of their first finding. */
function drafts(run: AuditRun): Draft[] {
  const byKey = new Map<string, Draft>();
  for (const f of run.findings) {
    const { kind, key } = rootCause(f, areaOf(run, f.rule));
    const draft = byKey.get(key);
    if (draft === undefined) byKey.set(key, { kind, key, findings: [f] });
    else draft.findings.push(f);
  }
  return [...byKey.values()];
}

function impactOf(group: Omit<FindingGroup, 'id'>): Action['impact'] {
  let step = SEVERITY_RANK[group.severity] - 1;
  if (group.sites.length >= WIDESPREAD_SITES) step++;
  // Free-threading is an option the project may take up, not a problem it has today.
  if (group.area === 'free-threading') step--;
  return IMPACTS[Math.max(0, Math.min(2, step))];
}

function effortOf(group: Omit<FindingGroup, 'id'>): Action['effort'] {
  if (group.area === 'gil') return 'large';
  if (group.area === 'free-threading') return 'medium';
  if (group.area === 'event-loop') return group.kind === 'helper' || group.sites.length > 3 ? 'medium' : 'small';
  return 'small';
}

const PRIORITY_OF: Record<Action['impact'], Action['priority']> = { high: 'now', medium: 'next', low: 'later' };

function ratingOf(score: number): AreaScore['rating'] {
  if (score >= RATING_BOUNDS.good) return 'good';
  if (score >= RATING_BOUNDS.fair) return 'fair';
  if (score >= RATING_BOUNDS.poor) return 'poor';
  return 'critical';
}

/** Percent of what is left of its area's score a group takes: by severity, plus 1 per extra call site (at most `EXTRA_SITE_COST_MAX`). */
export function groupCost(group: Pick<FindingGroup, 'severity' | 'sites'>): number {
  return GROUP_COST[group.severity] + Math.min(EXTRA_SITE_COST_MAX, group.sites.length - 1);
}

const AREA_WORDS: Record<'event-loop' | 'gil', string> = {
  'event-loop': 'blocks the event loop',
  gil: 'runs CPU-bound Python where the GIL serialises it',
};

function areaScore(area: 'event-loop' | 'gil', groups: FindingGroup[]): AreaScore {
  const mine = groups.filter((g) => g.area === area);
  // Each root cause takes its share of what is left, so the score falls quickly at first and never below 0.
  const score = Math.round(mine.reduce((left, g) => left * (1 - groupCost(g) / 100), 100));
  const sites = mine.reduce((n, g) => n + g.sites.length, 0);
  const basis =
    mine.length === 0
      ? `No finding shows code that ${AREA_WORDS[area]}.`
      : `${mine.length} root ${mine.length === 1 ? 'cause' : 'causes'} (${sites} ${sites === 1 ? 'finding' : 'findings'}): code that ${AREA_WORDS[area]}.`;
  return { area, score, rating: ratingOf(score), groups: mine.length, basis };
}

/** The overall risk: from the event-loop and GIL scores and the worst severity there (free-threading is an option, not a risk). */
function riskOf(areas: AreaScore[], groups: FindingGroup[]): Assessment['risk'] {
  const scored = areas.filter((a) => a.area !== 'free-threading');
  const relevant = groups.filter((g) => g.area === 'event-loop' || g.area === 'gil');
  if (relevant.length === 0) return { level: 'none', reason: 'No finding shows the event loop blocked or CPU-bound Python serialised on the GIL.' };
  const worst = scored.reduce((w, a) => (a.score < w.score ? a : w));
  const errors = relevant.filter((g) => g.severity === 'error').length;
  const warnings = relevant.filter((g) => g.severity === 'warning').length;
  let level: RiskLevel;
  if (worst.score < RATING_BOUNDS.poor) level = 'critical';
  else if (worst.score < RATING_BOUNDS.fair || errors > 0) level = 'high';
  else if (worst.score < RATING_BOUNDS.good || warnings > 0) level = 'medium';
  else level = 'low';
  const name = worst.area === 'event-loop' ? 'Event-loop' : 'GIL / CPU';
  const parts = [`${name} score ${worst.score}/100`];
  if (errors > 0) parts.push(`${errors} ${errors === 1 ? 'root cause' : 'root causes'} of error severity`);
  else if (warnings > 0) parts.push(`${warnings} ${warnings === 1 ? 'root cause' : 'root causes'} of warning severity`);
  return { level, reason: `${parts.join(', ')}.` };
}

/** The thread entry points that start `fn`, without repeats. */
function threadEntries(fn: FunctionReport): EntryPoint[] {
  const seen = new Set<string>();
  return fn.entryPoints.filter((e) => {
    const key = `${e.file}\0${e.line}\0${e.via}`;
    if (!THREAD_ENTRY_KINDS.has(e.kind) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Functions started on threads, by whether threads help them: CPU-bound or mixed Python fights
 * the GIL; I/O-bound code and native code that releases the GIL scales. In profile order.
 */
export function threadVerdicts(functions: FunctionReport[]): ThreadVerdict[] {
  const out: ThreadVerdict[] = [];
  for (const fn of functions) {
    const startedAt = threadEntries(fn);
    if (startedAt.length === 0) continue;
    const verdict =
      fn.classification === 'cpu-gil' || fn.classification === 'mixed' ? 'fights-gil' : fn.classification === 'io' || fn.classification === 'releases-gil' ? 'scales' : undefined;
    if (verdict === undefined) continue;
    out.push({
      qualname: fn.qualname, file: fn.file, line: fn.line, classification: fn.classification, verdict,
      startedAt: startedAt.map((e) => ({ kind: e.kind, file: e.file, line: e.line, via: e.via })), remedy: fn.remedy.trim(),
    });
  }
  return out;
}

/** Builds the assessment of a run: groups and actions in action-plan order, areas, risk and thread verdicts. */
export function assess(run: AuditRun): Assessment {
  const built = drafts(run).map((d, i) => {
    const group = buildGroup(run, d);
    return { group, order: i, impact: impactOf(group), effort: effortOf(group) };
  });
  built.sort(
    (a, b) =>
      PRIORITY_RANK[PRIORITY_OF[a.impact]] - PRIORITY_RANK[PRIORITY_OF[b.impact]] ||
      SEVERITY_RANK[b.group.severity] - SEVERITY_RANK[a.group.severity] ||
      EFFORT_RANK[a.effort] - EFFORT_RANK[b.effort] ||
      b.group.sites.length - a.group.sites.length ||
      a.order - b.order,
  );
  const groups: FindingGroup[] = built.map((b, i) => ({ id: `G${i + 1}`, ...b.group }));
  const actions: Action[] = built.map((b, i) => ({
    priority: PRIORITY_OF[b.impact], effort: b.effort, impact: b.impact, group: groups[i].id, text: groups[i].title,
  }));
  const areas = [areaScore('event-loop', groups), areaScore('gil', groups)];
  if (run.readiness) {
    const r = run.readiness;
    areas.push({
      area: 'free-threading', score: r.score, rating: ratingOf(r.score), groups: groups.filter((g) => g.area === 'free-threading').length,
      basis: `The readiness score of the free-threading chapter: dependencies, native code and shared state (level ${r.level.replace(/-/g, ' ')}).`,
    });
  }
  return { risk: riskOf(areas, groups), areas, actions, groups, threads: threadVerdicts(run.functions ?? []) };
}

