/**
 * How each function uses the CPU and the GIL: cpu-gil, releases-gil, io, mixed or unknown.
 *
 * Stage: classify. Input: the ProjectIndex, the API catalogue and the work model
 * (rules/work-model.yaml, docs/work-model.md); output, per function, its own evidence with an
 * estimated cost in Python operations per call, the totals of each kind of work including what
 * its callees do (a call on every pass of a loop counts once per pass, recursion through the
 * cycle it belongs to), and a label: the strongest kind of work wins, `mixed` when CPU work and
 * waiting are close. Library calls the catalogue does not describe are unknown work, never CPU.
 * The facts behind the catalogue lists are in shared/FREE-THREADING.md §4.
 */
import type { CallFact, FunctionFact, LoopFact } from '../facts/types.js';
import type { ChainStep, Classification, Confidence, Evidence } from '../model/types.js';
import type { CallTarget, Dispatch, Edge, FunctionNode, ProjectIndex } from '../graph/index.js';
import { cacheDecorator } from '../graph/lifetime.js';
import { boundedQueueNames, callCostMs, exempt, type Catalogue, type CatalogueEntry, type ExemptContext } from './catalogue.js';
import { guessedPasses, loadWorkModel, type Passes, type WorkModel } from './work-model.js';
import { DocumentOrigins } from './documents.js';

export type Kind = 'cpu-gil' | 'releases-gil' | 'io';
/** Kinds of work with a cost: the three labelled kinds, and library calls of unknown cost. */
export type CostKind = Kind | 'unknown';
const KINDS: Kind[] = ['cpu-gil', 'releases-gil', 'io'];
/** Every cost kind, in SLOT order (a kind's index here is its slot). */
const COST_KINDS: CostKind[] = ['cpu-gil', 'releases-gil', 'io', 'unknown'];

type Costs = Record<CostKind, number>;
const zero = (): Costs => ({ 'cpu-gil': 0, 'releases-gil': 0, io: 0, unknown: 0 });

/**
 * Work per call while totals are worked out: by kind, the whole, the part that guessed passes
 * multiply, and that part's costs times the logarithms of their guesses (whose mean, weighted by
 * cost, is the part's guess: a trifle guessed a thousandfold beside much work guessed thirtyfold
 * leaves room for more guesses above).
 */
interface Tally {
  total: Costs;
  guessed: Costs;
  logs: Costs;
}
const tally = (): Tally => ({ total: zero(), guessed: zero(), logs: zero() });

/** The guess a tally's guessed part carries (see Tally). */
function guessOf(t: Tally, kind: CostKind): number {
  return t.guessed[kind] > 0 ? Math.exp(t.logs[kind] / t.guessed[kind]) : 1;
}

/** A kind's slot in the per-function number arrays: four per function (cost kinds), or three (labelled kinds). */
const SLOT: Record<CostKind, number> = { 'cpu-gil': 0, 'releases-gil': 1, io: 2, unknown: 3 };
/** Estimates are capped so that deep nests of data loops stay finite and comparable. */
const CAP = 1e15;
/** Operations per millisecond (one operation is about 50 ns): converts measured costs of slow native calls. */
export const OPS_PER_MS = 20_000;

/** Bits of OwnEvidence's yes-or-no members. */
const DATA_SIZED = 1;
const AWAITS = 2;
const ONCE = 4;
const IN_LOOP = 8;
const EXACT = 16;

/**
 * One piece of a function's own evidence. Its yes-or-no members are bits of one number, read
 * as `true` or undefined: a piece takes 96 bytes rather than the 136 of a field each (there are
 * hundreds of thousands on a large tree).
 */
export class OwnEvidence {
  constructor(
    readonly kind: CostKind,
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    /** Estimated Python operations (or their equivalent in time) per call of the function. */
    readonly cost: number,
    /** For a loop nest: the outermost loop's index in the function's `loops`. */
    readonly loop: number | undefined,
    /** The API called, for API evidence. */
    readonly api: string | undefined,
    /** The guessed passes (see `guessed`) that multiply the cost, when any do: at most the work model's `guessed-passes`. */
    readonly guess: number | undefined,
    private readonly flags: number,
  ) {}

  /** For CPU work: the work grows with the data (a data-sized loop nest, a data-sized argument, recursion). */
  get dataSized(): true | undefined {
    return this.flags & DATA_SIZED ? true : undefined;
  }

  /** For a loop nest: some pass awaits, so the event loop is given back on every pass. */
  get awaits(): true | undefined {
    return this.flags & AWAITS ? true : undefined;
  }

  /** Under a lazy-initialisation guard: once per process, not per call. */
  get once(): true | undefined {
    return this.flags & ONCE ? true : undefined;
  }

  /** For a call: made inside a loop of the function. */
  get inLoop(): true | undefined {
    return this.flags & IN_LOOP ? true : undefined;
  }

  /** For a loop nest: every loop's passes are known from the source (constant ranges, literals), so the cost is no guess at the data. */
  get exact(): true | undefined {
    return this.flags & EXACT ? true : undefined;
  }
}

/** The largest single contributor to one kind of a function's work: its own evidence, or a call (one shape for all). */
class Best {
  constructor(
    public cost: number,
    /** The contribution is data-sized (see OwnEvidence.dataSized). */
    readonly dataSized: boolean,
    readonly own: OwnEvidence | undefined,
    readonly edge: Edge | undefined,
  ) {}
}

/** A piece of own evidence; the members of `more` that do not apply are left out. */
function evidenceOf(
  kind: CostKind, reason: string, line: number, column: number, cost: number,
  more: { loop?: number; dataSized?: boolean; awaits?: boolean; api?: string; once?: boolean; inLoop?: boolean; exact?: boolean; guess?: number },
): OwnEvidence {
  const flags = (more.dataSized ? DATA_SIZED : 0) | (more.awaits ? AWAITS : 0) | (more.once ? ONCE : 0) | (more.inLoop ? IN_LOOP : 0) | (more.exact ? EXACT : 0);
  return new OwnEvidence(kind, reason, line, column, cost, more.loop, more.api, more.guess, flags);
}

export class WorkloadAnalysis {
  readonly model: WorkModel;
  /** Each function's own evidence, by row (see `rows`; so is every per-function array here but `labels`, `confidence` and `recursive`, which are by id). */
  private readonly own: OwnEvidence[][];
  /**
   * Work per call, by kind, callees included: four numbers per function (SLOT), in one array
   * rather than an object each, since a large project has hundreds of thousands of functions.
   */
  private readonly totals: Float64Array;
  /** Work reached only through once-only calls (cache decorators, lazy-init guards): once per process, not per call. */
  private readonly once: Float64Array;
  /**
   * The function's own library calls of unknown cost, summed: [per call, once per process, the
   * part of the first that guessed passes multiply, its logarithmic sum (see Tally)] per function.
   * Only their sum counts (no message names unknown work), so they are not kept as evidence,
   * which would be most of it. Dropped once the totals are known.
   */
  private ownUnknown: Float64Array | undefined;
  /**
   * While totals are worked out: the part of each function's per-call work (four slots, as
   * `totals`) that guessed passes multiply, and the guess that part carries (the cost-weighted
   * geometric mean of its guesses, at least 1: see Tally). Dropped once the totals are known.
   */
  private guessedWork: Float32Array | undefined;
  private guessFactor: Float32Array | undefined;
  readonly labels: Classification[] = [];
  readonly confidence: Confidence[] = [];
  /** Functions in a recursive cycle (a strongly connected component with a cycle). */
  readonly recursive: boolean[];
  /** The most passes any work of the function repeats (its loops, times those of its callees' loops). */
  private readonly maxPasses: number[];
  /** The function, or a callee it runs, has a loop over data (not only over unknown or small collections). */
  private readonly hasData: boolean[];
  /** By function and labelled kind (three slots per function): its largest contribution, if any. */
  private readonly best: (Best | undefined)[];
  private readonly onceBest: (Best | undefined)[];
  /** Per function: the pass multiplier of each loop (its passes times those of the loops around it). */
  private readonly multipliers: number[][];
  /** Per function: the guessed part of each loop's multiplier (see Passes.guessed), 1 where none is guessed. */
  private readonly guesses: number[][];
  /** The most guessed passes may multiply work by (the work model's `guessed-passes`). */
  private readonly guessCap: number;

