/**
 * How each function uses the CPU and the GIL: cpu-gil, releases-gil, io, mixed or unknown.
 *
 * Stage: classify. Input: the ProjectIndex and the API catalogue; output, per function, its own
 * evidence (loops and what they do, catalogue calls, recursion) and evidence inherited from its
 * callees with the shortest chain, then a label and a confidence. The facts behind the lists are
 * in shared/FREE-THREADING.md §4: pure-Python loops, `re`, `json`, `pickle` hold the GIL; NumPy,
 * hashlib, zlib/bz2/lzma and I/O release it. A loop that awaits or waits on I/O is not CPU work.
 */
import type { LoopFact } from '../facts/types.js';
import type { ChainStep, Classification, Confidence, Evidence } from '../model/types.js';
import type { Edge, FunctionNode, ProjectIndex } from '../graph/index.js';
import { exempt, type Catalogue } from './catalogue.js';

type Kind = 'cpu-gil' | 'releases-gil' | 'io';
const KINDS: Kind[] = ['cpu-gil', 'releases-gil', 'io'];

/** One piece of a function's own evidence. */
export interface OwnEvidence {
  kind: Kind;
  reason: string;
  line: number;
  column: number;
  /** Strong evidence decides on its own; weak evidence only tips a label. */
  strong: boolean;
  /** For a heavy loop: its index in the function's `loops`. */
  loop?: number;
  /** For a heavy loop: the GIL-holding API it calls on every pass, if any. */
  api?: string;
  /** For a heavy loop: operations and calls per pass, nested loops included; a large `range` bound counts as much work. */
  work?: number;
  /**
   * A loop doing arithmetic below the "heavy" thresholds (`total += i * i`): enough to label a
   * function that does nothing else CPU-bound, too little to warn about on its own.
   */
  light?: boolean;
}

interface Inherited {
  hops: number;
  next: Edge;
  /** The function whose own evidence this is. */
  source: number;
}

/** Thresholds for "CPU-heavy" (operations counted in a loop body, nested loops included). */
const HEAVY_WORK = 5;
const NESTED_WORK = 3;
const LARGE_RANGE = 10_000;
/** How many calls away inherited CPU evidence still labels a function (see `near`). */
const NEAR_CPU_HOPS = 3;
/** At most this many of a callee's operations count towards the work of a loop that calls it. */
const CALLEE_WORK_CAP = 20;
/** Work per pass of nested loops that makes a helper worth reporting from a coroutine (GA111). */
const HEAVY_HELPER_WORK = 10;
/** Arithmetic operations (including `+=`) that make a lighter loop CPU work for labelling. */
const LIGHT_ARITHMETIC = 2;
/** Operations a recursive function must do to count as CPU work (`fib` does 4). */
const RECURSIVE_WORK = 4;

export class WorkloadAnalysis {
  readonly own: OwnEvidence[][];
  readonly inherited: Map<Kind, Inherited>[];
  readonly labels: Classification[];
  readonly confidence: Confidence[];

  constructor(readonly index: ProjectIndex, private readonly catalogue: Catalogue) {
    this.own = index.functions.map((node) => this.ownEvidence(node));
    this.inherited = index.functions.map(() => new Map());
    this.propagate();
    this.labels = [];
    this.confidence = [];
    for (const node of index.functions) {
      const [label, confidence] = this.decide(node.id);
      this.labels.push(label);
      this.confidence.push(confidence);
    }
  }

  has(id: number, kind: Kind): boolean {
    return this.own[id].some((e) => e.kind === kind) || this.inherited[id].has(kind);
  }

  /**
   * Evidence strong enough to blame a helper for stalling a coroutine: the chain's source does
   * much work per pass in nested loops (or over a large range), or calls a GIL-holding API in
   * nested loops. Bookkeeping loops over a few items are too common to report through calls.
   */
  heavyHelper(id: number): boolean {
    return this.cpuEvidenceAtSource(id, (e) => e.strong && ((e.work ?? 0) >= HEAVY_HELPER_WORK || e.api !== undefined));
  }

