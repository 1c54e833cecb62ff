/**
 * ProjectIndex: the symbol table of the whole project and its call graph.
 *
 * Stage: graph. Input: ModuleFacts of every file; output: every function with a global id,
 * every call resolved to a project function or to an external API's canonical name, and the
 * edges between functions. Resolution follows imports and re-exports across modules, `self`
 * through project base classes, instances made from project classes, and values returned by
 * project factory functions (several returns when they agree), `@contextmanager` yields and
 * `__enter__`. Members a project class does not define come from its library base class
 * (`class Client(requests.Session)`: `Client().get` is `requests.Session().get`). Attributes set
 * from unannotated `__init__` parameters take the type the project's construction sites pass,
 * and a property read is a call of its getter.
 *
 * Module names come from paths, so they may hold any character a directory name may (`my dir`,
 * `web-app`): a dotted name is matched against the symbol table by its prefixes, never split
 * into identifiers. Every resolution is bounded: a depth limit, a step budget per name, and a
 * visited set for star imports (a package star-importing modules that import it back).
 */
import type { ArgFact, CallFact, ClassFact, FunctionFact, ModuleFacts } from '../facts/types.js';
import { CallView } from '../facts/call-table.js';
import { passedArgument } from '../facts/arguments.js';
import { importNames } from './import-names.js';
import { InstanceLifetimes, NO_CACHES, type CacheDecorators, type GuardedFact } from './lifetime.js';

/** A function of the project with its global id. */
export interface FunctionNode {
  id: number;
  /** `module.qualname` (`app.db.Repo.save`); the module body is `module.<module>`. */
  fqn: string;
  module: ModuleFacts;
  fact: FunctionFact;
}

/** What one call resolved to. */
export type CallTarget =
  | { kind: 'function'; id: number; via: 'call' | 'constructor' }
  | { kind: 'external'; name: string }
  | { kind: 'unknown' };

export interface ClassNode {
  fqn: string;
  module: ModuleFacts;
  fact: ClassFact;
}

/** What a call whose target cannot be known resolves to: one shared, read-only object (a large tree has hundreds of thousands). */
const UNKNOWN: CallTarget = Object.freeze({ kind: 'unknown' });

/** A call edge: `from` calls `to` at `call`. */
export interface Edge {
  from: number;
  to: number;
  call: CallFact;
  /** For a function handed to an API that calls it right away (`map(f, rows)`): that API. */
  argumentOf?: string;
}

/**
 * A call of an interface's stub that two or more project classes implement
 * (`await self._transport.send(r)` for `_transport: BaseTransport`): one of the implementations
 * runs, which one the code does not say. Kept apart from the edges: only the work model reads it.
 */
export interface Dispatch {
  call: CallFact;
  /** The implementations, by function id. */
  to: readonly number[];
}

/**
 * An edge whose call is read from call columns: the edge is the call's view itself (`call` is the
 * edge), so the 647 k edges of a 5 M-line tree need no view object each beside them.
 */
class CallEdge extends CallView implements Edge {
  constructor(call: CallView, readonly from: number, readonly to: number, readonly argumentOf?: string) {
    super(call.table, call.at);
  }

  get call(): CallFact {
    return this;
  }
}

/**
 * What a name in the symbol table stands for: a function by its id (a number rather than an
 * object each: on 5 M lines, 300 k of them came to 12 MB), or a module or class.
 */
type SymbolEntry = number | { kind: 'module'; module: ModuleFacts } | { kind: 'class'; cls: ClassNode };

/** Whether a symbol-table entry is a module's. */
function isModule(entry: SymbolEntry | undefined): entry is { kind: 'module'; module: ModuleFacts } {
  return typeof entry === 'object' && entry.kind === 'module';
}

/** Whether a symbol-table entry is a class's. */
function isClass(entry: SymbolEntry | undefined): entry is { kind: 'class'; cls: ClassNode } {
  return typeof entry === 'object' && entry.kind === 'class';
}

/** Decorators that make a method a property: reading the attribute calls it. */
export function isProperty(fact: FunctionFact): boolean {
  return fact.decorators.some((d) => d === 'property' || d === 'cached_property' || d.endsWith('.cached_property'));
}

/** A generator function whose `with` statement gives what it yields. */
function isContextManager(fact: FunctionFact): boolean {
  return fact.decorators.some((d) => d === 'contextlib.contextmanager' || d === 'contextlib.asynccontextmanager');
}

/** A dotted name without calls or subscripts. */
/**
 * Most steps one name's resolution may take (imports, returns, bases, stars followed): real names
 * take a handful; a factory returning several values through factories returning several values
 * would otherwise multiply at every level.
 */