  /** Where whole-page parsers' arguments come from (strict mode only). */
  private readonly documents: DocumentOrigins;
  /** What catalogue `unless` conditions need beyond the call (the project's bounded queues). */
  private readonly exemptContext: ExemptContext;

  /**
   * When `roots` limits the analysis to some functions and everything they call: by function, its
   * row in the per-function arrays, or -1 when its work is not worked out; undefined when
   * every function's is (a function's row is then its id). Sized by the rows, a strict model worked
   * out for 7 k of 326 k functions takes 2 MB, not 60.
   */
  private readonly rows: Int32Array | undefined;

  /**
   * `roots`: work out only these functions and what they call, directly or not (on a large tree
   * most functions are neither); asking about any other function is an error. Their labels are
   * `unknown`.
   */
  constructor(readonly index: ProjectIndex, private readonly catalogue: Catalogue, model?: WorkModel, roots?: Iterable<number>) {
    this.model = model ?? loadWorkModel();
    let running = RUNNING.get(index);
    if (!running) RUNNING.set(index, (running = { edges: new Array(index.functions.length).fill(undefined), counts: new Map() }));
    this.running = running;
    this.documents = new DocumentOrigins(index, this.model.documentSources, this.model.httpClients);
    this.exemptContext = { boundedQueues: boundedQueueNames(index.modules) };
    const n = index.functions.length;
    const scope = roots && closure(index, roots);
    let worked = index.functions;
    if (scope) {
      this.rows = new Int32Array(n).fill(-1);
      worked = index.functions.filter((node) => scope[node.id] === 1);
      worked.forEach((node, row) => (this.rows![node.id] = row));
    }
    const m = worked.length;
    this.cachedFunction = new Int8Array(n).fill(UNDECIDED);
    this.guessCap = this.model.thresholds['guessed-passes'];
    this.multipliers = worked.map((node) => this.loopMultipliers(node.fact, (p) => p.passes));
    this.guesses = worked.map((node) => this.loopMultipliers(node.fact, (p) => p.guessed ?? 1)).map((g) => (g.every((x) => x === 1) ? NO_LOOPS : g));
    this.ownUnknown = new Float64Array(4 * m);
    this.own = worked.map((node) => this.ownEvidence(node));
    this.totals = new Float64Array(4 * m);
    this.once = new Float64Array(4 * m);
    this.best = new Array(3 * m).fill(undefined);
    this.onceBest = new Array(3 * m).fill(undefined);
    this.recursive = index.functions.map(() => false);
    this.maxPasses = this.multipliers.map((mult) => Math.max(1, ...mult));
    this.hasData = worked.map((node) => node.fact.loops.some((l) => this.iteratesData(l)));
    this.propagate();
    for (const node of index.functions) {
      const [label, confidence] = this.worked(node.id) ? this.decide(node.id) : (['unknown', 'low'] as const);
      this.labels.push(label);
      this.confidence.push(confidence);
    }
  }

  /** Whether the function's work is worked out (it is within the roots' reach, or there are no roots). */
  private worked(id: number): boolean {
    return !this.rows || this.rows[id] >= 0;
  }

  /** The function's row in the per-function arrays (see `rows`). */
  private row(id: number): number {
    return this.rows ? this.rows[id] : id;
  }

  /** Throws when the function's work was not worked out (it is outside the roots' reach). */
  private inScope(id: number): number {
    if (!this.worked(id)) throw new Error(`internal error: the work of function ${this.index.functions[id].fqn} was not worked out (it is not reached from the analysis' roots)`);
    return id;
  }

  /** The function's row (see `row`), once it is known to be worked out (see `inScope`). */
  private scopedRow(id: number): number {
    return this.row(this.inScope(id));
  }

  has(id: number, kind: Kind): boolean {
    return amount(this.totals, this.scopedRow(id), kind) > 0;
  }

  /** Work per call, by kind, callees included. */
  work(id: number): Costs {
    return costsAt(this.totals, this.scopedRow(id));
  }

  /** CPU work per call (operations), callees included. */
  cpuWork(id: number): number {
    return amount(this.totals, this.scopedRow(id), 'cpu-gil');
  }

  /** Whether the function's largest CPU contribution grows with the data. */
  cpuDataSized(id: number): boolean {
    return top(this.best, this.scopedRow(id), 'cpu-gil')?.dataSized ?? false;
  }

  /**
   * CPU work that warrants a finding: the function is labelled cpu-gil (or mixed, CPU being the
   * larger part), its CPU work reaches `minWork` operations per call, and it grows with the data.
   */
  heavyCpu(id: number, minWork: number): boolean {
    const label = this.labels[id];
    const t = this.work(id);
    const cpuLeads = label === 'cpu-gil' || (label === 'mixed' && t['cpu-gil'] >= Math.max(t.io, t['releases-gil']));
    return cpuLeads && t['cpu-gil'] >= minWork && this.cpuDataSized(id);
  }

  /**
   * A call whose CPU work is heavy where it is made: the callee's CPU work times the passes of
   * the loops around the call reaches `minWork`, CPU leads in the callee, and the work grows
   * with the data (in the callee, or because the call is made on every pass of a data loop).
   */
  heavyCall(edge: Edge, minWork: number): boolean {
    this.inScope(edge.from);
    if (!this.counts(edge) || this.onceOnly(edge)) return false;
    const callee = edge.to;
    const t = this.work(callee);
    const label = this.labels[callee];
    const cpuLeads = label === 'cpu-gil' || (label === 'mixed' && t['cpu-gil'] >= Math.max(t.io, t['releases-gil']));
    const m = this.edgeMultiplier(edge);
    return cpuLeads && t['cpu-gil'] * m >= minWork && (this.cpuDataSized(callee) || this.repeatedOverData(edge.from, edge.call, m));
  }

  /**
   * Heavy CPU work reached only once per process (through a cache or a lazy initialiser): at least
   * `minWork` operations, or `minExact` when the work's size is known exactly (see OwnEvidence.exact).
   */
  heavyOnceCpu(id: number, minWork: number, minExact = minWork): boolean {
    const best = top(this.onceBest, this.scopedRow(id), 'cpu-gil');
    if (best === undefined || !best.dataSized) return false;
    const evidence = best.own ?? this.onceChain(best.edge!).evidence;
    const least = evidence?.exact ? minExact : minWork;
    return amount(this.once, this.row(id), 'cpu-gil') >= least && this.concentrated(evidence, least);
  }

  /**
   * The function's own CPU loop nests that grow with the data and do at least `minWork` operations
   * (`minExact` for a nest whose size is known exactly), not awaiting.
   */
  heavyLoops(id: number, minWork: number, once = false, minExact = minWork): OwnEvidence[] {
    return this.own[this.scopedRow(id)].filter((e) => e.kind === 'cpu-gil' && e.loop !== undefined && e.dataSized && !e.awaits
      && e.cost >= (e.exact ? minExact : minWork) && (e.once === true) === once);
  }

  /** The function's own calls of GIL-holding library APIs that alone do at least `minWork` operations on data, every call. */
  heavyApiCalls(id: number, minWork: number): OwnEvidence[] {
    return this.own[this.scopedRow(id)].filter((e) => e.kind === 'cpu-gil' && e.api !== undefined && e.loop === undefined && e.dataSized && !e.once && e.cost >= minWork);
  }

