/**
 * Python state the GIL used to protect, in code that threads run: which functions threads reach
 * (with the chain from the thread's entry point), and the unlocked writes there to shared
 * containers, module globals, class attributes and process-wide state.
 *
 * Stage: classify. Input: the ProjectIndex (with each module's shared-state facts), the entry
 * points and the catalogue; output: one ThreadStateIssue per function, target and kind. The checks
 * are those of shared/FREE-THREADING.md §6.4: P02 check-then-act, P03 read-modify-write, P04 lazy
 * initialisation, P01/P05 containers mutated without a lock, P06 iteration over a container that
 * threads change, P07 one iterator consumed by several threads, P10–P14 process-wide state (P11:
 * `decimal.DefaultContext`), P15 context variables read on threads that 3.14t starts with the
 * starter's context. Threads are `threading.Thread` targets, thread pools, `asyncio.to_thread` /
 * `run_in_executor(None, …)`, and, at lower confidence, sync request handlers (WSGI and FastAPI's
 * thread pool run them on threads).
 */
import type { ModuleFacts, StateWrite } from '../facts/types.js';
import type { ChainStep, Confidence, EntryPoint } from '../model/types.js';
import { THREAD_ENTRY_KINDS } from '../model/types.js';
import type { FunctionNode, ProjectIndex } from '../graph/index.js';
import type { Catalogue } from './catalogue.js';
import type { EntryPoints } from './entry-points.js';

export type ThreadStateKind =
  | 'check-then-act' | 'read-modify-write' | 'lazy-init' | 'unlocked-mutation' | 'process-state'
  | 'iterated-while-mutated' | 'shared-iterator' | 'context-inherited';

export interface ThreadStateIssue {
  kind: ThreadStateKind;
  fn: FunctionNode;
  /** What is shared: `CACHE` (module dict), `Registry.items` (class list), `os.environ`, `os.chdir`. */
  target: string;
  /** `module-level dict`, `class-level list`, `module global`, `class attribute`, or a catalogue label. */
  what: string;
  line: number;
  column: number;
  endColumn: number;
  /** The operation, as a short phrase: `sets an item`, `calls .append`, `+=`. */
  operation: string;
  /** How threads reach the function: the entry point, then each call down to it. */
  entry: EntryPoint;
  chain: ChainStep[];
  confidence: Confidence;
  /** Found in a library's public API rather than under a thread the code starts (see SharedStateAnalysis.library). */
  library?: true;
}

const THREADS = THREAD_ENTRY_KINDS;
/**
 * Threads that start with their starter's context on free-threaded 3.14 (`thread_inherit_context`)
 * and with an empty one before: `asyncio.to_thread` copies the context on every build, and a
 * server's request threads are started by the server, not by the code that sets the variables.
 */
const CONTEXT_INHERITING = new Set<EntryPoint['kind']>(['thread', 'thread-pool']);
/** Method writes that read before they write: racy between the check and the act without a lock. */
const CHECKED_METHODS = new Set(['pop', 'remove', 'popitem', 'popleft', 'discard']);
/** List methods that only add items at the end: a loop over the list is not disturbed by them. */
const GROWS_AT_END = new Set(['append', 'extend']);

interface Reach {
  entry: EntryPoint;
  /** Previous function on the way from the entry (-1 at the entry). */
  from: number;
  /** The call line in `from` that leads here. */
  line: number;
  confidence: Confidence;
  /** Reached from the public API of a library (see `library`), not from a thread it starts. */
  library?: true;
}

export class SharedStateAnalysis {
  readonly issues: ThreadStateIssue[] = [];
  /**
   * The code is a library: it starts no threads of its own and has no request handlers or task
   * workers, so its users' threads are the ones that will run it. Then every public function
   * (and what it calls) is checked, at low confidence, and the issues say `library`.
   */
  library = false;
  private readonly reach = new Map<number, Reach>();
  private readonly held = new Map<number, boolean>();
  private heldSteps = 0;

