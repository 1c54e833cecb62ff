/**
 * Drops the calls no later stage can use, before the project index is built, so that the largest
 * part of the facts (calls) takes less memory on big trees.
 *
 * Stage: graph. A call is kept when it may be resolved to a project function, matched by the
 * catalogue, awaited (evidence of I/O in a coroutine), or hands over a function (it has a lambda
 * or name argument), or is a lambda's call of a plain name. Dropped: calls whose callee is unknowable, and builtins and unknown-receiver
 * methods that no catalogue entry names (`len`, `isinstance`, `?.append`). Loop and operation
 * counts were taken in the facts stage and do not change.
 */
import { CallRange } from '../facts/call-table.js';
import type { CallFact, FunctionFact, ModuleFacts } from '../facts/types.js';

/** `known(name)`: whether the catalogue says anything about this API name. */
export function pruneCalls(modules: ModuleFacts[], known: (name: string) => boolean): void {
  for (const module of modules) {
    const { functions } = module;
    const first = functions.find((fn) => fn.calls instanceof CallRange && fn.calls.length > 0)?.calls as CallRange | undefined;
    if (first) {
      // Call columns (facts that crossed threads): the module's table, compacted in place.
      const kept = first.table.compact(functions.map((fn) => fn.calls as CallRange), (call, f) => keeps(functions[f], call, known));
      functions.forEach((fn, f) => (fn.calls = kept[f]));
    }
    for (const fn of functions) {
      if (Array.isArray(fn.calls)) fn.calls = fn.calls.filter((call) => keeps(fn, call, known));
    }
  }
}

/**
 * A lambda's call of a plain name may be the function it hands on (`lambda: fn(*args)` in an
 * offload wrapper), which wrapper detection reads.
 */
function keeps(fn: FunctionFact, call: CallFact, known: (name: string) => boolean): boolean {
  return useful(call, known) || (fn.kind === 'lambda' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(call.callee));
}

function useful(call: CallFact, known: (name: string) => boolean): boolean {
  if (call.awaited || call.resolution === 'super') return true;
  if (call.args.some((a) => a.kind === 'lambda' || a.kind === 'ref' || a.kind === 'call')) return true;
  if (!call.target) return false;
  if (call.resolution === 'builtin' || call.target.startsWith('?')) return known(call.target);
  return true;
}
