/**
 * Facts as text, the form in which they cross threads and sit in the cache: each module's call
 * strings (callees, targets, argument texts) are written once, in a table, and referred to by
 * their index in it.
 *
 * Stage: parse + facts. A module names the same few callees and targets again and again
 * (`self.assertEqual` a hundred times in a test module), and parsing JSON makes a new string for
 * every occurrence: with the table, the main thread parses less text and keeps one string per
 * module for each (about an eighth of the facts' memory), for one pass over the calls here and
 * one there.
 */
import type { CallFact, ModuleFacts } from './types.js';

/** A module's facts as written: call strings as indexes into `strings`. */
interface WireModule extends ModuleFacts {
  strings?: string[];
}

/** `facts` as text. The facts are changed in place (they are made for this and dropped after). */
export function factsToText(facts: ModuleFacts): string {
  const strings: string[] = [];
  const indexes = new Map<string, number>();
  const ref = (text: string): number => {
    let index = indexes.get(text);
    if (index === undefined) {
      index = strings.length;
      strings.push(text);
      indexes.set(text, index);
    }
    return index;
  };
  // A call or argument object the facts hold twice is swapped once.
  swapModule(facts, (value) => (typeof value === 'string' ? ref(value) : value));
  (facts as WireModule).strings = strings;
  return JSON.stringify(facts);
}

/** The facts of each module in `text` (a JSON array of what factsToText wrote), as made. */
export function factsFromText(text: string): ModuleFacts[] {
  const modules = JSON.parse(text) as WireModule[];
  for (const module of modules) {
    const strings = module.strings;
    if (strings === undefined) continue;
    delete module.strings;
    swapModule(module, (value) => (typeof value === 'number' ? strings[value] : value));
  }
  return modules;
}

/** A call string to its index in the table, or back. */
type Swap = (value: string | number) => string | number;

/** Swaps the strings of every call and property read of a module. */
function swapModule(facts: ModuleFacts, swap: Swap): void {
  for (const fn of facts.functions) {
    for (const call of fn.calls) swapStrings(call, swap);
    for (const read of fn.reads ?? []) swapStrings(read, swap);
  }
}

/** Replaces each string of a call (callee, target, its arguments' texts and targets), or its index, by what `swap` gives. */
function swapStrings(call: CallFact, swap: Swap): void {
  const fields = call as unknown as Record<'callee' | 'target', string | number>;
  fields.callee = swap(fields.callee);
  fields.target = swap(fields.target);
  for (const arg of call.args) {
    const a = arg as unknown as Partial<Record<'text' | 'target', string | number>>;
    if (a.text !== undefined) a.text = swap(a.text);
    if (a.target !== undefined) a.target = swap(a.target);
  }
}