  /**
   * A call that reaches heavy CPU work only once per process: into a cached function or under a
   * lazy-initialisation guard, or into a function whose own heavy work is behind one. At least
   * `minWork` operations, or `minExact` when the work's size is known exactly.
   */
  heavyOnceCall(edge: Edge, minWork: number, minExact = minWork): boolean {
    this.inScope(edge.from);
    if (!this.counts(edge)) return false;
    const callee = edge.to;
    const onceWork = amount(this.once, this.row(callee), 'cpu-gil');
    const work = this.onceOnly(edge) ? this.cpuWork(callee) + onceWork : onceWork;
    const dataSized = (this.onceOnly(edge) && this.cpuDataSized(callee)) || (top(this.onceBest, this.row(callee), 'cpu-gil')?.dataSized ?? false);
    if (work < minWork || !dataSized || this.heavyCall(edge, minWork)) return false;
    const { evidence } = this.onceChain(edge);
    const least = evidence?.exact ? minExact : minWork;
    return work >= least && this.concentrated(evidence, least);
  }

  /** The reason behind the largest contribution of `kind`, own or inherited (for messages); `onceOnly`: of the CPU work that runs once per process. */
  reason(id: number, kind: CostKind, onceOnly = false): string {
    const best = top(onceOnly ? this.onceBest : this.best, this.scopedRow(id), kind);
    if (!best) return '';
    if (onceOnly && best.edge) return this.onceChain(best.edge).reason;
    if (best.own) return best.own.reason;
    // Down the largest contributions to the evidence, naming the loop that repeats a call.
    const parts: string[] = [];
    let edge: Edge | undefined = best.edge;
    const seen = new Set<number>([id]);
    for (let guard = 0; edge && guard < 50 && !seen.has(edge.to); guard++) {
      seen.add(edge.to);
      const m = this.edgeMultiplier(edge);
      const caller = this.index.functions[edge.from].fact;
      if (m > 1 && edge.call.loop !== undefined) parts.push(`called on every pass of the loop at line ${caller.loops[edge.call.loop].line} of \`${caller.qualname}\``);
      const next = top(this.best, this.row(edge.to), kind);
      if (!next || next.own || !next.edge) {
        const head = `${next?.own?.reason ?? ''} in \`${this.index.functions[edge.to].fact.qualname}\``;
        return parts.length > 0 ? `${head}, ${parts.reverse().join(', ')}` : head;
      }
      edge = next.edge;
    }
    return '';
  }

  /**
   * For work that runs once per process: the chain from `edge` down to the CPU evidence, through
   * the cache or lazy guard that makes it once-only, and the reason at its end.
   */
  onceChain(edge: Edge): { chain: ChainStep[]; reason: string; evidence?: OwnEvidence } {
    const { functions } = this.index;
    const chain: ChainStep[] = [{ function: functions[edge.from].fqn, file: functions[edge.from].module.path, line: edge.call.line }];
    let id = this.inScope(edge.to);
    let once = this.onceOnly(edge);
    let reason = '';
    let evidence: OwnEvidence | undefined;
    const seen = new Set<number>();
    for (let guard = 0; guard < 1000 && !seen.has(id); guard++) {
      seen.add(id);
      const node = functions[id];
      const best = top(once ? this.best : this.onceBest, this.row(id), 'cpu-gil');
      if (!best || best.own || !best.edge) {
        chain.push({ function: node.fqn, file: node.module.path, line: best?.own?.line ?? node.fact.span.line });
        reason = best?.own ? `${best.own.reason} in \`${node.fact.qualname}\`` : '';
        evidence = best?.own;
        break;
      }
      chain.push({ function: node.fqn, file: node.module.path, line: best.edge.call.line });
      if (!once && this.onceOnly(best.edge)) once = true;
      id = best.edge.to;
    }
    return { chain, reason, evidence };
  }

  /** Once-only work is reported only where one piece of evidence at the end of the chain carries it, not a sum of trifles. */
  private concentrated(evidence: OwnEvidence | undefined, minWork: number): boolean {
    return evidence !== undefined && evidence.dataSized === true && evidence.cost >= minWork / 4;
  }

  /** Chain from a call (`edge`) down to the function whose own `kind` evidence it reaches, following the largest contributions. */
  chainFrom(edge: Edge, kind: CostKind): ChainStep[] {
    const { functions } = this.index;
    const steps: ChainStep[] = [{ function: functions[edge.from].fqn, file: functions[edge.from].module.path, line: edge.call.line }];
    let id = this.inScope(edge.to);
    const seen = new Set<number>();
    for (let guard = 0; guard < 1000 && !seen.has(id); guard++) {
      seen.add(id);
      const node = functions[id];
      const best = top(this.best, this.row(id), kind);
      if (!best || best.own || !best.edge) {
        steps.push({ function: node.fqn, file: node.module.path, line: best?.own?.line ?? node.fact.span.line });
        break;
      }
      steps.push({ function: node.fqn, file: node.module.path, line: best.edge.call.line });
      id = best.edge.to;
    }
    return steps;
  }

  /** The largest contributions of each labelled kind, own first, at most `limit` items, for reports. */
  evidence(id: number, limit = 6): Evidence[] {
    const node = this.index.functions[this.inScope(id)];
    const out: Evidence[] = [];
    // Only what matters next to the largest contribution: a tenth of it, at least.
    const t = this.work(id);
    const floor = Math.max(t['cpu-gil'], t.io, t['releases-gil']) / 10;
    const ownItem = (e: OwnEvidence): Evidence => ({ kind: e.kind as Kind, reason: e.reason, file: node.module.path, line: e.line });
    const own = this.own[this.row(id)].filter((e) => e.kind !== 'unknown' && e.cost > 0 && e.cost >= floor).sort((a, b) => b.cost - a.cost || a.line - b.line);
    for (const e of own) out.push(ownItem(e));
    for (const kind of KINDS) {
      const best = top(this.best, this.row(id), kind);
      if (!best?.edge || best.cost < floor) continue;
      out.push(this.edgeEvidence(id, kind, best.edge));
    }
    // The label's own kind comes first, however small beside the rest: a function labelled `io`
    // because undescribed library work outweighs its CPU work shows the wait that labelled it.
    const label = this.labels[id];
    if ((KINDS as readonly string[]).includes(label) && !out.some((e) => e.kind === label)) {
      // Its largest contribution: a call, the function's own work, or a recursion's levels.
      const kind = label as Kind;
      const best = top(this.best, this.row(id), kind);
      if (best?.edge) out.unshift(this.edgeEvidence(id, kind, best.edge));
      else if (best?.own) out.unshift(ownItem(best.own));
    }
    return out.slice(0, limit);
  }

  /** The evidence of `kind` that the call `edge` brings to function `id`, with its chain. */
  private edgeEvidence(id: number, kind: Kind, edge: Edge): Evidence {
    const node = this.index.functions[id];
    return { kind, reason: this.reason(id, kind), file: node.module.path, line: edge.call.line, chain: this.chainFrom(edge, kind) };
  }

  /** The multiplier of a call made in the function: the passes of the loops around it. */
  callMultiplier(fn: number, call: CallFact): number {
    return call.loop === undefined ? 1 : this.multipliers[this.row(fn)][call.loop] ?? 1;
  }

  /** The guessed part of a call's multiplier (see Passes.guessed). */
  private callGuess(fn: number, call: CallFact): number {
    return call.loop === undefined ? 1 : this.guesses[this.row(fn)][call.loop] ?? 1;
  }

  /**
   * What keeps of work that guessed passes `guess` multiply: all of it up to the bound, beyond it
   * the share the bound allows. Sizes the code says nothing about are guesses, and guesses
   * compound where real sizes rarely do (rules/work-model.yaml `guessed-passes`).
   */
  private bounded(guess: number): number {
    return guess > this.guessCap ? this.guessCap / guess : 1;
  }

  /**
   * A loop that runs over data (or a literal or constant range of data size): the kind of loop
   * that makes work data-sized. Products of unknown and small collections alone do not.
   */
  private iteratesData(loop: LoopFact): boolean {
    const p = this.model.loopPasses(loop);
    return p.size === 'data' || (p.size === 'tiny' && p.passes >= this.model.thresholds['data-sized']);
  }

  /** A call made `m` times per call of `fn`, at least a data-sized number, inside a loop over data. */
  private repeatedOverData(fn: number, call: CallFact, m: number): boolean {
    return m >= this.model.thresholds['data-sized'] && call.loop !== undefined && this.loopChainIteratesData(fn, call.loop);
  }