const RESOLVE_BUDGET = 500;

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Bases that say nothing about the members of a class. */
/** Bases that make a class an interface whose method stubs others implement. */
const INTERFACE_BASES = /^(?:typing\.Protocol|typing_extensions\.Protocol|Protocol|abc\.ABC|ABC)$/;
/** A class name that names an exception: the built-in bases and the `...Error`/`...Exception`/`...Warning` convention. */
const EXCEPTION_NAME = /(?:^|\.)(?:BaseException|Exception|[A-Z]\w*(?:Error|Exception|Warning))$/;
const UNINFORMATIVE_BASES = /^(?:object|typing\..*|typing_extensions\..*|abc\.ABC|ABC|Generic|Protocol|enum\.\w+|Enum)$/;

/** The one empty list every function without calls or callers shares (frozen: the graph is complete once built). */
const NONE: never[] = Object.freeze([]) as unknown as never[];

/** Functions a call runs right away when passed to these APIs (Python's builtins). */
const CALLS_ARGUMENT_DEFAULT = new Set(['map', 'filter', 'sorted', 'min', 'max', 'functools.reduce', 'itertools.starmap']);

export class ProjectIndex {
  readonly modules: ModuleFacts[];
  readonly functions: FunctionNode[] = [];
  readonly classes = new Map<string, ClassNode>();
  /**
   * What every call resolved to, function after function and call after call: function `id`'s
   * from `targetStart[id]` to `targetStart[id + 1]` (see `target`). One list for the project,
   * not one per function: on 5 M lines the lists' own headers were about 10 MB.
   */
  private targetList: CallTarget[] = [];
  private targetStart = new Int32Array(1);
  /** Callers of each function (reverse edges). */
  readonly callers: Edge[][] = [];
  /** Calls each function makes to project functions. */
  readonly outgoing: Edge[][] = [];
  /** Calls of stubs with several implementations, by the calling function's id (see Dispatch). */
  private readonly dispatches = new Map<number, Dispatch[]>();
  /** The implementations of each interface stub that has two or more (see `member`). */
  private readonly implementationsOf = new Map<number, readonly number[]>();
  private readonly symbols = new Map<string, SymbolEntry>();
  /**
   * Every proper prefix of a symbol's name that ends before a `.`, `(` or `[`: the longest-prefix
   * search in resolveName stops at the first prefix no symbol continues (an external name's first
   * step, mostly), instead of looking up every prefix of the name.
   */
  private readonly symbolPrefixes = new Set<string>();
  private readonly moduleByName = new Map<string, ModuleFacts>();
  private readonly callsArgument: Set<string>;

  private readonly canonical: (name: string) => string;
  private readonly sameApi: (a: string, b: string) => boolean;

  /**
   * `callsArgument`: APIs that call a function argument right away; `canonical`: rewrites an
   * external API name to its canonical form (the catalogue's `returns` entries); `sameApi`:
   * whether two API names are one API for the catalogue (`OpenAI().chat.completions.create` and
   * `AzureOpenAI().chat.completions.create`), for factories that return one or the other;
   * `caches`: the cache decorators of the work model, by what they keep (see lifetime.ts).
   */
  constructor(
    modules: ModuleFacts[], callsArgument: Iterable<string> = CALLS_ARGUMENT_DEFAULT, canonical: (name: string) => string = (n) => n,
    sameApi: (a: string, b: string) => boolean = (a, b) => a === b, readonly caches: CacheDecorators = NO_CACHES,
  ) {
    this.modules = [...modules].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    this.callsArgument = new Set(callsArgument);
    this.canonical = canonical;
    this.sameApi = sameApi;
    this.registerModules();
    for (const node of this.functions) if (isProperty(node.fact)) this.propertyNames.add(node.fact.name);
    // Attributes typed by what construction sites pass: collect the sites first.
    if (this.modules.some((m) => m.classes.some((c) => c.attributes.some((a) => a.value.startsWith('@param:'))))) {
      this.resolveAll(true);
      this.collected = true;
    }
    this.resolveAll(false);
    // Grown by push, most lists keep room for a dozen items they never get: a fifth of the graph's memory.
    for (const lists of [this.callers, this.outgoing] as unknown[][][]) {
      for (let i = 0; i < lists.length; i++) lists[i] = lists[i].length === 0 ? NONE : lists[i].slice();
    }
    this.lifetimes = new InstanceLifetimes(this, caches);
    this.importNames = importNames(this.modules);
  }

  private readonly lifetimes: InstanceLifetimes;

  /**
   * Rewrites the path names of modules in a name to the names Python imports them by (a `src/`
   * layout: `src.pkg.mod.f` is `pkg.mod.f`); undefined when no module's names differ.
   */
  readonly importNames: ((name: string) => string) | undefined;

  /** `name` as the report shows it: see importNames. */
  importName(name: string): string {
    return this.importNames ? this.importNames(name) : name;
  }

  /**
   * Whether a call or loop of function `from` that a cache guard keeps to one run (`once`) runs
   * once per process: always for a guard on module or class state, and for a guard on `self`
   * unless the instances are made afresh on every call (see lifetime.ts).
   */
  runsOnce(from: number, fact: GuardedFact): boolean {
    return this.lifetimes.runsOnce(from, fact);
  }