  constructor(private readonly index: ProjectIndex, entries: EntryPoints, private readonly catalogue: Catalogue) {
    this.findThreadReach(entries);
    if (this.reach.size === 0) return;
    for (const module of index.modules) {
      if (module.sharedState) this.moduleIssues(module.sharedState.writes, module.path);
    }
    this.iterations();
    this.sharedIterators();
    this.processStateCalls();
    this.issues.sort((a, b) => (a.fn.module.path < b.fn.module.path ? -1 : a.fn.module.path > b.fn.module.path ? 1 : a.line - b.line || a.column - b.column));
  }

  /**
   * Breadth-first from every thread entry point along calls; threads first, so their (stronger)
   * reach wins. The program's own `main` (called from the `__main__` block) is not entered: a
   * program that runs it on a thread (to keep a GUI event loop on the main one) has moved its
   * single main thread there, and its start-up is not shared with the workers it starts later.
   */
  private findThreadReach(entries: EntryPoints): void {
    const queue: number[] = [];
    const isMain = (id: number) => entries.byFunction[id].some((e) => e.kind === 'main');
    const seed = (test: (e: EntryPoint, node: FunctionNode) => boolean, confidence: Confidence) => {
      for (const node of this.index.functions) {
        if (this.reach.has(node.id) || isMain(node.id)) continue;
        const entry = entries.byFunction[node.id].find((e) => test(e, node));
        if (!entry) continue;
        this.reach.set(node.id, { entry, from: -1, line: node.fact.span.line, confidence });
        queue.push(node.id);
      }
    };
    if (isLibrary(this.index, entries)) {
      this.library = true;
      // A public decorator runs where it decorates: at import, on one thread.
      const decorators = new Set(this.index.functions.flatMap((f) => f.fact.decorators.map((d) => d.replace(/\(\)$/, ''))));
      const isDecorator = (node: FunctionNode) => [...decorators].some((d) => d === node.fqn || node.fqn.endsWith(`.${d}`));
      // A public function the library calls from a module's body (`register_open(...)` at the end
      // of each plugin) is a registration API: the library's own uses run at import, on one thread.
      const atImport = new Set<number>();
      for (const node of this.index.functions) {
        if (node.fact.kind === 'module' && !NOT_PRODUCT_PATH.test(node.module.path)) for (const edge of this.index.outgoing[node.id]) atImport.add(edge.to);
      }
      for (const node of this.index.functions) {
        if (!isPublicApi(node) || isMain(node.id) || isDecorator(node) || atImport.has(node.id)) continue;
        const entry: EntryPoint = { kind: 'thread', file: node.module.path, line: node.fact.span.line, via: 'callers of the library' };
        this.reach.set(node.id, { entry, from: -1, line: node.fact.span.line, confidence: 'low', library: true });
        queue.push(node.id);
      }
    } else {
      seed((e) => THREADS.has(e.kind), 'medium');
      seed((e, node) => e.kind === 'request-handler' && !node.fact.isAsync, 'low');
    }
    for (let head = 0; head < queue.length; head++) {
      const id = queue[head];
      const at = this.reach.get(id)!;
      for (const edge of this.index.outgoing[id]) {
        if (this.reach.has(edge.to) || this.index.functions[edge.to].fact.isAsync || isMain(edge.to)) continue;
        this.reach.set(edge.to, { ...at, from: id, line: edge.call.line });
        queue.push(edge.to);
      }
    }
  }