  /** CPU evidence that decides on its own: nested loops, large ranges, GIL-holding APIs in loops, own or at the source of the inherited chain. */
  strongCpu(id: number): boolean {
    return this.cpuEvidenceAtSource(id, (e) => e.strong);
  }

  /** Whether CPU evidence passing `test` is the function's own, or at the source of its inherited CPU chain. */
  private cpuEvidenceAtSource(id: number, test: (e: OwnEvidence) => boolean): boolean {
    const has = (f: number) => this.own[f].some((e) => e.kind === 'cpu-gil' && test(e));
    if (has(id)) return true;
    const inherited = this.inherited[id].get('cpu-gil');
    return inherited !== undefined && has(inherited.source);
  }

  /**
   * Enough CPU evidence to say a thread target is CPU-bound: strong evidence (own or at the end
   * of the chain), or a busy loop in the function itself. Weak evidence deep in a callee (one
   * busy loop three calls down) is not enough.
   */
  cpuBound(id: number): boolean {
    return this.labels[id] === 'cpu-gil' && (this.strongCpu(id) || this.own[id].some((e) => e.kind === 'cpu-gil' && e.loop !== undefined));
  }

  /** The outermost CPU-heavy loops written in the function itself (light ones excluded). */
  heavyLoops(id: number): OwnEvidence[] {
    return this.own[id].filter((e) => e.kind === 'cpu-gil' && e.loop !== undefined && !e.light);
  }

  /** CPU evidence above the light level, own or at the source of the chain: enough to warn about work in a request. */
  heavyCpu(id: number): boolean {
    return this.cpuEvidenceAtSource(id, (e) => !e.light);
  }

  /** The first reason for `kind`, own or inherited (for messages). */
  reason(id: number, kind: Kind): string {
    const own = this.own[id].find((e) => e.kind === kind && e.strong) ?? this.own[id].find((e) => e.kind === kind);
    if (own) return own.reason;
    const inherited = this.inherited[id].get(kind);
    if (!inherited) return '';
    const source = this.index.functions[inherited.source];
    return `${this.reason(inherited.source, kind)} in \`${source.fact.qualname}\``;
  }

  /** Chain from a call (`edge`) down to the function whose own `kind` evidence it reaches. */
  chainFrom(edge: Edge, kind: Kind): ChainStep[] {
    const { functions } = this.index;
    const steps: ChainStep[] = [{ function: functions[edge.from].fqn, file: functions[edge.from].module.path, line: edge.call.span.line }];
    let id = edge.to;
    for (let guard = 0; guard < 1000; guard++) {
      const node = functions[id];
      const own = this.own[id].find((e) => e.kind === kind && e.strong) ?? this.own[id].find((e) => e.kind === kind);
      if (own) {
        steps.push({ function: node.fqn, file: node.module.path, line: own.line });
        break;
      }
      const next = this.inherited[id].get(kind);
      if (!next) break;
      steps.push({ function: node.fqn, file: node.module.path, line: next.next.call.span.line });
      id = next.next.to;
    }
    return steps;
  }

  /** Own then inherited evidence, at most `limit` items, for reports. */
  evidence(id: number, limit = 6): Evidence[] {
    const node = this.index.functions[id];
    const out: Evidence[] = [];
    const own = [...this.own[id]].sort((a, b) => Number(b.strong) - Number(a.strong) || a.line - b.line);
    for (const e of own) out.push({ kind: e.kind, reason: e.reason, file: node.module.path, line: e.line });
    for (const kind of KINDS) {
      const inherited = this.inherited[id].get(kind);
      if (!inherited || this.own[id].some((e) => e.kind === kind)) continue;
      out.push({
        kind, reason: this.reason(id, kind), file: node.module.path, line: inherited.next.call.span.line,
        chain: this.chainFrom(inherited.next, kind),
      });
    }
    return out.slice(0, limit);
  }

