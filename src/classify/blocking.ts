/**
 * Which functions may block the event loop, directly or through the calls they make.
 *
 * Stage: classify. Input: the ProjectIndex and the API catalogue; output, per function, its
 * direct blocking calls and, per kind of blocking (sleep, http, file, ...), the shortest chain of
 * project calls that reaches one. Propagation is a breadth-first search backwards from the
 * functions that block directly, so it terminates on recursion and cycles and every chain it
 * keeps is a shortest one. Only sync functions carry the effect up: calling an `async def`
 * merely creates a coroutine, and a function passed as an argument (to `asyncio.to_thread`,
 * `run_in_executor`, a callback) is not called by the caller, so no edge exists for it; a
 * function decorated to run in a worker thread (`@sync_to_async`, a project wrapper) does not
 * block its callers either, nor does a function that runs once per process (a `functools.cache`d
 * function without parameters, one that lazily initialises module state it declares `global`),
 * nor a call that does (made under a cache's guard: `if self._x is None: self._x = load()`, or
 * after its early return: `if self._x is not None: return self._x`), nor a call made after the
 * function asks whether an event loop runs (`asyncio._get_running_loop()`, a project helper named
 * `get_running_loop`): code that works with and without a loop takes its non-blocking way when one
 * runs (`loop = get_running_loop(); if loop: ...; return` before starting a thread and waiting).
 * A caller does not reach a blocking call made in a branch of a test of a parameter that its
 * argument (or the parameter's default) decides against: `File(io.BytesIO(data))` and
 * `else: open(fp)`, `Worker(addr)` and `if scheduler_file: read(scheduler_file)` (type-tests.ts);
 * it reaches the shortest other way the callee blocks that does run, if any, every call down the
 * way decided by what the calls above pass on (BlockingAnalysis.way).
 * The project's configured `blocking-apis` are direct blocking calls of their own kind
 * (`configured`), matched on the API's name or the callee as written.
 */
import { sameCall } from '../facts/call-table.js';
import type { CallFact, FunctionFact, ModuleFacts } from '../facts/types.js';
import type { Confidence } from '../model/types.js';
import type { Edge, ProjectIndex } from '../graph/index.js';
import { decoratorName } from '../graph/lifetime.js';
import { boundedQueueNames, exempt, type Catalogue, type CatalogueEntry, type Match } from './catalogue.js';
import { runsWhenCalled, type CallsAbove } from './type-tests.js';
import type { UserApis } from './user-apis.js';

/** Options: functions whose calls run in a worker thread, and the project's own blocking APIs. */
export interface BlockingOptions {
  offloaded?: boolean[];
  user?: UserApis;
}

/** A call of a blocking API made in a function's own body. */
export interface BlockingCall {
  fn: number;
  call: CallFact;
  /** The API's canonical name (`requests.Session().get`). */
  api: string;
  match: Match;
  confidence: Confidence;
}

/** One way down from a call into a sync function to a blocking API: the project calls taken, then the API's call. */
export interface Way {
  steps: Edge[];
  terminal: BlockingCall;
}

/** How a sync function comes to block with one kind of API. */
export interface BlockingEffect {
  kind: string;
  /** Project calls from this function down to the one that calls the API (0: it calls it itself). */
  hops: number;
  /** The first call on the way, when hops > 0. */
  next?: Edge;
  terminal: BlockingCall;
}

const NO_EFFECTS: ReadonlyMap<string, BlockingEffect> = new Map();
const NO_CALLS: BlockingCall[] = Object.freeze([]) as unknown as BlockingCall[];
/** Most callees one search for a way that runs tries (see BlockingAnalysis.way). */
const SEARCH_BUDGET = 64;

/** A way down as a search builds it: the first call and the rest of the way, or neither when the function itself blocks. */
interface Path {
  next?: Edge;
  rest?: Path;
  hops: number;
  terminal: BlockingCall;
}