  /** The project function with this fully qualified name. */
  functionByFqn(fqn: string): FunctionNode | undefined {
    const entry = this.symbols.get(fqn);
    return typeof entry === 'number' ? this.functions[entry] : undefined;
  }

  private registerModules(): void {
    const packages = new Set(this.modules.filter((m) => m.isPackage).map((m) => m.path.replace(/\/__init__\.pyi?$/, '')));
    // Full names first, so that they win over the shorter names below.
    for (const module of this.modules) {
      if (!module.module || this.moduleByName.has(module.module)) continue;
      this.moduleByName.set(module.module, module);
    }
    // A directory without `__init__.py` is not a package, so code under `src/` or a scripts
    // folder is imported by the name below it: `src/pkg/mod.py` is also `pkg.mod`.
    for (const module of this.modules) {
      // Path components, not the dotted name split at dots: a directory name may hold a dot.
      const parts = module.path.replace(/\.pyi?$/, '').split('/');
      if (module.isPackage) parts.pop();
      const dirs = module.path.split('/').slice(0, -1);
      for (let drop = 1; drop < parts.length; drop++) {
        if (packages.has(dirs.slice(0, drop).join('/'))) break;
        const name = parts.slice(drop).join('.');
        if (!this.moduleByName.has(name)) this.moduleByName.set(name, module);
      }
    }
    // A module, function or class has one entry, whatever the number of names it is known by.
    const namesOf = new Map<ModuleFacts, string[]>();
    const moduleEntries = new Map<ModuleFacts, SymbolEntry>();
    for (const [name, module] of this.moduleByName) {
      let entry = moduleEntries.get(module);
      if (!entry) moduleEntries.set(module, (entry = { kind: 'module', module }));
      this.symbols.set(name, entry);
      this.addPrefixes(name);
      const names = namesOf.get(module);
      if (names) names.push(name);
      else namesOf.set(module, [name]);
    }
    for (const module of this.modules) {
      const prefixes = namesOf.get(module) ?? [];
      // Functions and classes are named under their module's own name; under its other names (the
      // folders above it are not packages) they are found through ownName, not stored again: on
      // 5 M lines those were over a third of all names. A module whose own name another module
      // holds keeps its functions under its other names.
      const owned = prefixes.includes(module.module) ? [module.module] : prefixes;
      module.functions.forEach((fact) => {
        const id = this.functions.length;
        const fqn = `${module.module}.${fact.qualname}`;
        this.functions.push({ id, fqn, module, fact });
        this.callers.push([]);
        this.outgoing.push([]);
        if (fact.kind === 'module') return;
        // The name under the module's own name is the fqn itself: one string, not two equal ones.
        for (const prefix of owned) this.setSymbol(prefix === module.module ? fqn : `${prefix}.${fact.qualname}`, id);
      });
      for (const fact of module.classes) {
        const cls: ClassNode = { fqn: `${module.module}.${fact.qualname}`, module, fact };
        this.classes.set(cls.fqn, cls);
        const entry: SymbolEntry = { kind: 'class', cls };
        for (const prefix of owned) this.setSymbol(prefix === module.module ? cls.fqn : `${prefix}.${fact.qualname}`, entry);
      }
    }
  }

  /** The longest prefix of `name` that is a project symbol, ending before a `.`, `(` or `[`, or at the end. */
  private longestSymbol(name: string): { entry: SymbolEntry; end: number } | undefined {
    let found: { entry: SymbolEntry; end: number } | undefined;
    for (let i = 1; i <= name.length; i++) {
      if (i < name.length && !isStepStart(name.charCodeAt(i))) continue;
      const prefix = name.slice(0, i);
      const entry = this.symbols.get(prefix);
      if (entry !== undefined) found = { entry, end: i };
      if (!this.symbolPrefixes.has(prefix)) break;
    }
    return found;
  }

  /**
   * `name`, whose first `end` characters are another name of `module` (`pkg.mod` for
   * `src/pkg/mod.py`, whose own name is `src.pkg.mod`), under the module's own name, when that
   * names one of its functions or classes; undefined otherwise (what follows is then read in the
   * module as before: its imports, or an external name).
   */
  private ownName(name: string, module: ModuleFacts, end: number): string | undefined {
    if (name.slice(0, end) === module.module || this.moduleByName.get(module.module) !== module) return undefined;
    const own = module.module + name.slice(end);
    const found = this.longestSymbol(own);
    return found && !isModule(found.entry) ? own : undefined;
  }

  private setSymbol(name: string, entry: SymbolEntry): void {
    if (this.symbols.has(name)) return;
    this.symbols.set(name, entry);
    this.addPrefixes(name);
  }