  /**
   * Whether every call of the function is made with a lock held, so its writes are locked too
   * (`threading._maintain_shutdown_locks`, "must be called with _shutdown_locks_lock acquired").
   * A call counts as locked when it is under a lock in its caller, or when its caller is itself
   * held by every one of its callers. A thread entry point is never held: the thread calls it bare.
   */
  private heldByCallers(id: number, visiting = new Set<number>()): boolean {
    const known = this.held.get(id);
    if (known !== undefined) return known;
    const callers = this.index.callers[id];
    if (callers.length === 0 || this.reach.get(id)?.from === -1) return false;
    // Each question is answered within a budget of functions looked at (a dense graph could
    // otherwise be walked along every path); past it the answer is "not held", which reports.
    if (visiting.size === 0) this.heldSteps = 0;
    if (++this.heldSteps > 5000) return false;
    visiting.add(id);
    // A call from inside the cycle being followed (recursion) neither holds nor drops the lock:
    // the calls from outside it decide.
    const held = callers.every((edge) => {
      const caller = this.index.functions[edge.from];
      return visiting.has(edge.from) || lockedLines(caller.module).has(edge.call.line) || lockedByDecorator(caller) || this.heldByCallers(edge.from, visiting);
    });
    visiting.delete(id);
    // An answer found inside a cycle depends on where it was entered; only the outermost one is kept.
    if (visiting.size === 0) this.held.set(id, held);
    return held;
  }

  /** The calls from the thread's entry point down to `id`, then the place in `id` itself. */
  chainTo(id: number, line: number): ChainStep[] {
    const steps: ChainStep[] = [];
    let current = id;
    let at = line;
    for (let guard = 0; guard < 1000 && current >= 0; guard++) {
      const node = this.index.functions[current];
      steps.push({ function: node.fqn, file: node.module.path, line: at });
      const r = this.reach.get(current)!;
      at = r.line;
      current = r.from;
    }
    return steps.reverse();
  }

  /** How threads the code starts reach a function (undefined: none runs it, or only a library's users would). */
  reachOf(id: number): { entry: EntryPoint; confidence: Confidence } | undefined {
    const reach = this.reach.get(id);
    return reach?.library ? undefined : reach;
  }