/**
 * Whether a call asks if an event loop runs here, with an answer of None when none does:
 * `asyncio._get_running_loop()`, or a project helper named `get_running_loop` (which wraps
 * asyncio's in a `try`). asyncio's own `get_running_loop()` raises instead, and is mostly called
 * to get the loop and use it, so it is no such check.
 */
function asksForLoop(call: CallFact): boolean {
  // Every call of the project is asked: most fail this first, cheapest test.
  if (!call.callee.endsWith('get_running_loop')) return false;
  if (/(?:^|\.)_get_running_loop$/.test(call.callee)) return true;
  return /(?:^|\.)get_running_loop$/.test(call.callee) && call.target !== '' && !/^asyncio\.(?:events\.)?get_running_loop$/.test(call.target);
}

export class BlockingAnalysis {
  /** Direct blocking calls, per function id, in source order. */
  readonly direct: BlockingCall[][];
  /** Effects per function id (sync functions only), keyed by kind; the many functions without any share one empty map. */
  readonly effects: ReadonlyMap<string, BlockingEffect>[];

  /** Calls matched by the project's configured `blocking-apis`, by function (GA110 leaves them to their own rule). */
  private readonly configuredCalls = new Map<number, CallFact[]>();
  private readonly offloaded: boolean[];
  /** By function: the line of its first running-loop check (see asksForLoop) in a sync function, or 0. */
  private readonly loopCheck: Int32Array;

  constructor(readonly index: ProjectIndex, catalogue: Catalogue, options: BlockingOptions = {}) {
    this.direct = index.functions.map(() => []);
    this.loopCheck = new Int32Array(index.functions.length);
    for (const node of index.functions) {
      if (node.fact.isAsync) continue;
      for (const call of node.fact.calls) {
        if (asksForLoop(call) && (this.loopCheck[node.id] === 0 || call.line < this.loopCheck[node.id])) this.loopCheck[node.id] = call.line;
      }
    }
    this.effects = new Array(index.functions.length).fill(NO_EFFECTS);
    this.offloaded = options.offloaded ?? [];
    const configured = (options.user?.blocking ?? []).map((api) => ({ api, match: { entry: configuredEntry(api.pattern, api.suggestion), pattern: api.pattern } }));
    const boundedQueues = boundedQueueNames(index.modules);
    for (const node of index.functions) {
      const imported = moduleImports(node.module);
      index.eachTarget(node.id, (target, i) => {
        const call = node.fact.calls.at(i)!;
        const match = target.kind === 'external' ? catalogue.match(target.name, 'blocking-io') : undefined;
        if (match && target.kind === 'external') {
          // An awaited call returns an awaitable, so it is not the sync API of that name.
          if (call.awaited || exempt(match.entry, call, { imported, boundedQueues }, node.module, node.fact)) return;
          const confidence: Confidence = call.resolution === 'unbound' ? 'low' : match.entry.confidence ?? 'high';
          this.direct[node.id].push({ fn: node.id, call, api: target.name, match, confidence });
          return;
        }
        if (configured.length === 0) return;
        // The API's canonical name, the project function's qualified name (and the name the
        // report shows for it, under a `src/` layout), the name as resolved in its module
        // (`pkg.Bus().transfer` for a project method) and the callee as written.
        const fqn = target.kind === 'function' ? index.functions[target.id].fqn : '';
        const names = [target.kind === 'external' ? target.name : fqn, fqn && index.importName(fqn), call.target, call.callee].filter(Boolean);
        const user = configured.find((c) => names.some((n) => c.api.regex.test(n)));
        if (!user) return;
        // Configured APIs are the configuration's to report, awaited or not (GA110 leaves them alone).
        const calls = this.configuredCalls.get(node.id);
        if (calls) calls.push(call);
        else this.configuredCalls.set(node.id, [call]);
        if (call.awaited) return;
        this.direct[node.id].push({ fn: node.id, call, api: user.api.pattern, match: user.match, confidence: 'high' });
      });
    }
    // Nearly every function makes no blocking call: those share one empty list.
    for (let id = 0; id < this.direct.length; id++) if (this.direct[id].length === 0) this.direct[id] = NO_CALLS;
    this.propagate();
  }