  private ownEvidence(node: FunctionNode): OwnEvidence[] {
    const fact = node.fact;
    const out: OwnEvidence[] = [];
    if (fact.kind === 'module') return out;
    const targets = this.index.targets[node.id];
    // What each call is, by the catalogue.
    const callKind: (Kind | 'cpu-weak' | undefined)[] = fact.calls.map((call, i) => {
      const target = targets[i];
      if (target.kind !== 'external') return undefined;
      const match = this.catalogue.match(target.name, 'blocking-io', 'releases-gil', 'cpu-gil');
      if (!match) return undefined;
      const entry = match.entry;
      if (entry.effect === 'blocking-io') return exempt(entry, call) ? undefined : 'io';
      if (entry.effect === 'releases-gil') return 'releases-gil';
      if (entry.effect === 'cpu-gil') return entry.inLoop && call.loop === undefined ? undefined : entry.confidence === 'low' ? 'cpu-weak' : 'cpu-gil';
      return undefined;
    });
    fact.calls.forEach((call, i) => {
      const kind = callKind[i];
      const target = targets[i];
      const name = target.kind === 'external' ? target.name : call.callee;
      if (kind === 'io') out.push({ kind, reason: `\`${name}\` waits on I/O`, line: call.span.line, column: call.span.column, strong: true });
      else if (kind === 'releases-gil') out.push({ kind, reason: `\`${name}\` runs native code that releases the GIL`, line: call.span.line, column: call.span.column, strong: true });
      else if (kind === 'cpu-gil' && call.loop === undefined) out.push({ kind, reason: `\`${name}\` does CPU work holding the GIL`, line: call.span.line, column: call.span.column, strong: false });
      else if (call.awaited && fact.isAsync && target.kind !== 'function' && !kind) {
        out.push({ kind: 'io', reason: `awaits \`${call.callee}\``, line: call.span.line, column: call.span.column, strong: false });
      }
    });
    // Loops: the outermost CPU-heavy ones.
    const loops = fact.loops;
    const covered = new Set<number>();
    loops.forEach((loop, j) => {
      if (covered.has(j)) return;
      const members = [j, ...loops.map((l, k) => (k !== j && l.depth > loop.depth && l.line >= loop.line && l.endLine <= loop.endLine ? k : -1)).filter((k) => k >= 0)];
      const memberSet = new Set(members);
      // Operations, and calls (each one is interpreted Python work too: `out.append(f(a, b))`).
      const work = members.reduce((n, k) => n + loops[k].arithmetic + loops[k].subscripts + loops[k].augmented + loops[k].comparisons + loops[k].calls, 0);
      const awaits = members.some((k) => loops[k].awaits > 0);
      let io = false;
      let cpuApi = '';
      let calleeWork = 0;
      fact.calls.forEach((call, i) => {
        if (call.loop === undefined || !memberSet.has(call.loop)) return;
        // A project function called on every pass adds its own operations to the pass.
        const target = targets[i];
        if (target.kind === 'function' && target.id !== node.id) calleeWork += Math.min(this.index.functions[target.id].fact.ops, CALLEE_WORK_CAP);
        if (callKind[i] === 'io' || callKind[i] === 'releases-gil') io = true;
        else if (callKind[i] === 'cpu-gil' && !cpuApi) cpuApi = (targets[i] as { name: string }).name;
        else if (call.awaited) io = true;
      });
      if (awaits || io) return;
      const nested = members.length > 1;
      const range = Math.max(...members.map((k) => loops[k].rangeBound ?? 0));
      const reason = heavyReason(loop, nested, work, range, cpuApi);
      if (!reason) {
        const arithmetic = members.reduce((n, k) => n + loops[k].arithmetic + loops[k].augmented, 0);
        if (arithmetic >= LIGHT_ARITHMETIC) {
          for (const k of members) covered.add(k);
          const what = loop.kind === 'comprehension' ? 'a comprehension' : `a \`${loop.kind}\` loop`;
          out.push({ kind: 'cpu-gil', reason: `${what} doing arithmetic`, line: loop.line, column: loop.column, strong: false, loop: j, light: true });
        }
        return;
      }
      for (const k of members) covered.add(k);
      out.push({
        kind: 'cpu-gil', reason, line: loop.line, column: loop.column, strong: nested || range >= LARGE_RANGE, loop: j,
        work: range >= LARGE_RANGE ? Math.max(work + calleeWork, HEAVY_HELPER_WORK) : work + calleeWork, ...(cpuApi ? { api: cpuApi } : {}),
      });
    });
    // Recursion doing arithmetic.
    if (fact.ops >= RECURSIVE_WORK && this.index.outgoing[node.id].some((e) => e.to === node.id)) {
      const edge = this.index.outgoing[node.id].find((e) => e.to === node.id)!;
      out.push({ kind: 'cpu-gil', reason: 'recursive, with arithmetic', line: edge.call.span.line, column: edge.call.span.column, strong: false });
    }
    return out;
  }