  private addPrefixes(name: string): void {
    // From the longest: once a prefix is known, so are the shorter ones.
    for (let i = name.length - 1; i > 0; i--) {
      if (!isStepStart(name.charCodeAt(i))) continue;
      const prefix = name.slice(0, i);
      if (this.symbolPrefixes.has(prefix)) return;
      this.symbolPrefixes.add(prefix);
    }
  }

  /** Names of the project's properties: only reads of these can run a getter. */
  private readonly propertyNames = new Set<string>();
  /** Arguments passed at each construction of a project class, by the id of the `__init__` run. */
  private readonly constructions = new Map<number, ArgFact[][]>();
  /** Whether `constructions` is complete (after the collecting pass). */
  private collected = false;

  private resolveAll(collectOnly: boolean): void {
    if (!collectOnly) {
      let total = 0;
      for (const node of this.functions) total += node.fact.calls.length;
      this.targetList = new Array<CallTarget>(total);
      this.targetStart = new Int32Array(this.functions.length + 1);
    }
    let at = 0;
    for (const node of this.functions) {
      if (!collectOnly) this.targetStart[node.id] = at;
      for (const call of node.fact.calls) {
        // The collecting pass needs constructions only: calls of a plain dotted name (`Repo(db)`).
        if (collectOnly && (call.args.length === 0 || !PLAIN_NAME.test(call.target))) continue;
        const target = this.resolveCall(call);
        if (target.kind === 'function' && target.via === 'constructor' && call.args.length > 0) {
          if (collectOnly || !this.collected) {
            const sites = this.constructions.get(target.id);
            if (sites) sites.push(call.args);
            else this.constructions.set(target.id, [call.args]);
          }
        }
        if (collectOnly) continue;
        this.targetList[at++] = target;
        if (target.kind === 'function') {
          this.addEdge(node.id, target.id, call);
          const to = this.implementationsOf.get(target.id);
          if (to) {
            const list = this.dispatches.get(node.id);
            if (list) list.push({ call, to });
            else this.dispatches.set(node.id, [{ call, to }]);
          }
        }
        // APIs that call their function argument right away (`map(f, xs)`, `sorted(key=f)`).
        const name = target.kind === 'external' ? target.name : '';
        if (name && this.callsArgument.has(name)) {
          for (const arg of call.args) {
            if (arg.kind === 'lambda' && arg.lambda !== undefined) {
              const lambda = this.functionByFqn(`${node.module.module}.${node.module.functions[arg.lambda].qualname}`);
              if (lambda) this.addEdge(node.id, lambda.id, call, name);
            } else if (arg.kind === 'ref' && arg.target) {
              const resolved = this.resolve(arg.target);
              if (resolved.kind === 'function') this.addEdge(node.id, resolved.id, call, name);
            }
          }
        }
      }
      if (collectOnly) continue;
      // Reading a property runs its getter.
      for (const read of node.fact.reads ?? []) {
        if (!this.propertyNames.has(read.callee.slice(read.callee.lastIndexOf('.') + 1))) continue;
        const target = this.resolveCall(read);
        if (target.kind === 'function' && isProperty(this.functions[target.id].fact)) this.addEdge(node.id, target.id, read);
      }
    }
    if (!collectOnly) this.targetStart[this.functions.length] = at;
  }

  /** Function `id`'s calls of stubs that several project classes implement (see Dispatch). */
  dispatchesOf(id: number): readonly Dispatch[] {
    return this.dispatches.get(id) ?? NONE;
  }

  /** What function `id`'s `i`-th call resolved to. */
  target(id: number, i: number): CallTarget {
    return this.targetList[this.targetStart[id] + i];
  }

  /** Each call of function `id` with what it resolved to, in call order. */
  eachTarget(id: number, visit: (target: CallTarget, i: number) => void): void {
    const start = this.targetStart[id];
    const end = this.targetStart[id + 1];
    for (let at = start; at < end; at++) visit(this.targetList[at], at - start);
  }

  /** Whether some call of function `id` resolved to a target that passes `test`. */
  someTarget(id: number, test: (target: CallTarget) => boolean): boolean {
    for (let at = this.targetStart[id]; at < this.targetStart[id + 1]; at++) if (test(this.targetList[at])) return true;
    return false;
  }

  /** What every call of the project resolved to. */
  allTargets(): readonly CallTarget[] {
    return this.targetList;
  }

  private addEdge(from: number, to: number, call: CallFact, argumentOf?: string): void {
    const edge: Edge = call instanceof CallView ? new CallEdge(call, from, to, argumentOf) : argumentOf ? { from, to, call, argumentOf } : { from, to, call };
    this.callers[to].push(edge);
    this.outgoing[from].push(edge);
  }

