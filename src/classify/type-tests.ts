/**
 * Whether a call made under a test of a parameter runs, given what a caller passes: an
 * `isinstance` test, or a test of the value (`if param:`, `if param is None:`).
 *
 * Stage: classify. A function that takes a path or a file object (`if isinstance(fp, io.IOBase):
 * ... else: fp = open(fp)`) opens nothing when its caller passes a buffer it makes there
 * (`File(io.BytesIO(data))`). What an argument is an instance of is known when the call makes it
 * (`io.BytesIO(...)`, a project class), when it is a name bound to such a call, and for `None`,
 * `True` and `False`. A test is decided true when one of its types is among those classes, and
 * false when all of the argument's classes are known, none is tested, and every tested type is a
 * concrete class (an abstract base class such as `os.PathLike` may claim instances that do not
 * derive from it). Anything else leaves the call as if it always ran.
 *
 * A value test is decided by the argument passed (`None`, `True`, `False`, a literal, an instance
 * a call makes: not None) or, when the call passes none and nothing through `*args` or
 * `**kwargs`, by the parameter's literal default: `Nanny(address)` does not run what `__init__`
 * does under `if scheduler_file:` with `scheduler_file=None`.
 */
import type { ArgFact, CallFact, ParamDefault, TypeTest } from '../facts/types.js';
import { bindsFirstParameter, madeBy, passedArgument } from '../facts/arguments.js';
import type { Edge, ProjectIndex } from '../graph/index.js';

/** Library and built-in classes an instance is known to be of, with their bases (from the Python documentation of `io` and the built-in types). */
const LIBRARY_LINEAGE: Record<string, string[]> = {
  'io.BytesIO': ['io.BytesIO', 'io.BufferedIOBase', 'io.IOBase', 'object'],
  'io.StringIO': ['io.StringIO', 'io.TextIOBase', 'io.IOBase', 'object'],
  str: ['str', 'object'],
  int: ['int', 'object'],
  float: ['float', 'object'],
  bytearray: ['bytearray', 'object'],
  bytes: ['bytes', 'object'],
  dict: ['dict', 'object'],
  frozenset: ['frozenset', 'object'],
  list: ['list', 'object'],
  set: ['set', 'object'],
  tuple: ['tuple', 'object'],
};
const NONE_LINEAGE = ['NoneType', 'object'];
const BOOL_LINEAGE = ['bool', 'int', 'object'];

/** Concrete classes a test may name: no instance of an unrelated class passes `isinstance` with them. */
const CONCRETE = new Set([
  'str', 'bytes', 'bytearray', 'int', 'float', 'complex', 'bool', 'dict', 'list', 'tuple', 'set', 'frozenset',
  'io.BytesIO', 'io.StringIO', 'io.FileIO', 'io.BufferedReader', 'io.BufferedWriter', 'io.TextIOWrapper',
]);

/** Whether `call`, made in the callee of `edge`, runs when the callee is called as `edge` calls it. */
export function runsWhenCalled(index: ProjectIndex, edge: Edge, call: CallFact): boolean {
  const test = call.typeTest;
  // A function handed to an API (`map(f, rows)`) is called with arguments the call does not show.
  if (!test || edge.argumentOf !== undefined) return true;
  const outcome = test.value ? valueOutcome(test.value, valueFor(index, edge, test.param)) : testOutcome(index, test, argumentFor(index, edge, test.param));
  return outcome === undefined || outcome === test.runsWhen;
}

/** What a value test sees: a literal default's kind, or `object` for an instance (never None, of unknown truth). */
type Value = ParamDefault | 'object';

/** The outcome of `param is None` (`none`) or of `param`'s truth (`truthy`) for `value`: undefined when it cannot be told. */
function valueOutcome(test: 'none' | 'truthy', value: Value | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (test === 'none') return value === 'none';
  if (value === 'object') return undefined;
  return value === 'true' || value === 'value';
}

/** The value `edge` passes for the callee's parameter `param`, or the parameter's default when it passes none. */
function valueFor(index: ProjectIndex, edge: Edge, param: string): Value | undefined {
  const passed = passedFor(index, edge, param);
  if (!passed || edge.call.args.some((a) => a.kind === 'splat')) return undefined;
  return passed.arg ? argumentValue(index, passed.arg) : index.functions[edge.to].fact.params[passed.at].default;
}

/** What an argument is, as far as a value test can tell. */
function argumentValue(index: ProjectIndex, arg: ArgFact): Value | undefined {
  switch (arg.kind) {
    case 'none': return 'none';
    case 'true': return 'true';
    case 'false': return 'false';
    case 'lambda': return 'value';
    case 'literal':
      // Digits and short plain strings keep their text (see ArgFact.text); other literals are at least not None.
      if (arg.text === undefined) return 'object';
      return /^[0_]+$/.test(arg.text) || arg.text === '' ? 'empty' : 'value';
    default:
      return lineageOf(index, arg) ? 'object' : undefined;
  }
}

/** The argument `edge` passes for the callee's parameter `param`, if it can be told. */
function argumentFor(index: ProjectIndex, edge: Edge, param: string): ArgFact | undefined {
  return passedFor(index, edge, param)?.arg;
}

/**
 * The callee's parameter `param` as `edge` fills it: its index among the parameters, and the
 * argument passed for it (undefined when none is); undefined for a bound (`self`, `cls`) or unknown
 * parameter.
 */
function passedFor(index: ProjectIndex, edge: Edge, param: string): { at: number; arg: ArgFact | undefined } | undefined {
  const fact = index.functions[edge.to].fact;
  const at = fact.params.findIndex((p) => p.name === param);
  const bound = bindsFirstParameter(fact) ? 1 : 0;
  if (at < bound) return undefined;
  const args = edge.call.args;
  // After a `*args`, a parameter is passed by keyword only.
  const keywordOnly = fact.params.slice(0, at).some((p) => p.variadic);
  return { at, arg: keywordOnly ? args.find((a) => a.keyword === param) : passedArgument(args, param, at - bound) };
}

/** The outcome of `test` for `arg`: true, false, or undefined when it cannot be told. */
function testOutcome(index: ProjectIndex, test: TypeTest, arg: ArgFact | undefined): boolean | undefined {
  const lineage = arg && lineageOf(index, arg);
  if (!lineage) return undefined;
  if (test.types.some((t) => lineage.names.includes(t))) return true;
  return lineage.complete && test.types.every((t) => CONCRETE.has(t) || index.classes.has(t)) ? false : undefined;
}

/** The classes `arg` is an instance of, when known. */
function lineageOf(index: ProjectIndex, arg: ArgFact): { names: string[]; complete: boolean } | undefined {
  if (arg.kind === 'none') return { names: NONE_LINEAGE, complete: true };
  if (arg.kind === 'true' || arg.kind === 'false') return { names: BOOL_LINEAGE, complete: true };
  const made = madeBy(arg);
  if (!made) return undefined;
  const library = LIBRARY_LINEAGE[made];
  return library ? { names: library, complete: true } : index.lineage(made);
}