  private propagate(): void {
    const { functions, callers } = this.index;
    for (const kind of KINDS) {
      const queue: number[] = [];
      for (const node of functions) if (this.own[node.id].some((e) => e.kind === kind)) queue.push(node.id);
      const reached = new Set(queue);
      for (let head = 0; head < queue.length; head++) {
        const id = queue[head];
        const hops = this.inherited[id].get(kind)?.hops ?? 0;
        const source = this.inherited[id].get(kind)?.source ?? id;
        for (const edge of callers[id]) {
          if (reached.has(edge.from) || functions[edge.from].fact.kind === 'module') continue;
          reached.add(edge.from);
          if (!this.own[edge.from].some((e) => e.kind === kind)) this.inherited[edge.from].set(kind, { hops: hops + 1, next: edge, source });
          queue.push(edge.from);
        }
      }
    }
  }

  /**
   * Whether `kind` evidence is near enough to label the function: its own, or inherited within a
   * few calls. CPU work deep in a callee (a regex compiled on first use, a helper three calls
   * down) says little about the caller, so inherited CPU evidence counts for three hops when it
   * is strong at its source and for two when it is weak. I/O anywhere below is waited for, so
   * I/O and GIL-releasing evidence count at any depth.
   */
  private near(id: number, kind: Kind): boolean {
    if (this.own[id].some((e) => e.kind === kind)) return true;
    const inherited = this.inherited[id].get(kind);
    if (!inherited) return false;
    if (kind !== 'cpu-gil') return true;
    const source = this.own[inherited.source].filter((e) => e.kind === 'cpu-gil');
    if (source.some((e) => e.strong)) return inherited.hops <= NEAR_CPU_HOPS;
    if (source.every((e) => e.light)) return inherited.hops <= 1;
    return inherited.hops <= NEAR_CPU_HOPS - 1;
  }

  private decide(id: number): [Classification, Confidence] {
    const own = this.own[id];
    const cpuStrong = own.some((e) => e.kind === 'cpu-gil' && e.strong);
    const cpu = this.near(id, 'cpu-gil');
    const io = this.near(id, 'io');
    const releases = this.near(id, 'releases-gil');
    const ioOwnStrong = own.some((e) => e.kind === 'io' && e.strong);
    if (cpu && (io || releases)) return ['mixed', 'low'];
    if (cpu) {
      if (cpuStrong) return ['cpu-gil', 'medium'];
      const inherited = this.inherited[id].get('cpu-gil');
      return ['cpu-gil', own.some((e) => e.kind === 'cpu-gil') || (inherited && inherited.hops <= 1) ? 'medium' : 'low'];
    }
    if (io) return ['io', ioOwnStrong ? 'high' : 'medium'];
    if (releases) return ['releases-gil', own.some((e) => e.kind === 'releases-gil') ? 'high' : 'medium'];
    return ['unknown', 'low'];
  }
}

function heavyReason(loop: LoopFact, nested: boolean, work: number, range: number, cpuApi: string): string {
  const what = loop.kind === 'comprehension' ? 'comprehension' : `\`${loop.kind}\` loop`;
  if (cpuApi) return `calls \`${cpuApi}\` in a ${loop.kind === 'comprehension' ? 'comprehension' : 'loop'}`;
  if (nested && work >= NESTED_WORK) return `nested loops doing ${work} Python operations and calls per pass`;
  if (range >= LARGE_RANGE && work >= 1) return `${what} over \`range(${range})\` doing arithmetic`;
  if (work >= HEAVY_WORK) return `${what} doing ${work} Python operations and calls per pass`;
  return '';
}
