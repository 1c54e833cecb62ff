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
 *
 * A call's condition is clauses of such tests (an `elif` after `if config is None and manager is
 * not None:`, the code after `if not path: return`). It runs unless no values of the parameters
 * the caller leaves open meet every clause: each parameter's value is None, false or true (one of
 * them when the argument or the default tells), and an `isinstance` test that cannot be decided
 * is free either way.
 */
import type { ArgFact, CallFact, FunctionFact, ParamDefault, RunCondition, TypeTest } from '../facts/types.js';
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
  object: ['object'],
};
const NONE_LINEAGE = ['NoneType', 'object'];
const BOOL_LINEAGE = ['bool', 'int', 'object'];

/** Concrete classes a test may name: no instance of an unrelated class passes `isinstance` with them. */
const CONCRETE = new Set([
  'str', 'bytes', 'bytearray', 'int', 'float', 'complex', 'bool', 'dict', 'list', 'tuple', 'set', 'frozenset',
  'io.BytesIO', 'io.StringIO', 'io.FileIO', 'io.BufferedReader', 'io.BufferedWriter', 'io.TextIOWrapper',
]);

/**
 * Whether `call`, made in the callee of `edge`, runs when the callee is called as `edge` calls it.
 * `above`: the calls that led to `edge`'s caller, innermost first: an argument that is one of the
 * caller's own parameters, passed on as it came (`create_route(path, favicon)` in a constructor
 * called as `Page('')`), has the value those calls gave it, or its default.
 */
export function runsWhenCalled(index: ProjectIndex, edge: Edge, call: CallFact, above?: CallsAbove): boolean {
  const condition = call.condition;
  // A function handed to an API (`map(f, rows)`) is called with arguments the call does not show.
  if (!condition || edge.argumentOf !== undefined) return true;
  return satisfiable(condition, (param) => valueKinds(valueFor(index, edge, param, above)), (test) => testOutcome(index, test, argumentFor(index, edge, test.param, above)));
}

/** The calls that led to a call, innermost first, as a list each call down extends without copying. */
export interface CallsAbove {
  readonly edge: Edge;
  readonly up: CallsAbove | undefined;
}

/**
 * The caller's parameter that `arg` passes on unchanged, with the call that led to the caller:
 * a bare name of a parameter the caller never binds again, when `above` holds the call into it.
 */
function forwarded(index: ProjectIndex, edge: Edge, arg: ArgFact, above: CallsAbove | undefined): { name: string; outer: Edge } | undefined {
  const outer = above?.edge;
  if (!outer || outer.to !== edge.from || outer.argumentOf !== undefined || arg.kind !== 'ref' || arg.text === undefined) return undefined;
  const caller = index.functions[edge.from].fact;
  const name = arg.text;
  const at = caller.params.findIndex((p) => p.name === name);
  if (at < 0 || (at === 0 && bindsFirstParameter(caller)) || caller.params[at].variadic) return undefined;
  return caller.rebound?.includes(name) ? undefined : { name, outer };
}

/** What a value test tells apart: None, a false value that is not None, a true one. */
type ValueKind = 'none' | 'false' | 'true';
const ANY_VALUE: readonly ValueKind[] = ['none', 'false', 'true'];
/** Assignments tried at most before a condition is taken to be met. */
const MAX_ASSIGNMENTS = 256;

/** The kinds of value a parameter may have, given what the caller passes for it. */
function valueKinds(value: Value | undefined): readonly ValueKind[] {
  switch (value) {
    case 'none': return ['none'];
    case 'false': case 'empty': return ['false'];
    case 'true': case 'value': return ['true'];
    case 'object': return ['false', 'true'];
    default: return ANY_VALUE;
  }
}

/**
 * Whether some values of the parameters, each one of the kinds `kinds` allows, and some outcome
 * of each `isinstance` test that `outcome` cannot decide, meet every clause of `condition`.
 */
function satisfiable(condition: RunCondition, kinds: (param: string) => readonly ValueKind[], outcome: (test: TypeTest) => boolean | undefined): boolean {
  const params = new Map<string, readonly ValueKind[]>();
  // `isinstance` tests by parameter and types: `if isinstance(p, T)` and its `else` test the same.
  const open = new Map<string, number>();
  const known = new Map<string, boolean>();
  for (const clause of condition) {
    for (const test of clause) {
      if (test.value) {
        if (!params.has(test.param)) params.set(test.param, kinds(test.param));
        continue;
      }
      const key = isinstanceKey(test);
      if (known.has(key) || open.has(key)) continue;
      const decided = outcome(test);
      if (decided === undefined) open.set(key, open.size);
      else known.set(key, decided);
    }
  }
  const names = [...params.keys()];
  let assignments = 2 ** open.size;
  for (const name of names) assignments *= params.get(name)!.length;
  if (assignments > MAX_ASSIGNMENTS) return true;
  const value = new Map<string, ValueKind>();
  for (let n = 0; n < assignments; n++) {
    // Assignment number n: the open tests' outcomes in its low bits, then each parameter's kind.
    let rest = n >> open.size;
    for (const name of names) {
      const allowed = params.get(name)!;
      value.set(name, allowed[rest % allowed.length]);
      rest = Math.floor(rest / allowed.length);
    }
    const holds = (test: TypeTest): boolean => {
      let result: boolean;
      if (test.value === 'none') result = value.get(test.param) === 'none';
      else if (test.value === 'truthy') result = value.get(test.param) === 'true';
      else {
        const key = isinstanceKey(test);
        result = known.get(key) ?? ((n >> open.get(key)!) & 1) === 1;
      }
      return result === test.runsWhen;
    };
    if (condition.every((clause) => clause.some(holds))) return true;
  }
  return false;
}

/** What tells one `isinstance` test from another. */
function isinstanceKey(test: TypeTest): string {
  return `${test.param}\0${test.types.join('\0')}`;
}

/** What a value test sees: a literal default's kind, or `object` for an instance (never None, of unknown truth). */
type Value = ParamDefault | 'object';

/**
 * The value `edge` passes for the callee's parameter `param`, or the parameter's default when it
 * passes none; a parameter of the caller passed on takes its value from the calls `above`.
 */
function valueFor(index: ProjectIndex, edge: Edge, param: string, above: CallsAbove | undefined): Value | undefined {
  const passed = passedFor(index, edge, param);
  if (!passed || edge.call.args.some((a) => a.kind === 'splat')) return undefined;
  if (!passed.arg) return index.functions[edge.to].fact.params[passed.at].default;
  const through = forwarded(index, edge, passed.arg, above);
  return through ? valueFor(index, through.outer, through.name, above!.up) : argumentValue(index, passed.arg, index.functions[edge.from].fact);
}

/** What an argument `caller` passes is, as far as a value test can tell. */
function argumentValue(index: ProjectIndex, arg: ArgFact, caller: FunctionFact): Value | undefined {
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
      // A method's own instance (`Download(config, manager=self)`) is never None.
      if (arg.kind === 'ref' && arg.text === caller.params[0]?.name && bindsFirstParameter(caller)) return 'object';
      return lineageOf(index, arg) ? 'object' : undefined;
  }
}

/** The argument `edge` passes for the callee's parameter `param`, if it can be told (through the calls `above`, as valueFor). */
function argumentFor(index: ProjectIndex, edge: Edge, param: string, above: CallsAbove | undefined): ArgFact | undefined {
  const arg = passedFor(index, edge, param)?.arg;
  const through = arg && forwarded(index, edge, arg, above);
  return through ? argumentFor(index, through.outer, through.name, above!.up) ?? arg : arg;
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