  /** Whether the loop `j` of function `fn`, or one enclosing it, runs over data. */
  private loopChainIteratesData(fn: number, j: number): boolean {
    const fact = this.index.functions[fn].fact;
    for (let k = j; k >= 0; k = this.parentLoop(fact, k)) if (this.iteratesData(fact.loops[k])) return true;
    return false;
  }

  /** Passes of each loop (or their guessed part: `of`) times those of the loops enclosing it. */
  private loopMultipliers(fact: FunctionFact, of: (p: Passes) => number): number[] {
    const loops = fact.loops;
    if (loops.length === 0) return NO_LOOPS;
    const out: number[] = [];
    loops.forEach((loop, j) => {
      const parent = this.parentLoop(fact, j);
      out.push(Math.min(CAP, of(this.model.loopPasses(loop)) * (parent >= 0 ? out[parent] : 1)));
    });
    return out;
  }

  /** The loop directly enclosing loop `j`, or -1. Loops are listed in source order, so the parent comes first. */
  private parentLoop(fact: FunctionFact, j: number): number {
    const loop = fact.loops[j];
    for (let k = j - 1; k >= 0; k--) {
      const l = fact.loops[k];
      if (l.depth === loop.depth - 1 && l.line <= loop.line && l.endLine >= loop.endLine) return k;
    }
    return -1;
  }

  /** The cost of one call of a catalogue entry or a library function, before multipliers, and what it is. */
  private callCost(node: FunctionNode, call: CallFact, target: CallTarget): { kind: CostKind; cost: number; reason: string; api?: string; dataSized?: boolean } | undefined {
    const { costs } = this.model;
    if (target.kind !== 'external') {
      if (target.kind === 'unknown' && call.awaited && node.fact.isAsync) return { kind: 'io', cost: costs.await, reason: `awaits \`${call.callee}\`` };
      return undefined;
    }
    const name = target.name;
    const match = this.catalogue.match(name, 'blocking-io', 'releases-gil', 'cpu-gil');
    if (match) {
      const entry = match.entry;
      if (entry.effect === 'blocking-io') {
        // Only a process's first call waits (an import): later ones cost next to nothing.
        if (entry.oncePerProcess || call.awaited || exempt(entry, call, this.exemptContext, node.module, node.fact)) return undefined;
        const cost = entry.costMs !== undefined ? entry.costMs * OPS_PER_MS : this.model.ioCosts[entry.kind] ?? costs['unknown-call'];
        return { kind: 'io', cost, reason: `\`${name}\` waits on I/O`, api: name };
      }
      if (entry.effect === 'releases-gil') {
        if (exempt(entry, call, this.exemptContext, node.module, node.fact)) return undefined;
        const ms = callCostMs(entry, call);
        if (ms === undefined && entry.dataSized && !this.dataSizedArgument(node, call, true)) {
          // Released only around work too short to matter (a match on a token): the call's own
          // work holds the GIL, as a GIL-holding API's does, counted on every pass of a loop.
          return call.loop === undefined ? undefined : { kind: 'cpu-gil', cost: costs['gil-api-call'], reason: `calls \`${name}\``, api: name };
        }
        const slow = ms !== undefined && (!entry.dataSized || this.dataSizedArgument(node, call));
        const cost = slow ? Math.max(costs['native-call'], ms * OPS_PER_MS) : costs['native-call'];
        return { kind: 'releases-gil', cost, reason: `\`${name}\` runs native code that releases the GIL`, api: name };
      }
      // cpu-gil
      if (entry.confidence === 'low') return undefined;
      if (entry.document && this.model.strict && !this.documents.argumentIsDocument(node, call)) {
        // A whole-page parser given a fragment, a message or a value of unknown origin.
        return { kind: 'cpu-gil', cost: costs['gil-api-call'], reason: `calls \`${name}\` on text not proven a whole document`, api: name };
      }
      if (entry.costMs !== undefined) {
        const what = entry.inLoop ? 'does slow CPU work holding the GIL' : 'walks a whole document in Python';
        return { kind: 'cpu-gil', cost: entry.costMs * OPS_PER_MS, reason: `\`${name}\` ${what} (about ${entry.costMs} ms per call)`, api: name, dataSized: true };
      }
      if (!entry.inLoop && call.loop === undefined) return { kind: 'cpu-gil', cost: costs['whole-document-api'], reason: `\`${name}\` walks a whole document in Python`, api: name, dataSized: true };
      if (!entry.inLoop) {
        // Called on every pass of a loop, it walks one item's worth (`mean(v)` for each value
        // list of a record), not a whole document, unless its argument is data itself.
        const size = this.argumentSize(node, call);
        if (size?.size === 'data') return { kind: 'cpu-gil', cost: size.passes * costs['gil-api-per-item'], reason: `\`${name}\` on ${size.why}`, api: name, dataSized: true };
        return { kind: 'cpu-gil', cost: costs['gil-api-call'], reason: `calls \`${name}\``, api: name };
      }
      if (call.loop !== undefined) return { kind: 'cpu-gil', cost: costs['gil-api-call'], reason: `calls \`${name}\``, api: name };
      if (entry.cheapOnce) return undefined;
      const size = this.argumentSize(node, call);
      if (size && size.size === 'data') {
        return { kind: 'cpu-gil', cost: size.passes * costs['gil-api-per-item'], reason: `\`${name}\` on ${size.why}`, api: name, dataSized: true };
      }
      return undefined;
    }
    if (call.awaited && node.fact.isAsync) return { kind: 'io', cost: costs.await, reason: `awaits \`${call.callee}\`` };
    // A method of an element the catalogue does not describe (`row.lower()` for `row` of a
    // query's rows) is a method of a plain value, as on an unknown receiver.
    if (call.resolution === 'builtin' || name.startsWith('?') || name.includes('[]') || this.model.isCheap(name)) return undefined;
    // Unknown work is only summed (see ownUnknown): no reason is ever shown for it.
    return { kind: 'unknown', cost: costs['unknown-call'], reason: '', api: name };
  }

  /**
   * Whether a call's first positional argument (or, with `anyPositional`, any of them: the text
   * `regex.sub(pattern, repl, text)` works on comes last) is data-sized (a parameter, rows, a
   * file's content).
   */
  dataSizedArgument(node: FunctionNode, call: CallFact, anyPositional = false): boolean {
    if (!anyPositional) return this.argumentSize(node, call)?.size === 'data';
    return call.args.some((arg) => !arg.keyword && this.argumentSize(node, call, arg)?.size === 'data');
  }

  /** The size of a call's first positional argument (or of `arg`), when it is a name or a call. */
  private argumentSize(node: FunctionNode, call: CallFact, arg = call.args.find((a) => !a.keyword)): Passes | undefined {
    if (!arg || !arg.text || (arg.kind !== 'ref' && arg.kind !== 'call')) return undefined;
    const text = arg.kind === 'call' ? `${arg.text}()` : arg.text;
    const head = /^[A-Za-z_][A-Za-z0-9_]*/.exec(arg.text)?.[0];
    const origin = head && this.isParam(node.fact, head) ? 'param' : undefined;
    return this.model.expressionSize(text, origin, arg.target);
  }

  private isParam(fact: FunctionFact, name: string): boolean {
    const index = fact.params.findIndex((p) => p.name === name);
    return index > 0 || (index === 0 && !fact.className);
  }