  /**
   * Drops what only building the graph needed: the attribute reads of the facts (their property
   * getters are edges now), and what resolving every call left cached (resolutions by name, each
   * module's top-level names, class attributes and base orders). Later stages resolve a few names,
   * worked out again on demand. On 5 M lines this is about 50 MB, held through classification
   * otherwise.
   */
  releaseBuildState(): void {
    for (const node of this.functions) if (node.fact.reads) node.fact.reads = undefined;
    this.moduleNames.clear();
    this.attributesOf.clear();
    this.implementationsOf.clear();
    this.forgetMemos();
  }

  /**
   * Drops what resolving names memoised (resolutions, method resolution orders: on 5 M lines the
   * orders the classification asked for came to 11 MB); later asks are answered afresh, alike,
   * since the graph no longer changes.
   */
  forgetMemos(): void {
    this.resolved.clear();
    this.resolvedSelf.clear();
    this.mroCache.clear();
  }

  /** Resolutions by name, final ones only; of `self.` names (whose receiver is an instance) apart. */
  private readonly resolved = new Map<string, CallTarget>();
  private readonly resolvedSelf = new Map<string, CallTarget>();
  /**
   * Set while a name is resolved when its resolution read an attribute typed by construction
   * sites before all of them were collected: that result may change, so it is not kept.
   */
  private provisional = false;

  /** Resolves one call (the same target text always resolves the same way). */
  resolveCall(call: CallFact): CallTarget {
    if (!call.target) return UNKNOWN;
    if (call.resolution === 'super') return this.resolveSuper(call.target);
    // `self.x` names the class, but the receiver is an instance.
    return this.resolve(call.target, call.resolution === 'self');
  }

  /**
   * Resolves an absolute dotted name with `()` (instance) and `[]` (item) steps to a project
   * function, or to the canonical name of an external API (see resolveName); each name once.
   */
  resolve(target: string, selfInstance = false): CallTarget {
    const memo = selfInstance ? this.resolvedSelf : this.resolved;
    let found = memo.get(target);
    if (!found) {
      this.provisional = false;
      found = this.resolveName(target, 0, selfInstance);
      if (!this.provisional) memo.set(target, found);
    }
    return found;
  }

  private readonly moduleNames = new Map<ModuleFacts, { imports: Map<string, string>; bindings: Map<string, string>; stars: string[] }>();

  /** Names bound at the top level of a module: imports (non-star), assignments, star sources. */
  private topLevel(module: ModuleFacts) {
    let names = this.moduleNames.get(module);
    if (!names) {
      const imports = new Map<string, string>();
      const stars: string[] = [];
      for (const i of module.imports) {
        if (i.scope !== 0) continue;
        if (i.star) {
          if (!stars.includes(i.target)) stars.push(i.target);
        }
        else if (!imports.has(i.local)) imports.set(i.local, i.target);
      }
      const bindings = new Map<string, string>();
      for (const b of module.functions[0]?.bindings ?? []) if (!bindings.has(b.name)) bindings.set(b.name, b.value);
      names = { imports, bindings, stars };
      this.moduleNames.set(module, names);
    }
    return names;
  }

  /** `app.C.m` from `super().m` in class `app.C`: the first base that has `m`. */
  private resolveSuper(target: string): CallTarget {
    const dot = target.lastIndexOf('.');
    const cls = this.classes.get(target.slice(0, dot));
    if (!cls) return UNKNOWN;
    for (const base of this.mro(cls).slice(1)) {
      const found = this.member(base, target.slice(dot + 1));
      if (found) return found;
    }
    return UNKNOWN;
  }