  private moduleIssues(writes: StateWrite[], path: string): void {
    const module = this.index.modules.find((m) => m.path === path)!;
    const containers = module.sharedState!.containers;
    const moduleContainers = new Map(containers.filter((c) => !c.cls).map((c) => [c.name, c.kind]));
    const seen = new Set<string>();
    for (const w of writes) {
      if (w.locked) continue;
      const fn = this.functionAt(module.module, module.functions, w);
      if (!fn) continue;
      const reach = this.reach.get(fn.id);
      if (!reach || lockedByDecorator(fn) || this.heldByCallers(fn.id)) continue;
      const shared = this.sharedTarget(w, fn, moduleContainers, containers);
      if (!shared) continue;
      const kind = issueKind(w, shared.kind);
      // A plain `global x; x = v` (or `Cls.x = v`) is one store, atomic with the GIL and without
      // it; only when an `if` on it decides (lazy initialisation) or it updates is it a race.
      if (kind === 'unlocked-mutation' && w.how === 'rebind') continue;
      const key = `${fn.id}\0${w.target}\0${kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.issues.push({
        kind, fn, target: w.target, what: shared.what, line: w.line, column: w.column, endColumn: w.column + w.target.length,
        operation: operation(w), entry: reach.entry, chain: this.chainTo(fn.id, w.line),
        confidence: kind === 'unlocked-mutation' ? 'low' : reach.confidence, ...(reach.library ? { library: true as const } : {}),
      });
    }
  }

  private functionAt(moduleName: string, functions: ProjectIndex['modules'][number]['functions'], w: StateWrite): FunctionNode | undefined {
    const i = functions.findIndex((f) => f.kind === 'def' && f.span.line === w.defLine && f.span.column === w.defColumn);
    return i < 0 ? undefined : this.index.functionByFqn(`${moduleName}.${functions[i].qualname}`);
  }

  /** Whether the written name is state other threads see, and what it is. */
  private sharedTarget(
    w: StateWrite, fn: FunctionNode, moduleContainers: Map<string, string>, containers: { name: string; kind: string; cls?: string }[],
  ): { kind: 'container' | 'scalar' | 'process'; what: string } | undefined {
    if (/^(decimal\.DefaultContext|DefaultContext)\.\w+$/.test(w.target) && (w.target.startsWith('decimal.') || imports(fn.module, 'DefaultContext', 'decimal.DefaultContext'))) {
      return { kind: 'process', what: 'changes the `decimal` context every new thread starts from' };
    }
    if (/^(os\.environ|environ|sys\.path|sys\.modules)$/.test(w.target)) return { kind: 'process', what: `changes ${w.target === 'sys.modules' ? 'the module table' : w.target.endsWith('path') ? 'the import path' : 'the environment'} of every thread` };
    if (w.global) return { kind: moduleContainers.has(w.target) ? 'container' : 'scalar', what: moduleContainers.has(w.target) ? `module-level ${moduleContainers.get(w.target)}` : 'module global' };
    const local = new Set([...fn.fact.params.map((p) => p.name), ...fn.fact.bindings.map((b) => b.name)]);
    if (moduleContainers.has(w.target) && !local.has(w.target)) return { kind: 'container', what: `module-level ${moduleContainers.get(w.target)}` };
    const attr = /^(self|cls|[A-Z]\w*)\.(\w+)$/.exec(w.target);
    if (!attr) return undefined;
    const owner = attr[1] === 'self' || attr[1] === 'cls' ? fn.fact.className.split('.').pop() : attr[1];
    const classLevel = containers.find((c) => c.cls === owner && c.name === attr[2]);
    if (classLevel && attr[1] === 'self' && shadowedOnInstance(fn, attr[2])) return undefined;
    if (classLevel) return { kind: 'container', what: `class-level ${classLevel.kind} shared by every instance` };
    // `cls.count += 1` / `Registry.count += 1`: a class attribute every instance shares.
    if (attr[1] !== 'self' && (w.how === 'augmented' || w.how === 'rebind')) return { kind: 'scalar', what: 'class attribute' };
    return undefined;
  }

  /**
   * P06: a loop over a module- or class-level container (`for k in CACHE`, `CACHE.items()`), with
   * no lock held, while functions that threads run change it (with a lock or without: the loop
   * takes none). A dict, set or deque changed mid-loop raises `RuntimeError`; a list whose items
   * are removed, inserted or replaced shows them moved, skipped or twice. A list that threads only
   * append to is not reported: the loop sees each item once (and the new ones or not, as it would
   * with a lock). Copies (`list(CACHE)`, `sorted(...)`, `.copy()`) are not loops over the container.
   */
  private iterations(): void {
    for (const module of this.index.modules) {
      const facts = module.sharedState;
      if (!facts) continue;
      const changedBy = new Map<string, { fn: FunctionNode; line: number }>();
      // Containers that threads only add to at the end (`append`, `extend`).
      const onlyGrown = new Map<string, boolean>();
      for (const w of facts.writes) {
        if (w.how === 'rebind') continue;
        const fn = this.functionAt(module.module, module.functions, w);
        if (!fn || !this.reach.has(fn.id)) continue;
        const key = this.containerKey(w.target, fn);
        const grows = w.how === 'method' && GROWS_AT_END.has(w.method ?? '');
        // The writer shown is the first one, or the first that does more than append.
        if (!changedBy.has(key) || (onlyGrown.get(key) && !grows)) changedBy.set(key, { fn, line: w.line });
        onlyGrown.set(key, (onlyGrown.get(key) ?? true) && grows);
      }
      if (changedBy.size === 0) continue;
      const locked = lockedLines(module);
      for (const node of this.functionsOf(module)) {
        if (lockedByDecorator(node) || this.heldByCallers(node.id)) continue;
        const seen = new Set<string>();
        for (const loop of node.fact.loops) {
          const iterated = /^((?:self\.|cls\.)?[A-Za-z_]\w*)(?:\.(?:items|keys|values)\(\))?$/.exec(loop.iter ?? '');
          if (!iterated || loop.kind === 'while' || locked.has(loop.line)) continue;
          const target = iterated[1];
          const key = this.containerKey(target, node);
          const writer = changedBy.get(key);
          if (!writer || seen.has(key)) continue;
          const shared = this.containerOf(target, node, facts.containers);
          // A loop over a list that threads only append to sees each item once, new ones or not: nothing is moved under it.
          if (!shared || (onlyGrown.get(key) && / list\b/.test(shared))) continue;
          seen.add(key);
          // The chain is the writer's: how threads come to change the container.
          const reach = this.reach.get(writer.fn.id)!;
          this.issues.push({
            kind: 'iterated-while-mutated', fn: node, target, what: shared, line: loop.line, column: loop.column,
            endColumn: loop.column + 3, operation: `\`${writer.fn.fact.qualname}\` changes it`, entry: reach.entry,
            chain: this.chainTo(writer.fn.id, writer.line), confidence: 'low', ...(reach.library ? { library: true as const } : {}),
          });
        }
      }
    }
  }

  /** One key per shared container: `module:NAME` or `module:Class.NAME` (for `self.` and `cls.` too). */
  private containerKey(target: string, fn: FunctionNode): string {
    const attr = /^(self|cls)\.(\w+)$/.exec(target);
    return attr ? `${fn.module.path}:${fn.fact.className.split('.').pop()}.${attr[2]}` : `${fn.module.path}:${target}`;
  }

  /** What a looped-over name is, when it is a module-level container (not shadowed) or a class-level one. */
  private containerOf(target: string, fn: FunctionNode, containers: { name: string; kind: string; cls?: string }[]): string | undefined {
    const attr = /^(self|cls)\.(\w+)$/.exec(target);
    if (attr) {
      const owner = fn.fact.className.split('.').pop();
      const found = containers.find((c) => c.cls === owner && c.name === attr[2]);
      return found && !(attr[1] === 'self' && shadowedOnInstance(fn, attr[2])) ? `class-level ${found.kind} shared by every instance` : undefined;
    }
    if (fn.fact.params.some((p) => p.name === target) || fn.fact.bindings.some((b) => b.name === target)) return undefined;
    const found = containers.find((c) => !c.cls && c.name === target);
    return found ? `module-level ${found.kind}` : undefined;
  }

  private functionsOf(module: ModuleFacts): FunctionNode[] {
    return module.functions.flatMap((f) => (f.kind === 'def' ? [this.index.functionByFqn(`${module.module}.${f.qualname}`)].filter((n): n is FunctionNode => n !== undefined) : []));
  }

  /**
   * P07: a module-level iterator (`_rows = iter(rows)`, `_workers = itertools.cycle(hosts)`) advanced by
   * functions that threads run, with no lock held: `next(_ids)` or a loop over it. Iterators are
   * not safe to share on free-threaded builds (two threads can get one item, or skip one), and a
   * generator raises `ValueError: generator already executing`.
   */
  private sharedIterators(): void {
    for (const module of this.index.modules) {
      const body = module.functions[0];
      const iterators = new Map<string, string>();
      for (const b of body?.bindings ?? []) if (ITERATOR.test(b.value)) iterators.set(b.name, b.value);
      if (iterators.size === 0) continue;
      const locked = lockedLines(module);
      for (const node of this.functionsOf(module)) {
        const reach = this.reach.get(node.id);
        if (!reach || lockedByDecorator(node) || this.heldByCallers(node.id)) continue;
        const own = (name: string) => node.fact.params.some((p) => p.name === name) || node.fact.bindings.some((b) => b.name === name);
        const uses: { name: string; line: number; column: number; how: string }[] = [];
        for (const call of node.fact.calls) {
          const arg = call.args[0];
          if (call.target === 'next' && arg?.kind === 'ref' && arg.text && iterators.get(arg.text) === arg.target) uses.push({ name: arg.text, line: call.line, column: call.column, how: 'calls `next()` on' });
        }
        for (const loop of node.fact.loops) {
          if (loop.kind !== 'while' && loop.iter && iterators.has(loop.iter)) uses.push({ name: loop.iter, line: loop.line, column: loop.column, how: 'loops over' });
        }
        const seen = new Set<string>();
        for (const use of uses.sort((a, b) => a.line - b.line || a.column - b.column)) {
          if (seen.has(use.name) || own(use.name) || locked.has(use.line)) continue;
          seen.add(use.name);
          this.issues.push({
            kind: 'shared-iterator', fn: node, target: use.name, what: `module-level \`${iterators.get(use.name)}\``, line: use.line,
            column: use.column, endColumn: use.column + (use.how === 'loops over' ? 3 : 4), operation: use.how, entry: reach.entry,
            chain: this.chainTo(node.id, use.line), confidence: reach.confidence, ...(reach.library ? { library: true as const } : {}),
          });
        }
      }
    }
  }

  /** Catalogue `process-state` calls (os.chdir, warnings filters...) in functions threads run. */
  private processStateCalls(): void {
    for (const [id, reach] of this.reach) {
      const node = this.index.functions[id];
      const seen = new Set<string>();
      node.fact.calls.forEach((call, i) => {
        const target = this.index.target(id, i);
        if (target.kind !== 'external') return;
        if (target.name === 'contextvars.ContextVar().get') {
          if (reach.library || !CONTEXT_INHERITING.has(reach.entry.kind) || seen.has(call.callee)) return;
          seen.add(call.callee);
          // P15: `asyncio.to_thread` copies the caller's context on every build; other threads
          // start with an empty one on 3.13 and the starter's on free-threaded 3.14.
          this.issues.push({
            kind: 'context-inherited', fn: node, target: call.callee.replace(/\.get$/, ''), what: 'a `contextvars.ContextVar`', line: call.line,
            column: call.column, endColumn: call.endColumn, operation: 'reads', entry: reach.entry, chain: this.chainTo(id, call.line), confidence: 'low',
          });
          return;
        }
        const match = this.catalogue.match(target.name, 'process-state');
        if (!match) return;
        // On free-threaded 3.14+ `catch_warnings` keeps its filters in the context (the thread's):
        // it and the filter changes inside it touch no other thread (shared/FREE-THREADING.md §3).
        if (target.name.startsWith('warnings.') && node.module.sharedState?.warningsScopeLines?.includes(call.line)) return;
        this.issues.push({
          kind: 'process-state', fn: node, target: target.name, what: match.entry.label ?? 'process-wide state', line: call.line,
          column: call.column, endColumn: call.endColumn, operation: `calls \`${target.name}\``,
          entry: reach.entry, chain: this.chainTo(id, call.line), confidence: reach.confidence, ...(reach.library ? { library: true as const } : {}),
        });
      });
    }
  }
}

