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
import type { CallFact, ModuleFacts } from '../facts/types.js';

/** `known(name)`: whether the catalogue says anything about this API name. */
export function pruneCalls(modules: ModuleFacts[], known: (name: string) => boolean): number {
  let dropped = 0;
  for (const module of modules) {
    for (const fn of module.functions) {
      const kept: CallFact[] = [];
      for (const call of fn.calls) {
        // A lambda's call of a plain name may be the function it hands on (`lambda: fn(*args)`
        // in an offload wrapper), which wrapper detection reads.
        if (useful(call, known) || (fn.kind === 'lambda' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(call.callee))) kept.push(call);
        else dropped++;
      }
      if (kept.length !== fn.calls.length) fn.calls = kept;
    }
  }
  return dropped;
}

function useful(call: CallFact, known: (name: string) => boolean): boolean {
  if (call.awaited || call.resolution === 'super') return true;
  if (call.args.some((a) => a.kind === 'lambda' || a.kind === 'ref' || a.kind === 'call')) return true;
  if (!call.target) return false;
  if (call.resolution === 'builtin' || call.target.startsWith('?')) return known(call.target);
  return true;
}