  private ownEvidence(node: FunctionNode): OwnEvidence[] {
    const fact = node.fact;
    const out: OwnEvidence[] = [];
    if (fact.kind === 'module') return NO_EVIDENCE;
    const mult = this.multipliers[this.row(node.id)];
    const guesses = this.guesses[this.row(node.id)];
    const guess = (j: number) => guesses[j] ?? 1;
    const loops = fact.loops;
    const parent = loops.map((_, j) => this.parentLoop(fact, j));
    const root = loops.map((_, j) => {
      let r = j;
      while (parent[r] >= 0) r = parent[r];
      return r;
    });
    // Per loop nest (by its outermost loop): CPU operations, GIL-holding API calls, awaits, the largest guess.
    const nestCost = new Map<number, { ops: number; api?: string; apiCost: number; heaviest: number; guess: number }>();
    const nestOf = (j: number) => {
      let n = nestCost.get(root[j]);
      if (!n) nestCost.set(root[j], (n = { ops: 0, apiCost: 0, heaviest: root[j], guess: 1 }));
      return n;
    };
    loops.forEach((loop, j) => {
      if (onFailure(loop)) return;
      const ops = loop.arithmetic + loop.subscripts + loop.comparisons + loop.augmented + loop.calls + loop.assignments;
      const n = nestOf(j);
      n.ops += Math.min(CAP, ops * mult[j] * this.bounded(guess(j)));
      n.guess = Math.max(n.guess, guess(j));
      if (mult[j] > mult[n.heaviest]) n.heaviest = j;
    });
    const loopOps = loops.reduce((s, l) => s + l.arithmetic + l.subscripts + l.comparisons + l.augmented, 0);
    const straight = Math.max(0, fact.ops - loopOps);
    if (straight > 0) out.push(evidenceOf('cpu-gil', `${straight} Python operations outside loops`, fact.span.line, fact.span.column, straight, {}));
    // An `async for` waits for its items (fetched in batches: counted as one awaited call per
    // run of the loop); awaits in a loop's body are its awaited calls, costed with the calls.
    if (fact.isAsync && loops.length > 0) {
      const waits = loops.map((loop) => loop.awaits);
      for (const call of fact.calls) if (call.awaited && call.loop !== undefined) waits[call.loop]--;
      loops.forEach((loop, j) => {
        if (waits[j] <= 0) return;
        const runs = parent[j] >= 0 ? mult[parent[j]] : 1;
        out.push(evidenceOf('io', `\`async for\` over ${this.model.loopPasses(loop).why}${parent[j] >= 0 ? ` on every pass of the loop at line ${loops[parent[j]].line}` : ''}`, loop.line, loop.column, Math.min(CAP, runs * this.model.costs.await), {}));
      });
    }
    fact.calls.forEach((call, i) => {
      const found = this.callCost(node, call, this.index.target(node.id, i));
      if (!found) return;
      const failing = onFailure(call);
      if (failing && found.kind !== 'io') return;
      const m = this.callMultiplier(node.id, call);
      const g = this.callGuess(node.id, call);
      const cost = Math.min(CAP, found.cost * m * this.bounded(g));
      if (found.kind === 'unknown') {
        const once = this.index.runsOnce(node.id, call);
        const at = 4 * this.row(node.id);
        const slot = at + (once ? 1 : 0);
        this.ownUnknown![slot] = Math.min(CAP, this.ownUnknown![slot] + cost);
        if (!once && g > 1) {
          this.ownUnknown![at + 2] += cost;
          this.ownUnknown![at + 3] += cost * Math.log(Math.min(g, this.guessCap));
        }
        return;
      }
      if (found.kind === 'cpu-gil' && call.loop !== undefined && found.api && !found.dataSized) {
        // A GIL-holding API on every pass: part of its loop nest's CPU work.
        const n = nestOf(call.loop);
        n.apiCost += cost;
        n.api ??= found.api;
        n.guess = Math.max(n.guess, g);
        return;
      }
      const where = (call.loop !== undefined ? ` on every pass of the loop at line ${loops[call.loop].line}` : '') + (failing ? ' in an `except` clause' : '');
      out.push(evidenceOf(found.kind, `${found.reason}${where}`, call.line, call.column, cost, {
        once: this.index.runsOnce(node.id, call) ? true : undefined,
        inLoop: call.loop !== undefined ? true : undefined,
        api: found.api || undefined,
        dataSized: found.kind === 'cpu-gil' ? found.dataSized === true || this.repeatedOverData(node.id, call, m) : undefined,
        guess: g > 1 ? Math.min(g, this.guessCap) : undefined,
      }));
    });
    for (const [r, n] of nestCost) {
      const loop = loops[r];
      const members = loops.map((_, j) => j).filter((j) => root[j] === r);
      const passes = Math.max(...members.map((j) => mult[j]));
      const cost = Math.min(CAP, n.ops + n.apiCost);
      if (cost <= 0) continue;
      const awaits = members.some((j) => loops[j].awaits > 0);
      const what = loop.kind === 'comprehension' ? 'a comprehension' : `a \`${loop.kind}\` loop`;
      const heaviest = this.model.loopPasses(loops[n.heaviest]);
      const outer = this.model.loopPasses(loop);
      const nested = n.heaviest !== r ? `nested loops over ${outer.why} and ${heaviest.why}` : `${what} over ${outer.why}`;
      const api = n.api ? `, calling \`${n.api}\` on every pass` : '';
      const exact = !members.some((j) => this.iteratesData(loops[j])) && members.every((j) => this.model.loopPasses(loops[j]).size === 'tiny');
      out.push(evidenceOf('cpu-gil', `${nested}${api}: ${about(cost)} operations per call`, loop.line, loop.column, cost, {
        loop: r, awaits, exact: exact || undefined,
        // Data-sized: a loop over data in the nest, or sizes all known exactly (literals, constant ranges).
        dataSized: passes >= this.model.thresholds['data-sized'] && (exact || members.some((j) => this.iteratesData(loops[j]))),
        once: this.index.runsOnce(node.id, loop) ? true : undefined,
        api: n.api || undefined,
        guess: n.guess > 1 ? Math.min(n.guess, this.guessCap) : undefined,
      }));
    }
    // Exact-size lists, and one shared empty list: most functions have no evidence of their own.
    return out.length === 0 ? NO_EVIDENCE : out.slice();
  }

  /**
   * Totals bottom-up over the strongly connected components of the call graph (callees first).
   * Each step is a small method of its own: V8 recompiles a function whenever a rare branch first
   * runs in it, and small methods make that cheap (one long method was compiled 11 times).
   */
  private propagate(): void {
    // The components depend on the graph alone, so both work models share them.
    const { order, ends } = (this.running.components ??= stronglyConnected(this.index.functions.length, (id) => this.calleesOf(id)));
    this.guessedWork = new Float32Array(this.totals.length);
    this.guessFactor = new Float32Array(this.totals.length).fill(1);
    for (let c = 0, start = 0; c < ends.length; start = ends[c++]) {
      // A component is in the scope whole or not at all (its members reach each other).
      if (!this.worked(order[start])) continue;
      if (ends[c] - start === 1) this.single(order[start]);
      else this.component(Array.from(order.subarray(start, ends[c])));
    }
    this.guessedWork = this.guessFactor = this.ownUnknown = undefined;
  }

  /** A function in no cycle with others (most are): its totals, or its cycle's if it calls itself. */
  private single(id: number): void {
    const base = this.gather(id, (to) => to === id);
    const cyclic = this.index.outgoing[id].some((e) => e.to === id && this.counts(e) && !this.onceOnly(e));
    if (cyclic) this.recursion([id], [base], (to) => to === id);
    else this.setTally(id, base);
  }

  /**
   * Adds `cost` of `kind` that guessed passes `guess` multiply (1: none) to a tally. The cost is
   * already bounded, so the guess it carries on is at most the bound.
   */
  private add(t: Tally, kind: CostKind, cost: number, guess: number): void {
    if (cost <= 0) return;
    t.total[kind] = Math.min(CAP, t.total[kind] + cost);
    if (guess > 1) {
      t.guessed[kind] += cost;
      t.logs[kind] += cost * Math.log(Math.min(guess, this.guessCap));
    }
  }

  /** Stores a function's per-call work and its guessed part, for its callers. */
  private setTally(id: number, tally: Tally): void {
    const row = this.row(id);
    setCosts(this.totals, row, tally.total);
    for (const kind of COST_KINDS) {
      this.guessedWork![4 * row + SLOT[kind]] = Math.min(tally.total[kind], tally.guessed[kind]);
      this.guessFactor![4 * row + SLOT[kind]] = guessOf(tally, kind);
    }
  }