  /**
   * Resolves an absolute dotted name with `()` (instance) and `[]` (item) steps to a project
   * function, or to the canonical name of an external API.
   */
  /**
   * `written`: the name as the call wrote it, for an external API name, when `target` is that name
   * under its module's own name (see ownName).
   */
  private resolveName(target: string, depth: number, selfInstance = false, seen?: Set<string>, written = target): CallTarget {
    if (depth === 0 && written === target) this.budget = RESOLVE_BUDGET;
    if (depth > 8 || --this.budget < 0) return UNKNOWN;
    const found = this.longestSymbol(target);
    if (!found) return this.external(target);
    if (isModule(found.entry)) {
      // Not a step of its own: the same name, read under the module's own name.
      const own = this.ownName(target, found.entry.module, found.end);
      if (own) return this.resolveName(own, depth, selfInstance, seen, target);
    }
    const restText = target.slice(found.end);
    const rest: string[] = restText.match(/\(\)|\[\]|\.?""|\.?[^.()[\]"]+/g) ?? [];
    const entry = found.entry;
    if (isModule(entry)) {
      if (rest.length === 0) return UNKNOWN;
      const first = rest[0].replace(/^\./, '');
      // A name bound in that module by an import or an assignment: follow it.
      const names = this.topLevel(entry.module);
      const imported = names.imports.get(first);
      if (imported) return this.resolveName(imported + rest.slice(1).join(''), depth + 1, false, seen);
      const binding = names.bindings.get(first);
      if (binding) return this.resolveName(binding + rest.slice(1).join(''), depth + 1, false, seen);
      for (const star of names.stars) {
        // Only a project module can define a project function (a star from a C extension, say, cannot).
        if (!isModule(this.symbols.get(star))) continue;
        const next = `${star}${restText}`;
        seen ??= new Set();
        if (seen.has(next)) continue;
        seen.add(next);
        const resolved = this.resolveName(next, depth + 1, false, seen);
        if (resolved.kind === 'function') return resolved;
      }
      // Not defined in the project module: a same-named external module (e.g. a project file
      // called `logging.py` beside `import logging`).
      return this.external(target);
    }
    if (typeof entry === 'number') {
      const id = entry;
      if (rest.length === 0) return { kind: 'function', id, via: 'call' };
      // `self.client.get` where `client` is a property: reading it runs the getter, and the steps
      // after it apply to the value the getter returns.
      if (selfInstance && rest[0] !== '()' && isProperty(this.functions[id].fact)) {
        const returned = this.returnedBy(id, rest, depth);
        if (returned) return returned;
      }
      if (rest[0] === '()') {
        // The value a project factory returns: `get_conn().execute` -> `sqlite3.connect().execute`.
        let after = rest.slice(1);
        // `with cm() as x`: a `@contextmanager`'s `__enter__` gives what it yields.
        if (after[0] === '.__enter__' && after[1] === '()' && isContextManager(this.functions[id].fact)) after = after.slice(2);
        const returned = this.returnedBy(id, after, depth);
        if (returned) return returned;
      }
      // What the project function returns is unknown here; the name still says what it is when
      // the project is the library the catalogue describes (auditing `socket.py` itself).
      return this.external(written);
    }
    // A class; `HttpRepo[Create, Read]` (a generic alias) stands for the class itself.
    const cls = entry.cls;
    if (rest[0] === '[]') rest.shift();
    if (rest.length === 0) {
      const init = this.member(cls, '__init__');
      if (init) return init;
      // Constructing a subclass of a library class runs the library's constructor.
      const base = this.externalBase(cls);
      return base ? this.resolveName(base, depth + 1) : UNKNOWN;
    }
    const instance = rest[0] === '()' || selfInstance;
    const memberSteps = rest[0] === '()' ? rest.slice(1) : rest;
    if (memberSteps.length === 0 || memberSteps[0] === '()' || memberSteps[0] === '[]') return UNKNOWN;
    const memberName = memberSteps[0].replace(/^\./, '');
    const attribute = this.attributeOf(cls, memberName);
    if (attribute && memberSteps.length > 1) {
      const value = this.attributeValue(attribute.cls, attribute.value);
      if (value) return this.resolveName(value + memberSteps.slice(1).join(''), depth + 1);
      // Set from a parameter no construction site names: a member of an object of unknown type
      // (`self._downloader.urlopen` is `?.urlopen`), as for a parameter used in place.
      if (attribute.value.startsWith('@param:')) return this.external(`?${memberSteps.slice(1).join('')}`);
    }
    const method = this.member(cls, memberName);
    if (method?.kind === 'function') {
      if (memberSteps.length === 1) return method;
      // A property read calls its getter; a method call followed by more steps gives its return value.
      const fact = this.functions[method.id].fact;
      const after = isProperty(fact) ? memberSteps.slice(1) : memberSteps[1] === '()' ? memberSteps.slice(2) : undefined;
      const returned = after && this.returnedBy(method.id, after, depth);
      if (returned) return returned;
      return this.external(written);
    }
    // No `__enter__` of its own: a context manager gives itself (`with Repo() as r`).
    if (memberName === '__enter__' && memberSteps[1] === '()' && !this.externalBase(cls)) {
      return this.resolveName(`${cls.fqn}()${memberSteps.slice(2).join('')}`, depth + 1);
    }
    // A member the project does not define: inherited from a library base class, if there is one.
    const base = this.externalBase(cls);
    if (base) return this.resolveName(base + (instance ? '()' : '') + memberSteps.join(''), depth + 1);
    return this.external(written);
  }

  /** An API name outside the project, canonical; library context managers give themselves on `__enter__()`. */
  private external(target: string): CallTarget {
    const name = target.includes('.__enter__()') ? target.replace(/\.__enter__\(\)/g, '') : target;
    return { kind: 'external', name: this.canonical(name) };
  }

  /**
   * What `steps` after a call of project function `id` resolve to: through each value it
   * returns. Several returns count when those that resolve agree: the same project function, or
   * library APIs that are one API for the catalogue (`OpenAI` or `AzureOpenAI`).
   */
  private returnedBy(id: number, steps: string[], depth: number): CallTarget | undefined {
    const returns = this.functions[id].fact.returns;
    if (returns.length === 0) return undefined;
    const tail = steps.join('');
    if (returns.length === 1) return this.resolveName(returns[0] + tail, depth + 1);
    const known = returns.map((r) => this.resolveName(r + tail, depth + 1)).filter((t) => t.kind !== 'unknown');
    if (known.length === 0) return undefined;
    const first = known[0];
    const agree = known.every((t) =>
      (t.kind === 'function' && first.kind === 'function' && t.id === first.id) ||
      (t.kind === 'external' && first.kind === 'external' && this.sameApi(t.name, first.name)));
    return agree ? first : undefined;
  }

  /**
   * The library class a project class inherits from (the first in its bases, breadth first), if
   * any: `requests.Session` for `class Client(requests.Session)`. A bare name a star import may
   * have brought (`from peewee import *`, `class Note(Model)`) is taken from that module.
   */
  private externalBase(cls: ClassNode): string | undefined {
    for (const c of this.mro(cls)) {
      for (const written of c.fact.bases) {
        const base = written.replace(/\[\]$/, '');
        if (base.includes('[') || UNINFORMATIVE_BASES.test(base) || this.classFor(base)) continue;
        if (base.includes('.')) return base;
        const stars = this.topLevel(c.module).stars.filter((m) => !this.moduleByName.has(m));
        if (stars.length === 1) return `${stars[0]}.${base}`;
      }
    }
    return undefined;
  }

  /**
   * A method found on the class or its project bases. A stub declared by an interface (a
   * `Protocol` or `ABC` class, or an `@abstractmethod`) stands for the one project class that
   * implements it, when there is exactly one: `helper: PasswordHelperProtocol` runs
   * `PasswordHelper.hash`.
   */
  private member(cls: ClassNode, name: string): CallTarget | undefined {
    for (const c of this.mro(cls)) {
      const entry = this.symbols.get(`${c.fqn}.${name}`);
      if (typeof entry !== 'number') continue;
      const id = this.soleImplementation(c, entry, name) ?? entry;
      return { kind: 'function', id, via: name === '__init__' ? 'constructor' : 'call' };
    }
    return undefined;
  }

  /**
   * The one project override of interface stub `id` (method `name` of `cls`), if exactly one
   * subclass defines it. Where two or more do, they are noted (`implementationsOf`), and calls
   * of the stub become dispatches to them (see Dispatch).
   */
  private soleImplementation(cls: ClassNode, id: number, name: string): number | undefined {
    if (this.implementationsOf.has(id)) return undefined;
    const fact = this.functions[id].fact;
    const declared = fact.decorators.some((d) => /(^|\.)abstractmethod$/.test(d)) || cls.fact.bases.some((b) => INTERFACE_BASES.test(b.replace(/\[\]$/, '')));
    if (!isStub(fact) || !declared || name === '__init__') return undefined;
    const found = new Set<number>();
    for (const sub of this.subclassesOf(cls)) {
      const entry = this.symbols.get(`${sub.fqn}.${name}`);
      // An override whose body looks empty counts too: `return payload` gives no facts either.
      if (typeof entry === 'number' && entry !== id) found.add(entry);
    }
    if (found.size > 1) this.implementationsOf.set(id, [...found]);
    return found.size === 1 ? [...found][0] : undefined;
  }

  /** Project classes that have `cls` among their project bases, built for all classes on first use. */
  private subclassesOf(cls: ClassNode): ClassNode[] {
    if (!this.subclasses) {
      this.subclasses = new Map();
      for (const c of this.classes.values()) {
        for (const base of this.mro(c).slice(1)) {
          let list = this.subclasses.get(base.fqn);
          if (!list) this.subclasses.set(base.fqn, (list = []));
          list.push(c);
        }
      }
    }
    return this.subclasses.get(cls.fqn) ?? [];
  }

  private subclasses?: Map<string, ClassNode[]>;

  /** An attribute (`self.db = sqlite3.connect()`) found on the class or its project bases, and the class that sets it. */
  private attributeOf(cls: ClassNode, name: string): { cls: ClassNode; value: string } | undefined {
    for (const c of this.mro(cls)) {
      let attrs = this.attributesOf.get(c);
      if (!attrs) {
        attrs = new Map();
        for (const a of c.fact.attributes) if (!attrs.has(a.name)) attrs.set(a.name, a.value);
        this.attributesOf.set(c, attrs);
      }
      const value = attrs.get(name);
      if (value !== undefined) return { cls: c, value };
    }
    return undefined;
  }

  /** Each class's attributes by name (the first of each), built on first use. */
  private readonly attributesOf = new Map<ClassNode, Map<string, string>>();
  /** Resolution steps left for the name being resolved (see RESOLVE_BUDGET). */
  private budget = RESOLVE_BUDGET;

  /**
   * An attribute's value; for one set from an unannotated `__init__` parameter
   * (`@param:<index>:<name>`), what every construction site that says passes, when they agree.
   */
  private attributeValue(cls: ClassNode, value: string): string | undefined {
    if (!value.startsWith('@param:')) return value;
    if (!this.collected) this.provisional = true;
    const [, index, name] = value.split(':');
    const init = this.symbols.get(`${cls.fqn}.__init__`);
    if (typeof init !== 'number') return undefined;
    let found: string | undefined;
    for (const args of this.constructions.get(init) ?? []) {
      const arg = passedArgument(args, name, Number(index) - 1);
      const passed = arg?.kind === 'call' && arg.target && !arg.target.startsWith('?') ? `${arg.target}()` : arg?.kind === 'ref' && arg.target && !arg.target.startsWith('?') ? arg.target : '';
      if (!passed) continue;
      if (found !== undefined && found !== passed) return undefined;
      found = passed;
    }
    return found;
  }

  private readonly mroCache = new Map<string, ClassNode[]>();

  /**
   * Whether function `id` is a method of an exception class: the class or one of its project
   * bases derives from a base named like an exception (`Exception`, `ValueError`,
   * `requests.HTTPError`, a project `ExtractorError`).
   */
  isExceptionMethod(id: number): boolean {
    const node = this.functions[id];
    if (!node.fact.className) return false;
    const cls = this.classes.get(`${node.module.module}.${node.fact.className}`);
    if (!cls) return false;
    let found = this.exceptionCache.get(cls.fqn);
    if (found === undefined) {
      found = this.mro(cls).some((c) => EXCEPTION_NAME.test(c.fact.name) || c.fact.bases.some((b) => EXCEPTION_NAME.test(b)));
      this.exceptionCache.set(cls.fqn, found);
    }
    return found;
  }

  private readonly exceptionCache = new Map<string, boolean>();

  /**
   * What an instance of project class `fqn` is an instance of: the class, its project bases, and
   * the library bases they name (`io.BytesIO` for `class Buffer(io.BytesIO)`); `complete` when
   * every base is a project class or `object`, so that no other class can be among them.
   */
  lineage(fqn: string): { names: string[]; complete: boolean } | undefined {
    const cls = this.classes.get(fqn);
    if (!cls) return undefined;
    const names = ['object'];
    let complete = true;
    for (const c of this.mro(cls)) {
      names.push(c.fqn);
      for (const written of c.fact.bases) {
        const base = written.replace(/\[\]$/, '');
        if (base === 'object' || this.classFor(base)) continue;
        names.push(base);
        complete = false;
      }
    }
    return { names, complete };
  }

  /** The class then its project bases, breadth first, each once (cycles stop). */
  mro(cls: ClassNode): ClassNode[] {
    const cached = this.mroCache.get(cls.fqn);
    if (cached) return cached;
    const order: ClassNode[] = [];
    const seen = new Set<string>();
    const queue = [cls];
    while (queue.length > 0 && order.length < 50) {
      const c = queue.shift()!;
      if (seen.has(c.fqn)) continue;
      seen.add(c.fqn);
      order.push(c);
      for (const base of c.fact.bases) {
        // `Repository[Recipe, RecipeModel]`: a parameterised generic base is that class.
        const resolved = this.classFor(base.replace(/\[\]$/, ''));
        if (resolved && !seen.has(resolved.fqn)) queue.push(resolved);
      }
    }
    this.mroCache.set(cls.fqn, order);
    return order;
  }

  /** The project class a dotted name denotes, through imports and re-exports. */
  private classFor(name: string, depth = 0, seen?: Set<string>): ClassNode | undefined {
    if (depth > 8) return undefined;
    const entry = this.symbols.get(name);
    if (isClass(entry)) return entry.cls;
    const module = this.longestSymbol(name);
    const own = module && isModule(module.entry) ? this.ownName(name, module.entry.module, module.end) : undefined;
    if (own) return this.classFor(own, depth, seen);
    const dot = name.lastIndexOf('.');
    if (dot < 0) return undefined;
    const owner = this.symbols.get(name.slice(0, dot));
    if (isModule(owner)) {
      const names = this.topLevel(owner.module);
      const imported = names.imports.get(name.slice(dot + 1));
      if (imported) return this.classFor(imported, depth + 1, seen);
      // Re-exported by `from .base import *` in a package's `__init__`.
      for (const star of names.stars) {
        const next = `${star}.${name.slice(dot + 1)}`;
        seen ??= new Set();
        if (seen.has(next)) continue;
        seen.add(next);
        const found = this.classFor(next, depth + 1, seen);
        if (found) return found;
      }
    }
    return undefined;
  }
}

/** Whether a name's character code starts a step of it: `.`, `(` or `[` (where a symbol's name may end). */
function isStepStart(code: number): boolean {
  return code === 0x2e || code === 0x28 || code === 0x5b;
}

/** A body that does nothing: a docstring, `pass` or `...` (an interface's declaration of a method). */
function isStub(fact: FunctionFact): boolean {
  return fact.calls.length === 0 && fact.loops.length === 0 && fact.ops === 0 && fact.returns.length === 0;
}
