/**
 * Whether work a cache guard keeps to one run (`once` facts) runs once per process or once per use.
 *
 * Stage: graph. A guard on a module global or a class attribute holds for the whole process. A
 * guard on an attribute of `self` (`if self._rows is None: self._rows = load()`) holds for one
 * instance only, so it saves work per process only if the instances live as long as the process:
 * made at module level, in a function that runs once (under a guard of its own, or cached), or in
 * the `__init__` of an object that lives as long. When no instance is made where it lasts and
 * some are made in ordinary functions (a request handler making a service that makes a matcher),
 * an instance is made again on every call, and so is the guarded work. A class with one
 * process-wide instance beside short-lived ones (a module's default session, a settings object's
 * map) keeps its guards: which instance a call reaches cannot be told, and the shared one is the
 * one used throughout. Construction sites in test code are left out (a test makes what it tests).
 * A class also keeps its guards when how long its instances live cannot be told: no construction
 * site in the project (a framework makes them), sites only in objects whose own life is not
 * known, or a `__new__` or a metaclass of its own that decides what a construction returns (a
 * singleton's cached instance).
 */
import type { FunctionFact } from '../facts/types.js';
import { isTestPath } from '../discover/test-paths.js';
import type { ProjectIndex } from './index.js';

/** What a guard marks: a call or a loop. */
export interface GuardedFact {
  once?: true;
  perInstance?: true;
}

/**
 * Cache decorators by what they keep (rules/work-model.yaml `once-only`, given to the graph by
 * whoever builds it): `memoizing` ones keep a function's results for the life of the process (so
 * what it makes lives as long), `expiring` ones until a policy drops them, `perInstance` ones keep
 * a method's result on its instance.
 */
export interface CacheDecorators {
  memoizing: ReadonlySet<string>;
  expiring: ReadonlySet<string>;
  perInstance: ReadonlySet<string>;
}

/** No cache decorator known (a graph built without the work model: tests of resolution alone). */
export const NO_CACHES: CacheDecorators = { memoizing: new Set(), expiring: new Set(), perInstance: new Set() };

/** A decorator as the cache lists name it: `functools.lru_cache(maxsize=None)` is `functools.lru_cache`. */
export function decoratorName(decorator: string): string {
  return decorator.replace(/\(.*\)$/, '');
}

/** The cache decorator of any kind that `decorators` hold, by its list name; undefined when none does. */
export function cacheDecorator(caches: CacheDecorators, decorators: readonly string[]): string | undefined {
  return decorators.map(decoratorName).find((d) => caches.memoizing.has(d) || caches.expiring.has(d) || caches.perInstance.has(d));
}

/** Metaclasses that leave construction as it is. */
const PLAIN_METACLASS = /^(?:(?:abc\.)?ABCMeta|type|(?:enum\.)?EnumMeta|(?:enum\.)?EnumType)$/;

/** How long a class's instances live: not yet decided, made afresh per call, as long as the process, or not known. */
const UNDECIDED = 0;
const SHORT = 1;
const LONG = 2;
const UNKNOWN = 3;
type Lifetime = typeof SHORT | typeof LONG | typeof UNKNOWN;

export class InstanceLifetimes {
  /** By function id of an `__init__`: how long the instances it makes live (a Lifetime, or UNDECIDED). */
  private readonly decided: Uint8Array;
  /** By function id of a method: its class's `__init__` (see initOf), -1 for none, -2 not yet looked up. */
  private readonly inits: Int32Array;

  constructor(private readonly index: ProjectIndex, private readonly caches: CacheDecorators) {
    this.decided = new Uint8Array(index.functions.length);
    this.inits = new Int32Array(index.functions.length).fill(-2);
  }

  /** Whether `fact`, made in function `from`, runs once per process. */
  runsOnce(from: number, fact: GuardedFact): boolean {
    if (!fact.once) return false;
    // Only instances known to be made afresh on every call undo a guard on `self`.
    return !fact.perInstance || this.lifetimeOf(from) !== SHORT;
  }

  /**
   * How long the instances of the class whose method `id` is live: LONG when one is made where it
   * lasts, else SHORT when one is made in an ordinary function, else UNKNOWN (not a method, no
   * `__init__` in the project, no construction site, or only sites in objects of unknown life).
   */
  private lifetimeOf(id: number): Lifetime {
    let init = this.inits[id];
    if (init === -2) this.inits[id] = init = this.initOf(id) ?? -1;
    if (init === -1) return UNKNOWN;
    const decided = this.decided[init];
    if (decided !== UNDECIDED) return decided as Lifetime;
    // While deciding: a class made in its own `__init__` chain says nothing of itself.
    this.decided[init] = UNKNOWN;
    const { functions, callers } = this.index;
    let lifetime: Lifetime = UNKNOWN;
    for (const edge of callers[init]) {
      const site = functions[edge.from];
      if (isTestPath(site.module.path)) continue;
      const made = this.siteLifetime(edge.from, site.fact, edge.call);
      if (made === LONG) {
        lifetime = LONG;
        break;
      }
      if (made === SHORT) lifetime = SHORT;
    }
    this.decided[init] = lifetime;
    return lifetime;
  }

  /** How long an instance made at `call` in function `from` lives. */
  private siteLifetime(from: number, fact: FunctionFact, call: GuardedFact): Lifetime {
    if (fact.kind === 'module' || (call.once && !call.perInstance)) return LONG;
    if (fact.kind !== 'def') return SHORT;
    if (fact.initOnce || fact.decorators.some((d) => this.caches.memoizing.has(decoratorName(d)))) return LONG;
    // Made by an `__init__` (its own, or a subclass's through `super().__init__()`), a cached
    // property, or under a guard on `self`: as long as that object.
    if (fact.className && (call.once || fact.name === '__init__' || fact.decorators.some((d) => this.caches.perInstance.has(decoratorName(d))))) return this.lifetimeOf(from);
    return SHORT;
  }

  /**
   * The `__init__` that makes instances of the class whose method `id` is, own or inherited;
   * undefined when there is none, or when a `__new__` or a metaclass decides what is made.
   */
  private initOf(id: number): number | undefined {
    const node = this.index.functions[id];
    if (!node.fact.className) return undefined;
    const cls = this.index.classes.get(`${node.module.module}.${node.fact.className}`);
    if (!cls) return undefined;
    const order = this.index.mro(cls);
    if (order.some((c) => (c.fact.metaclass && !PLAIN_METACLASS.test(c.fact.metaclass)) || this.index.functionByFqn(`${c.fqn}.__new__`))) return undefined;
    for (const c of order) {
      const init = this.index.functionByFqn(`${c.fqn}.__init__`);
      if (init) return init.id;
    }
    return undefined;
  }
}