  /**
   * The functions of a strongly connected component of two or more. Only calls that can run again
   * make a cycle (see `cycling`): the component splits into the cycles those calls make, each
   * worked out after the ones it calls, so a member outside every cycle (`get_logger` -> settings
   * -> `get_logger`, closed by a cached call) gets the totals of what it calls, not only its own.
   */
  private component(scc: number[]): void {
    const position = new Map(scc.map((id, i) => [id, i]));
    const parts = stronglyConnected(scc.length, (i) => this.cycling(scc[i]).filter((e) => position.has(e.to)).map((e) => position.get(e.to)!));
    for (let p = 0, start = 0; p < parts.ends.length; start = parts.ends[p++]) {
      const ids = Array.from(parts.order.subarray(start, parts.ends[p]), (i) => scc[i]);
      const set = new Set(ids);
      const member = (to: number) => set.has(to);
      const base = ids.map((id) => this.gather(id, member));
      if (ids.length > 1 || this.cycling(ids[0]).some((e) => e.to === ids[0])) this.recursion(ids, base, member);
      else this.setTally(ids[0], base[0]);
    }
  }

  /** Calls that run the callee here and not only once per process. */
  private recurring(id: number): Edge[] {
    return this.edgesOf(id).filter((e) => !this.onceOnly(e));
  }

  /**
   * Calls that can close a cycle: recurring ones, except calls into an exception's methods from
   * outside them. Raising ends the work that led to it, so a helper that raises an error whose
   * message is formatted with the helper (`traverse_obj` -> `ExtractorError` -> `format_field`
   * -> `traverse_obj`) does not recurse (and what the error costs is no part of the helper's
   * work: see `gather`).
   */
  private cycling(id: number): Edge[] {
    const recurring = this.recurring(id);
    if (this.index.isExceptionMethod(id)) return recurring;
    return recurring.filter((e) => !this.index.isExceptionMethod(e.to));
  }

  /**
   * A function's own work and what its calls outside its component bring, per call (returned)
   * and once per process (stored); its largest contributions are offered on the way.
   */
  private gather(id: number, member: (to: number) => boolean): Tally {
    const t = tally();
    const o = zero();
    const row = this.row(id);
    t.total.unknown = this.ownUnknown![4 * row];
    o.unknown = this.ownUnknown![4 * row + 1];
    t.guessed.unknown = this.ownUnknown![4 * row + 2];
    t.logs.unknown = this.ownUnknown![4 * row + 3];
    for (const e of this.own[row]) {
      if (e.once) o[e.kind] = Math.min(CAP, o[e.kind] + e.cost);
      else this.add(t, e.kind, e.cost, e.guess ?? 1);
      offer(e.once ? this.onceBest : this.best, row, e.kind, e.cost, e.dataSized === true, e);
    }
    const raises = !this.index.isExceptionMethod(id);
    for (const edge of this.edgesOf(id)) {
      if (member(edge.to) && !this.onceOnly(edge)) continue;
      // Making an exception is an error path: the raise ends the work, so it is not per-call work;
      // handling one brings only its waits (see onFailure).
      if (raises && this.index.isExceptionMethod(edge.to)) continue;
      this.inherit(id, edge, t, o, onFailure(edge.call) ? 'io' : undefined);
    }
    for (const dispatch of this.index.dispatchesOf(id)) {
      const running = this.runningImplementations(id, dispatch, member);
      if (running.length === 0) continue;
      for (const kind of onFailure(dispatch.call) ? IO_ONLY : COST_KINDS) {
        const edge = this.typicalImplementation(running, kind);
        if (edge) this.inherit(id, edge, t, o, kind);
      }
    }
    setCosts(this.once, row, o);
    return t;
  }

  /**
   * A call of an interface's stub runs one of its implementations; which one, the code does not
   * say. Of each kind of work it counts what most of them do: the largest amount that more than
   * half of them do at least. A call through `BaseTransport.send` waits as its transports
   * do; a signer interface whose one implementation in two hashes a password costs nothing; the
   * network fetch of one rate source in four does not make every rate lookup wait. `running`: the
   * implementations the call can run (see runningImplementations), one at least.
   */
  private typicalImplementation(running: readonly Edge[], kind: CostKind): Edge | undefined {
    const slot = SLOT[kind];
    const work = (edge: Edge) => this.totals[4 * this.row(edge.to) + slot];
    const typical = [...running].sort((a, b) => work(b) - work(a))[Math.floor(running.length / 2)];
    return work(typical) > 0 ? typical : undefined;
  }

  /**
   * The implementations a dispatch can run here, as edges from `id`: not those in the caller's
   * own cycle (their work is not known yet), nor those the call would not run (a coroutine, not
   * awaited). Worked out once per dispatch, for every kind of work.
   */
  private runningImplementations(id: number, dispatch: Dispatch, member: (to: number) => boolean): Edge[] {
    const out: Edge[] = [];
    for (const to of dispatch.to) {
      if (member(to) || !this.worked(to)) continue;
      const edge: Edge = { from: id, to, call: dispatch.call };
      if (this.counts(edge)) out.push(edge);
    }
    return out;
  }

  /** The functions a function's calls can run: its edges' callees, and the implementations its calls of stubs dispatch to. */
  private calleesOf(id: number): number[] {
    const out = this.edgesOf(id).map((e) => e.to);
    for (const dispatch of this.index.dispatchesOf(id)) out.push(...dispatch.to);
    return out;
  }

  /**
   * Adds the work of the callee of `edge` to its caller's per-call (`t`) and once-only (`o`)
   * work; of one kind only when `only` says so (the waiting of a call in an `except` clause).
   */
  private inherit(id: number, edge: Edge, t: Tally, o: Costs, only?: CostKind): void {
    const { passes: m, guessed: g } = this.edgeRepeats(edge);
    const onceEdge = this.onceOnly(edge);
    // Work repeated 1,000 times or more in all is data-sized, however the passes split
    // between this loop and the callee's (30 words times a 30 by 30 comparison).
    const from = this.row(id);
    const to = this.row(edge.to);
    const passes = Math.min(CAP, m * this.maxPasses[to]);
    // Waits alone (`only` io) say nothing of how much data the caller's CPU work covers.
    const sizes = only === undefined || only === 'cpu-gil';
    if (!onceEdge && sizes && passes > this.maxPasses[from]) this.maxPasses[from] = passes;
    const aroundData = edge.call.loop !== undefined && this.loopChainIteratesData(edge.from, edge.call.loop);
    if (!onceEdge && sizes && this.hasData[to]) this.hasData[from] = true;
    // Strict (findings): the repeated call itself must sit in a loop over data; a data loop
    // somewhere else below the callee says nothing about this work.
    const dataCall = passes >= this.model.thresholds['data-sized'] && (aroundData || (!this.model.strict && this.hasData[to]));
    const { best, onceBest } = this;
    for (let slot = 0; slot < COST_KINDS.length; slot++) {
      const kind = COST_KINDS[slot];
      if (only !== undefined && kind !== only) continue;
      const callee = this.totals[4 * to + slot];
      const calleeOnce = this.once[4 * to + slot];
      const calleeData = (top(best, to, kind)?.dataSized ?? false) || dataCall;
      if (onceEdge) {
        const c = Math.min(CAP, callee + calleeOnce);
        if (c > 0) {
          o[kind] = Math.min(CAP, o[kind] + c);
          offer(onceBest, from, kind, c, calleeData || (top(onceBest, to, kind)?.dataSized ?? false), undefined, edge);
        }
        continue;
      }
      if (callee > 0) {
        // The callee's work that no guess multiplies, then the part guesses do, each repeated
        // here within the bound on guesses.
        const guessedIn = Math.min(callee, this.guessedWork![4 * to + slot]);
        const plain = Math.min(CAP, (callee - guessedIn) * m * this.bounded(g));
        this.add(t, kind, plain, g);
        const guess = this.guessFactor![4 * to + slot] * g;
        const guessed = Math.min(CAP, guessedIn * m * this.bounded(guess));
        this.add(t, kind, guessed, guess);
        offer(best, from, kind, Math.min(CAP, plain + guessed), calleeData, undefined, edge);
      }
      if (calleeOnce > 0) {
        o[kind] = Math.min(CAP, o[kind] + calleeOnce);
        offer(onceBest, from, kind, calleeOnce, top(onceBest, to, kind)?.dataSized ?? false, undefined, edge);
      }
    }
  }

