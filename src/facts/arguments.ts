/**
 * Reading a call's arguments against the parameters of the function it calls.
 *
 * Stage: facts (used by every later stage). The facts keep a call's arguments as written
 * (ArgFact); these answer which of them a parameter receives, whether the callee's first
 * parameter is passed at all, and what call made an argument's value.
 */
import type { ArgFact, FunctionFact } from './types.js';

/**
 * The argument a call passes for parameter `name` at 0-based `position` (not counting a bound
 * `self`): by keyword, else by position, unless a `*args` at or before it hides which one it is.
 */
export function passedArgument(args: readonly ArgFact[], name: string, position: number): ArgFact | undefined {
  const keyword = args.find((a) => a.keyword === name);
  if (keyword) return keyword;
  const positional = args.filter((a) => !a.keyword);
  const splat = positional.findIndex((a) => a.kind === 'splat');
  return splat >= 0 && splat <= position ? undefined : positional[position];
}

/** Whether the function's first parameter is bound rather than passed: a method's `self`, or a class method's `cls` (a static method's is passed). */
export function bindsFirstParameter(fact: FunctionFact): boolean {
  return fact.className !== '' && !fact.decorators.some((d) => /staticmethod$/.test(d));
}

/**
 * The call that made an argument's value, resolved: `io.BytesIO` for `io.BytesIO(data)`, and for
 * a name bound to `io.BytesIO()` before the call; '' when it is not known.
 */
export function madeBy(arg: ArgFact): string {
  const target = arg.target ?? '';
  if (arg.kind === 'call') return target;
  return arg.kind === 'ref' && target.endsWith('()') ? target.slice(0, -2) : '';
}

/**
 * Whether a `connect(...)` call opens one of SQLite's in-memory databases: its `database` argument
 * is `":memory:"`, or a `file::memory:` or `mode=memory` URI (https://www.sqlite.org/inmemorydb.html).
 */
export function opensMemoryDatabase(args: readonly ArgFact[]): boolean {
  const database = passedArgument(args, 'database', 0);
  const name = database?.kind === 'literal' ? database.text : undefined;
  return name !== undefined && (name === ':memory:' || name.startsWith('file::memory:') || (name.startsWith('file:') && /[?&]mode=memory(?:&|$)/.test(name)));
}