function issueKind(w: StateWrite, shared: 'container' | 'scalar' | 'process'): ThreadStateKind {
  if (shared === 'process') return 'process-state';
  if (w.how === 'augmented') return 'read-modify-write';
  if (w.guarded && w.how === 'rebind') return 'lazy-init';
  if (w.guarded && (w.how === 'subscript' || w.how === 'del' || (w.how === 'method' && (CHECKED_METHODS.has(w.method ?? '') || w.method === 'append' || w.method === 'add')))) return 'check-then-act';
  return 'unlocked-mutation';
}

function operation(w: StateWrite): string {
  switch (w.how) {
    case 'subscript': return 'sets an item of';
    case 'del': return 'deletes an item of';
    case 'method': return `calls \`.${w.method}()\` on`;
    case 'augmented': return 'updates';
    case 'rebind': return 'assigns';
  }
}

/**
 * Values of module-level names that are iterators: `iter(...)`, `itertools.cycle(...)`,
 * `zip(...)`. Not `itertools.count()`: its `next()` advances atomically on free-threaded builds
 * (CPython gh-117657, in 3.13.0 and later), so `next(_ids)` from many threads hands out distinct ids.
 */
const ITERATOR = /^(?:iter|itertools\.(?:cycle|repeat|chain|islice|zip_longest|tee|accumulate|starmap|product|permutations|combinations)|zip|map|filter|enumerate|reversed)\(\)$/;