  /**
   * The totals of a recursive cycle. One that branches (a member calling into the cycle from two
   * or more places, outside loops) runs its members' work about as often as a data loop's
   * passes; a linear one (`save` → `load` → `migrate` → `save`, one call each), or one recursing
   * from inside loops (which already count the children), as often as an unknown collection's.
   * A method of an exception class does not branch: it runs once per raise, and the raise ends
   * the work that led to it (an error's message formatted with the helper that raised it).
   * Strict (findings): only calls that both run, on one line (`fib(n - 1) + fib(n - 2)`), are
   * proof of branching; calls in different branches of an `if` (a metadata lookup for a show,
   * another for its season) may each run once.
   */
  private recursion(scc: number[], base: Tally[], member: (to: number) => boolean): void {
    const { functions, outgoing } = this.index;
    const branching = (id: number) => {
      if (this.index.isExceptionMethod(id)) return false;
      const sites = this.recurring(id).filter((e) => member(e.to) && e.call.loop === undefined);
      if (!this.model.strict) return sites.length >= 2;
      const lines = sites.map((e) => e.call.line);
      return lines.some((line, i) => lines.indexOf(line) !== i);
    };
    const branches = scc.some(branching);
    const R = branches ? this.model.passes.recursion : this.model.passes.unknown;
    // A linear recursion's depth is a guess (see `guessed-passes`); a branching one's is not.
    const g = branches ? 1 : R;
    const level = tally();
    for (const t of base) {
      for (const kind of COST_KINDS) {
        level.total[kind] = Math.min(CAP, level.total[kind] + t.total[kind]);
        level.guessed[kind] += t.guessed[kind];
        level.logs[kind] += t.logs[kind];
      }
    }
    const sum = level.total;
    // The cycle's work per call of any member, repeated R times within the bound on guesses.
    const cycle = tally();
    for (const kind of COST_KINDS) {
      const guessed = Math.min(sum[kind], level.guessed[kind]);
      this.add(cycle, kind, Math.min(CAP, (sum[kind] - guessed) * R * this.bounded(g)), g);
      const guess = guessOf(level, kind) * g;
      this.add(cycle, kind, Math.min(CAP, guessed * R * this.bounded(guess)), guess);
    }
    const names = scc.map((id) => `\`${functions[id].fact.qualname}\``);
    for (const id of scc) {
      this.recursive[id] = true;
      this.setTally(id, cycle);
      for (const kind of COST_KINDS) {
        const total = cycle.total[kind];
        const best = top(this.best, this.row(id), kind);
        if (kind === 'cpu-gil' && sum[kind] > 0) {
          const node = functions[id];
          const edge = outgoing[id].find((e) => member(e.to));
          const reason = scc.length > 1
            ? `mutually recursive with ${names.filter((n) => n !== `\`${node.fact.qualname}\``).join(', ')}: ${about(sum[kind])} operations per level`
            : `recursive: ${about(sum[kind])} operations per level`;
          const dataSized = R >= this.model.thresholds['data-sized'];
          const own = evidenceOf(kind, reason, edge?.call.line ?? node.fact.span.line, edge?.call.column ?? 1, total, { dataSized });
          this.best[3 * this.row(id) + SLOT[kind]] = new Best(own.cost, dataSized, own, undefined);
        } else if (best && sum[kind] > 0) best.cost = Math.min(CAP, best.cost * (total / sum[kind]));
      }
    }
  }

  /** What both work models share about the graph (see Running). */
  private readonly running: Running;

  /** Calls that run the callee here (see `counts`), by caller. */
  private edgesOf(id: number): Edge[] {
    let edges = this.running.edges[id];
    if (!edges) {
      // Most functions' calls all run their callees: those keep the graph's own list.
      const all = this.index.outgoing[id];
      const running = all.filter((e) => this.counts(e));
      this.running.edges[id] = edges = running.length === all.length ? all : running;
    }
    return edges;
  }

  /**
   * Whether a call runs the callee's body here: a sync function does; an async one when awaited;
   * a generator function only when the caller iterates what it returns (calling it runs nothing:
   * its body runs where the generator is consumed, and a generator delegating with `yield from`
   * passes that on), or when it is a context manager (`@contextmanager`): the `with` that enters
   * it runs the body up to its `yield`, and the rest on leaving (a flush and `os.fsync` there).
   */
  private counts(edge: Edge): boolean {
    const callee = this.index.functions[edge.to].fact;
    if (!callee.isGenerator) return !callee.isAsync || edge.call.awaited === true;
    if (callee.decorators.some((d) => CONTEXT_MANAGER_DECORATORS.has(d))) return true;
    let result = this.running.counts.get(edge);
    if (result === undefined) this.running.counts.set(edge, (result = this.consumedHere(edge)));
    return result;
  }

  private consumedHere(edge: Edge): boolean {
    const caller = this.index.functions[edge.from].fact;
    const { callee, line } = edge.call;
    if (caller.isGenerator) return true;
    const opening = `${callee}(`;
    if (caller.loops.some((l) => l.kind !== 'while' && line >= l.line && line <= l.endLine && (l.iter ?? '').replace(/\s/g, '').includes(opening))) return true;
    return caller.calls.some((c) => CONSUMERS.test(c.callee) && c.args.some((a) => a.kind === 'call' && a.text === callee));
  }

  /** How many times the call runs per call of the caller: the loop passes around it, or the data an API maps the callee over. */
  private edgeMultiplier(edge: Edge): number {
    return this.edgeRepeats(edge).passes;
  }

  /** The passes of a call (see edgeMultiplier) and their guessed part (see Passes.guessed). */
  private edgeRepeats(edge: Edge): { passes: number; guessed: number } {
    let passes = this.callMultiplier(edge.from, edge.call);
    let guessed = this.callGuess(edge.from, edge.call);
    if (edge.argumentOf) {
      // `map(f, rows)`, `sorted(rows, key=f)`: f runs once per item of the data argument.
      const node = this.index.functions[edge.from];
      const data = edge.call.args.find((a) => !a.keyword && a.kind !== 'lambda' && a.text !== undefined && this.index.resolve(a.target ?? '').kind !== 'function');
      if (data?.text) {
        const head = /^[A-Za-z_][A-Za-z0-9_]*/.exec(data.text)?.[0];
        const size = this.model.expressionSize(data.kind === 'call' ? `${data.text}()` : data.text, head && this.isParam(node.fact, head) ? 'param' : undefined, data.target);
        passes *= size.passes;
        guessed *= guessedPasses(size);
      } else {
        passes *= this.model.passes.unknown;
        guessed *= this.model.passes.unknown;
      }
    }
    return { passes: Math.min(CAP, passes), guessed };
  }

  /** A call into a cache-decorated function, or one made under a lazy-initialisation guard: it runs once per process. */
  onceOnly(edge: Edge): boolean {
    if (this.index.runsOnce(edge.from, edge.call)) return true;
    let cached = this.cachedFunction[edge.to];
    if (cached === UNDECIDED) {
      const decorated = cacheDecorator(this.index.caches, this.index.functions[edge.to].fact.decorators) !== undefined;
      this.cachedFunction[edge.to] = cached = decorated ? 1 : 0;
    }
    return cached === 1;
  }

  /** By function: whether a cache decorator makes it run once per process (1), not (0), or not yet decided. */
  private readonly cachedFunction: Int8Array;

  private decide(id: number): [Classification, Confidence] {
    const t = this.work(id);
    const cpu = t['cpu-gil'];
    const io = t.io;
    const native = t['releases-gil'];
    const { thresholds } = this.model;
    const ratio = thresholds['mixed-ratio'];
    const cpuCounts = cpu >= thresholds['cpu-label'] && cpu >= t.unknown;
    // Waiting as short as a `stat` labels nothing and weighs nothing beside CPU work.
    const waits = Math.max(io, native);
    const other = waits >= thresholds['io-label'] ? waits : 0;
    const ownKind = (kind: Kind) => top(this.best, this.row(id), kind)?.own !== undefined;
    if (cpuCounts && cpu >= other) {
      if (other * ratio >= cpu) return ['mixed', 'low'];
      // Waiting beside CPU work that only products of unknown and small collections make large
      // (no data loop): which one dominates cannot be told.
      if (other > 0 && !top(this.best, this.row(id), 'cpu-gil')?.dataSized) return ['mixed', 'low'];
      return ['cpu-gil', ownKind('cpu-gil') ? 'medium' : 'low'];
    }
    if (other <= 0) return ['unknown', 'low'];
    if (cpuCounts && cpu * ratio >= other) return ['mixed', 'low'];
    if (io >= native) return ['io', ownKind('io') ? 'high' : 'medium'];
    return ['releases-gil', ownKind('releases-gil') ? 'high' : 'medium'];
  }
}

/** The multipliers of a function without loops (most functions): one shared empty list. */
const NO_LOOPS: number[] = Object.freeze([]) as unknown as number[];
const NO_EVIDENCE: OwnEvidence[] = Object.freeze([]) as unknown as OwnEvidence[];
const UNDECIDED = -1;

/** By function: 1 for `roots` and every function they call, directly or through others. */
function closure(index: ProjectIndex, roots: Iterable<number>): Uint8Array {
  const reached = new Uint8Array(index.functions.length);
  const stack: number[] = [];
  for (const id of roots) {
    if (reached[id]) continue;
    reached[id] = 1;
    stack.push(id);
  }
  const reach = (to: number) => {
    if (reached[to]) return;
    reached[to] = 1;
    stack.push(to);
  };
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const edge of index.outgoing[id]) reach(edge.to);
    for (const dispatch of index.dispatchesOf(id)) dispatch.to.forEach(reach);
  }
  return reached;
}

/** Decorators that make a generator function a context manager, whose body a `with` runs. */
const CONTEXT_MANAGER_DECORATORS = new Set(['contextlib.contextmanager', 'contextlib.asynccontextmanager']);

/** Calls that iterate a generator passed to them. */
const CONSUMERS = /^(list|tuple|set|frozenset|dict|sum|sorted|min|max|any|all|next|enumerate|zip)$|\.(join|extend|writelines|update)$/;

/** Which calls run their callee's body, per project index: the same under every work model, so worked out once. */
const RUNNING = new WeakMap<ProjectIndex, Running>();

interface Running {
  /** By caller: its calls that run the callee here (see `counts`). */
  edges: (Edge[] | undefined)[];
  /** `counts` of calls into generator functions, the only costly ones to decide. */
  counts: Map<Edge, boolean>;
  /** The strongly connected components of those calls, callees first: their members in `order`, each ending at its `ends` entry. */
  components?: { order: Int32Array; ends: Int32Array };
}

/** Keeps the largest contribution per labelled kind (unknown work has none: see ownUnknown); made only when it is the largest so far. */
function offer(best: (Best | undefined)[], id: number, kind: CostKind, cost: number, dataSized: boolean, own?: OwnEvidence, edge?: Edge): void {
  if (kind === 'unknown') return;
  const slot = 3 * id + SLOT[kind];
  const current = best[slot];
  if (!current || cost > current.cost) best[slot] = new Best(cost, dataSized, own, own ? undefined : edge);
}

/** The largest contribution of a kind to a function's work, if any. */
function top(best: readonly (Best | undefined)[], id: number, kind: CostKind): Best | undefined {
  return kind === 'unknown' ? undefined : best[3 * id + SLOT[kind]];
}

/** One kind of a function's work in a per-function number array (four slots per function). */
function amount(values: Float64Array, id: number, kind: CostKind): number {
  return values[4 * id + SLOT[kind]];
}

/** A function's four costs from a per-function number array. */
function costsAt(values: Float64Array, id: number): Costs {
  const i = 4 * id;
  return { 'cpu-gil': values[i], 'releases-gil': values[i + 1], io: values[i + 2], unknown: values[i + 3] };
}

function setCosts(values: Float64Array, id: number, costs: Costs): void {
  for (const kind of COST_KINDS) values[4 * id + SLOT[kind]] = costs[kind];
}

/** An estimate, rounded to two significant digits and readable: about 12,000; about 1.3 million; over a trillion. */
export function about(n: number): string {
  const digits = Math.max(0, Math.floor(Math.log10(Math.max(1, n))) - 1);
  const r = Math.round(n / 10 ** digits) * 10 ** digits;
  const scaled = (unit: number) => String(Number((r / unit).toPrecision(2)));
  if (r >= 1e12) return n >= 1e12 ? 'over a trillion' : 'about a trillion';
  if (r >= 1e9) return `about ${scaled(1e9)} billion`;
  if (r >= 1e6) return `about ${scaled(1e6)} million`;
  return `about ${r.toLocaleString('en-US')}`;
}

/**
 * Tarjan's strongly connected components, iteratively (deep call graphs must not overflow the
 * stack). Components come out callees first: every component after the ones it calls. They are
 * two flat arrays (see Running.components), not a list each: on a large tree nearly every
 * function is a component of its own, and a list per function would be garbage as large as the
 * graph's own lists.
 */
export function stronglyConnected(n: number, next: (id: number) => number[]): { order: Int32Array; ends: Int32Array } {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  // Tarjan's stack, and where each function on it sits.
  const stack = new Int32Array(n);
  const at = new Int32Array(n);
  let top = 0;
  // The depth-first walk: each function's successors and how many have been taken.
  const walkId = new Int32Array(n);
  const walkNext = new Int32Array(n);
  const walkSucc: number[][] = [];
  const order = new Int32Array(n);
  const ends = new Int32Array(n);
  let written = 0;
  let components = 0;
  let counter = 0;
  const enter = (id: number, depth: number) => {
    index[id] = low[id] = counter++;
    at[id] = top;
    stack[top++] = id;
    onStack[id] = 1;
    walkId[depth] = id;
    walkNext[depth] = 0;
    walkSucc[depth] = next(id);
  };
  for (let start = 0; start < n; start++) {
    if (index[start] >= 0) continue;
    let depth = 0;
    enter(start, 0);
    while (depth >= 0) {
      const id = walkId[depth];
      const succ = walkSucc[depth];
      if (walkNext[depth] < succ.length) {
        const w = succ[walkNext[depth]++];
        if (index[w] < 0) enter(w, ++depth);
        else if (onStack[w]) low[id] = Math.min(low[id], index[w]);
        continue;
      }
      depth--;
      if (depth >= 0) low[walkId[depth]] = Math.min(low[walkId[depth]], low[id]);
      if (low[id] === index[id]) {
        // The component is the stack from `id` up, in the order its members were reached.
        for (let k = at[id]; k < top; k++) onStack[stack[k]] = 0;
        order.set(stack.subarray(at[id], top), written);
        written += top - at[id];
        ends[components++] = written;
        top = at[id];
      }
    }
  }
  return { order, ends: ends.slice(0, components) };
}

/** The kinds of work a call in an `except` clause brings (see onFailure). */
const IO_ONLY: readonly CostKind[] = ['io'];

/**
 * Made in an `except` clause (and not the work of a memo's miss, which runs once): what runs when
 * the work it guards fails is no part of the function's work per call, as making an exception is
 * not. Its waiting alone still counts: a handler that sleeps before a retry, reconnects or falls
 * back to another server handles a failure of I/O, and stands for the guarded call's wait where
 * that call goes through what the engine cannot follow (a request director's handlers, a backend
 * chosen by configuration). Judged on 24 functions of 14 projects, dropping those waits too lost
 * the right label of network-bound extractors and result backends.
 */
function onFailure(made: { onError?: true; once?: true }): boolean {
  return made.onError === true && made.once !== true;
}