  /** Whether function `id`'s `call` is one of the project's configured blocking APIs. */
  isConfigured(id: number, call: CallFact): boolean {
    return this.configuredCalls.get(id)?.some((c) => sameCall(c, call)) ?? false;
  }

  private setEffect(id: number, effect: BlockingEffect): void {
    let map = this.effects[id];
    if (map === NO_EFFECTS) this.effects[id] = map = new Map();
    (map as Map<string, BlockingEffect>).set(effect.kind, effect);
  }

  private propagate(): void {
    const { functions, callers } = this.index;
    const memoizing = this.index.caches.memoizing;
    const kinds = new Set<string>();
    for (const calls of this.direct) for (const c of calls) kinds.add(c.match.entry.kind);
    for (const kind of [...kinds].sort()) {
      const queue: number[] = [];
      for (const node of functions) {
        if (node.fact.isAsync || functionRunsOnce(node.fact, memoizing)) continue;
        const terminal = this.direct[node.id].find((c) => c.match.entry.kind === kind && !this.index.runsOnce(node.id, c.call) && !this.afterLoopCheck(node.id, c.call));
        if (!terminal) continue;
        this.setEffect(node.id, { kind, hops: 0, terminal });
        queue.push(node.id);
      }
      for (let head = 0; head < queue.length; head++) {
        const id = queue[head];
        const effect = this.effects[id].get(kind)!;
        // Calling a function decorated to run in a worker thread does not block the caller.
        if (this.offloaded[id]) continue;
        for (const edge of callers[id]) {
          if (this.index.runsOnce(edge.from, edge.call) || this.afterLoopCheck(edge.from, edge.call) || !this.search(edge, kind, undefined, { left: SEARCH_BUDGET })) continue;
          const caller = functions[edge.from];
          if (caller.fact.isAsync || caller.fact.kind === 'module' || functionRunsOnce(caller.fact, memoizing)) continue;
          if (this.effects[edge.from].has(kind)) continue;
          this.setEffect(edge.from, { kind, hops: effect.hops + 1, next: edge, terminal: effect.terminal });
          queue.push(edge.from);
        }
      }
    }
  }

  /**
   * The way the callee of `edge` blocks with `kind` when called as `edge` calls it: its own
   * shortest way, unless a call on it is in a branch of a test of a parameter that the arguments
   * decide against (see type-tests.ts); then the shortest other way that runs (`if rows is None:
   * q.all()` / `else: q.limit(rows).all()`); undefined when none does. Every call down the way is
   * decided by what the calls above it pass: a parameter passed on unchanged keeps the value the
   * first caller gave it (`Page('')` leaves `favicon` None, and three calls down `if not path:
   * return` stops before the `stat`). The search tries at most SEARCH_BUDGET callees; past that,
   * a callee's own shortest way is taken as it is.
   */
  way(edge: Edge, kind: string): Way | undefined {
    const path = this.search(edge, kind, undefined, { left: SEARCH_BUDGET });
    if (!path) return undefined;
    const steps: Edge[] = [];
    for (let p: Path | undefined = path; p?.next; p = p.rest) steps.push(p.next);
    return { steps, terminal: path.terminal };
  }