/** Entry points that make code run on threads, serve requests or run queued tasks: code that has one is an application. */
const APPLICATION_ENTRIES = new Set<EntryPoint['kind']>([...THREAD_ENTRY_KINDS, 'request-handler', 'task']);

/** Paths of code that is not the product: tests, examples, docs, benchmarks, build and task scripts (in any case: `Tests/`). */
const NOT_PRODUCT_PATH = /(?:^|\/)(?:tests?|testing|examples?|docs?|benchmarks?|scripts?)\/|(?:^|\/)(?:test_[^/]*|[^/]*_test|conftest|setup|noxfile|tasks)\.py$/i;
/** Paths that are not part of a library's API: the above, and private modules and packages (`_impl.py`, `_vendor/`). */
const NOT_API_PATH = new RegExp(`${NOT_PRODUCT_PATH.source}|(?:^|\\/)_(?!_init__\\.py$|_main__\\.py$)[^/]*(?:\\/|$)`, 'i');

/**
 * Whether the code is a library (see SharedStateAnalysis.library): no entry point of an
 * application in its product code. Threads its tests or examples start do not count: a test
 * suite with a threaded server does not make the package an application.
 */
function isLibrary(index: ProjectIndex, entries: EntryPoints): boolean {
  return index.functions.length > 0 && !index.functions.some((node) => !NOT_PRODUCT_PATH.test(node.module.path) && entries.byFunction[node.id].some((e) => APPLICATION_ENTRIES.has(e.kind)));
}

