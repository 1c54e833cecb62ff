/**
 * One copy of each equal string and parameter list across all the modules read in one run.
 *
 * Stage: parse + facts, on the main thread as each batch of facts arrives. JSON.parse makes a new
 * string for every occurrence of a value, so the same class name, parameter name, import target
 * or call target was held once per function or module that named it: on 5 M lines, 124 MB of
 * names that are 46 MB as one copy each. The maps live only while the facts arrive (the pool makes
 * one per run), so what they cost is not held at the analysis' peak.
 */
import type { BindingFact, FunctionFact, LoopFact, ModuleFacts } from './types.js';
import { BindingList } from './binding-list.js';

type Params = FunctionFact['params'];

/**
 * One read-only empty list for all the empty ones: functions without decorators, loops, returns or
 * parameters, classes without bases, decorators or known attributes, calls without arguments.
 */
export const EMPTY = Object.freeze([]) as unknown as never[];

export class SharedValues {
  private readonly strings = new Map<string, string>();
  private readonly paramLists = new Map<string, Params>();

  /** The one copy of `text`. */
  string(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    this.strings.set(text, text);
    return text;
  }

  /** `strings` with each entry its one copy (changed in place). */
  each(strings: string[]): string[] {
    for (let i = 0; i < strings.length; i++) strings[i] = this.string(strings[i]);
    return strings;
  }

  /**
   * The module's names, each its one copy; its functions' and classes' empty lists one shared
   * list, and equal short parameter lists one frozen list (`(self)`, `(self, request)`): the
   * facts are read, never changed, once they have crossed threads.
   */
  module(module: ModuleFacts): void {
    for (const fn of module.functions) this.function(fn);
    for (const cls of module.classes) {
      cls.name = this.string(cls.name);
      cls.qualname = this.string(cls.qualname);
      cls.bases = cls.bases.length === 0 ? EMPTY : this.each(cls.bases);
      cls.decorators = cls.decorators.length === 0 ? EMPTY : this.each(cls.decorators);
      cls.attributes = cls.attributes.length === 0 ? EMPTY : new BindingList(cls.attributes as BindingFact[], (text) => this.string(text));
      if (cls.metaclass !== undefined) cls.metaclass = this.string(cls.metaclass);
    }
    for (const i of module.imports) {
      i.local = this.string(i.local);
      i.target = this.string(i.target);
    }
  }

  private function(fn: FunctionFact): void {
    fn.name = this.string(fn.name);
    fn.qualname = this.string(fn.qualname);
    fn.className = this.string(fn.className);
    fn.decorators = fn.decorators.length === 0 ? EMPTY : this.each(fn.decorators);
    fn.returns = fn.returns.length === 0 ? EMPTY : this.each(fn.returns);
    fn.bindings = fn.bindings.length === 0 ? EMPTY : new BindingList(fn.bindings as BindingFact[], (text) => this.string(text));
    if (fn.loops.length === 0) fn.loops = EMPTY;
    for (const loop of fn.loops) this.loop(loop);
    fn.params = this.params(fn.params);
    if (fn.rebound) this.each(fn.rebound);
  }

  private loop(loop: LoopFact): void {
    if (loop.iter !== undefined) loop.iter = this.string(loop.iter);
    if (loop.subject !== undefined) loop.subject = this.string(loop.subject);
    if (loop.value !== undefined) loop.value = this.string(loop.value);
    if (loop.vars) this.each(loop.vars);
  }

  private params(params: Params): Params {
    if (params.length === 0) return EMPTY;
    for (const p of params) {
      p.name = this.string(p.name);
      if (p.annotation !== undefined) p.annotation = this.string(p.annotation);
      if (p.depends !== undefined) p.depends = this.string(p.depends);
    }
    if (params.length > 4) return params;
    let key = '';
    for (const p of params) key += `${p.name}\0${p.annotation ?? ''}\0${p.depends ?? ''}\0${p.variadic ? 1 : 0}\0${p.default ?? ''}\0`;
    const shared = this.paramLists.get(key);
    if (shared) return shared;
    this.paramLists.set(key, Object.freeze(params) as Params);
    return params;
  }
}