  /** The way down from the callee of `edge` as a list each level extends without copying (see `way`). */
  private search(edge: Edge, kind: string, above: CallsAbove | undefined, budget: { left: number }): Path | undefined {
    const id = edge.to;
    const stored = this.effects[id].get(kind);
    if (!stored) return undefined;
    if (--budget.left < 0) return this.storedPath(id, kind);
    const runs = (call: CallFact) => runsWhenCalled(this.index, edge, call, above);
    const below: CallsAbove = { edge, up: above };
    const through = (next: Edge): Path | undefined => {
      const rest = this.search(next, kind, below, budget);
      return rest && { next, rest, hops: rest.hops + 1, terminal: rest.terminal };
    };
    if (runs(stored.next ? stored.next.call : stored.terminal.call)) {
      const own = stored.next ? through(stored.next) : { hops: 0, terminal: stored.terminal };
      if (own) return own;
    }
    const usable = (call: CallFact) => !this.index.runsOnce(id, call) && !this.afterLoopCheck(id, call) && runs(call);
    const terminal = this.direct[id].find((c) => c.match.entry.kind === kind && usable(c.call));
    if (terminal) return { hops: 0, terminal };
    let best: Path | undefined;
    for (const next of this.index.outgoing[id]) {
      const further = this.effects[next.to].get(kind);
      if (!further || this.offloaded[next.to] || (best && further.hops + 1 >= best.hops) || !usable(next.call)) continue;
      const found = through(next);
      if (found && (!best || found.hops < best.hops)) best = found;
    }
    return best;
  }

  /** The function's own shortest way to block with `kind`, as propagation found it. */
  private storedPath(id: number, kind: string): Path {
    const effect = this.effects[id].get(kind)!;
    return effect.next ? { next: effect.next, rest: this.storedPath(effect.next.to, kind), hops: effect.hops, terminal: effect.terminal } : { hops: 0, terminal: effect.terminal };
  }

  /** Whether a call comes after its function asked whether an event loop runs (so it is the way taken without one). */
  private afterLoopCheck(id: number, call: CallFact): boolean {
    const line = this.loopCheck[id];
    return line > 0 && call.line > line;
  }

  /**
   * The chain from a call `edge` (made by a coroutine) down to the blocking API along `way` (what
   * `way(edge, kind)` found), one step per function: the function, and the file and line of the
   * call it makes.
   */
  chainOf(edge: Edge, way: Way): { function: string; file: string; line: number }[] {
    const { functions } = this.index;
    const steps = [{ function: functions[edge.from].fqn, file: functions[edge.from].module.path, line: edge.call.line }];
    let node = functions[edge.to];
    for (const step of way.steps) {
      steps.push({ function: node.fqn, file: node.module.path, line: step.call.line });
      node = functions[step.to];
    }
    steps.push({ function: node.fqn, file: node.module.path, line: way.terminal.call.line });
    steps.push({ function: way.terminal.api, file: '', line: 0 });
    return steps;
  }
}

/**
 * A function whose blocking body runs once per process, normally at start-up: behind a memoizing
 * cache (`@functools.cache`, `@lru_cache`) without parameters, or one that initialises module
 * state it declares `global`. An expiring cache (a TTL) runs its body again when the entry expires.
 */
function functionRunsOnce(fact: FunctionFact, memoizing: ReadonlySet<string>): boolean {
  if (fact.kind !== 'def') return false;
  if (fact.initOnce) return true;
  return fact.params.length === 0 && fact.decorators.some((d) => memoizing.has(decoratorName(d)));
}

/** The catalogue entry standing for one configured blocking API. */
function configuredEntry(pattern: string, suggestion?: string): CatalogueEntry {
  return {
    kind: 'configured', effect: 'blocking-io', calls: [pattern], label: pattern, equivalents: ['ASYNC200'],
    ...(suggestion ? { alternative: { asyncio: suggestion } } : {}), source: 'configuration (blocking-apis)',
  };
}

const importsMemo = new WeakMap<ModuleFacts, Set<string>>();

/** Modules a module imports at its top level, with their parent packages (`a.b` gives `a.b` and `a`). */
function moduleImports(module: ModuleFacts): Set<string> {
  let names = importsMemo.get(module);
  if (!names) {
    names = new Set();
    for (const imp of module.imports) {
      if (imp.scope !== 0) continue;
      const parts = imp.target.split('.');
      for (let i = 1; i <= parts.length; i++) names.add(parts.slice(0, i).join('.'));
    }
    importsMemo.set(module, names);
  }
  return names;
}