/**
 * A public function of a library: a module-level function or a method of a module-level class,
 * named without a leading underscore (dunder methods such as `__init__` and `__call__` count), in
 * a module that is not private, test or example code. Sync only: coroutines run on an event loop.
 */
function isPublicApi(node: FunctionNode): boolean {
  const fact = node.fact;
  if (fact.kind !== 'def' || fact.isAsync || NOT_API_PATH.test(node.module.path)) return false;
  const parts = fact.qualname.split('.');
  if (parts.length > 2 || (parts.length === 2 && (!fact.className || parts[0].startsWith('_')))) return false;
  const name = parts[parts.length - 1];
  return !name.startsWith('_') || /^__\w+__$/.test(name);
}

/** A decorator that runs the function with a lock held: `@synchronized(LOCK)`, `@with_lock`, `@locked`. */
const LOCKING_DECORATOR = /(?:^|\.)(?:synchroni[sz]ed|\w*lock(?:ed)?|\w*_lock\w*|\w*mutex\w*)(?:\(\))?$/i;

/** Whether the function's decorators take a lock around its body. */
function lockedByDecorator(fn: FunctionNode): boolean {
  return fn.fact.decorators.some((d) => LOCKING_DECORATOR.test(d));
}

/**
 * Whether methods give each instance its own `name` (`self.seen = {}`) in place of the class-level
 * default: `self.seen[k] = v` then writes the instance's. A name, within the module.
 */
function shadowedOnInstance(fn: FunctionNode, name: string): boolean {
  return fn.module.sharedState?.shadowed?.includes(name) ?? false;
}

/** Whether the module imports `local` as `target` (`from decimal import DefaultContext`). */
function imports(module: ModuleFacts, local: string, target: string): boolean {
  return module.imports.some((i) => i.local === local && i.target === target);
}

const lockedByModule = new WeakMap<ModuleFacts, Set<number>>();

/** The lines of a module's calls made with a lock held. */
function lockedLines(module: ModuleFacts): Set<number> {
  let lines = lockedByModule.get(module);
  if (!lines) {
    lines = new Set(module.sharedState?.lockedLines ?? []);
    lockedByModule.set(module, lines);
  }
  return lines;
}
