/**
 * Whether work a cache guard keeps to one run (`once` facts) runs once per process or once per use.
 *
 * Stage: graph. A guard on a module global or a class attribute holds for the whole process. A
 * guard on an attribute of `self` (`if self._rows is None: self._rows = load()`) holds for one
 * instance only, so it saves work per process only if the instances live as long as the process:
 * made at module level, in a function that runs once (under a guard of its own, or cached), or in
 * the `__init__` of an object that lives as long. An instance made in an ordinary function (a
 * request handler making a service that makes a matcher) is made again on every call, and so is
 * the guarded work. Construction sites in test code are left out (a test makes what it tests).
 * A class keeps its guards when how long its instances live cannot be told from its construction
 * sites: none in the project (a framework makes them), or a `__new__` or a metaclass of its own
 * that decides what a construction returns (a singleton's cached instance).
 */
import type { FunctionFact } from '../facts/types.js';
import { isTestPath } from '../discover/test-paths.js';
import type { ProjectIndex } from './index.js';

/** What a guard marks: a call or a loop. */
export interface GuardedFact {
  once?: true;
  perInstance?: true;
}

/** Decorators that keep a function's result, so that what it makes lives as long as the process. */
const CACHING = /^(?:functools\.)?(?:lru_cache|cache)(?:\(.*\))?$/;
/** Decorators of a method that runs once per instance. */
const PER_INSTANCE = /^(?:functools\.)?cached_property$/;
/** Metaclasses that leave construction as it is. */
const PLAIN_METACLASS = /^(?:(?:abc\.)?ABCMeta|type|(?:enum\.)?EnumMeta|(?:enum\.)?EnumType)$/;

const UNDECIDED = 0;
const SHORT = 1;
const LONG = 2;

export class InstanceLifetimes {
  /** By function id of an `__init__`: whether its instances live as long as the process. */
  private readonly decided: Uint8Array;

  constructor(private readonly index: ProjectIndex) {
    this.decided = new Uint8Array(index.functions.length);
  }

  /** Whether `fact`, made in function `from`, runs once per process. */
  runsOnce(from: number, fact: GuardedFact): boolean {
    if (!fact.once) return false;
    return !fact.perInstance || this.instancesOutlive(from);
  }

  /**
   * Whether the instances of the class whose method `id` is live as long as the process; true
   * when it cannot be known (not a method, no `__init__` in the project, no construction site).
   */
  private instancesOutlive(id: number): boolean {
    const init = this.initOf(id);
    if (init === undefined) return true;
    const decided = this.decided[init];
    if (decided !== UNDECIDED) return decided === LONG;
    // Optimistic while deciding: a class made in its own `__init__` chain says nothing against itself.
    this.decided[init] = LONG;
    const { functions, callers } = this.index;
    let long = true;
    for (const edge of callers[init]) {
      const site = functions[edge.from];
      if (isTestPath(site.module.path)) continue;
      if (!this.siteOutlives(edge.from, site.fact, edge.call)) {
        long = false;
        break;
      }
    }
    this.decided[init] = long ? LONG : SHORT;
    return long;
  }

  /** Whether an instance made at `call` in function `from` lives as long as the process. */
  private siteOutlives(from: number, fact: FunctionFact, call: GuardedFact): boolean {
    if (fact.kind === 'module' || this.runsOnce(from, call)) return true;
    if (fact.kind !== 'def') return false;
    if (fact.initOnce || fact.decorators.some((d) => CACHING.test(d))) return true;
    // Made by an `__init__` (its own, or a subclass's through `super().__init__()`) or a cached property: as long as that instance.
    if (fact.className && (fact.name === '__init__' || fact.decorators.some((d) => PER_INSTANCE.test(d)))) return this.instancesOutlive(from);
    return false;
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
