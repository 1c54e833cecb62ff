/**
 * Facts as text, the form in which they cross threads and sit in the cache: each module's strings
 * that calls name (callees, targets, argument keywords and texts) are written once, in a table,
 * its distinct arguments and argument lists once each, in two more, and each function's calls
 * (and property reads) are one flat list of integers.
 *
 * Stage: parse + facts. Calls are most of the facts (on the standard library 385 k calls with
 * 462 k arguments), and as JSON objects each would repeat its key names. As integers the facts
 * take 40 % less text, which is quicker to write in the worker, to parse on the main thread and to
 * read from the cache; and one string per module is kept for each name, where parsing JSON would
 * make a new string for every occurrence. Arguments repeat even more (`self`, `None`, the same
 * name handed on): on 5 M lines 1.9 M arguments in 1.1 M lists are 0.56 M distinct arguments and
 * 0.39 M distinct lists, so each module's equal ones are found in the worker, and each distinct
 * argument is read back as one frozen object (the lists become columns of indexes to them).
 *
 * A call is CALL_VALUES integers:
 *   callee, target (table indexes), resolution (RESOLUTIONS index, -1 none), span line, column,
 *   end line, end column, flags (1 awaited, 2 once, 4 once per instance, 8 in an `except` clause),
 *   loop (-1 none), argument list (index into `argLists`, -1 for no arguments), run condition
 *   (table index of its JSON text, -1 none: few calls have one).
 * An argument list is a list of indexes into `args`, which holds ARG_VALUES integers per argument:
 *   kind (ARG_KINDS index), keyword, text (table indexes, -1 none), lambda (-1 none), target
 *   (table index, -1 none).
 * Read back, each module's calls are its call columns (call-table.ts), whose calls read as those
 * written; attribute reads are objects equal to those written, with their members in the order
 * the extractor gives them.
 */
import type { ArgFact, CallFact, FunctionFact, ModuleFacts, Resolution, RunCondition } from './types.js';
import { AWAITED, CALL_WIDTH, CallTable, ONCE, ON_ERROR, PER_INSTANCE, rangeOf } from './call-table.js';
import { SharedValues } from './shared-values.js';

/** Resolutions by code; every Resolution must be listed (checked below). */
const RESOLUTIONS = ['import', 'local-def', 'binding', 'self', 'super', 'builtin', 'unbound', 'unknown'] as const satisfies readonly Resolution[];
/** Argument kinds by code; every ArgFact kind must be listed (checked below). */
const ARG_KINDS = ['ref', 'lambda', 'call', 'none', 'true', 'false', 'literal', 'splat', 'other'] as const satisfies readonly ArgFact['kind'][];
// Compile-time checks: a kind or resolution added to the types but not here is an error.
type Listed<All, Codes> = [Exclude<All, Codes>] extends [never] ? true : never;
const listed: [Listed<Resolution, (typeof RESOLUTIONS)[number]>, Listed<ArgFact['kind'], (typeof ARG_KINDS)[number]>] = [true, true];
void listed;

const RESOLUTION_CODE = new Map<string, number>(RESOLUTIONS.map((r, i) => [r, i]));
const KIND_CODE = new Map<string, number>(ARG_KINDS.map((k, i) => [k, i]));
const CALL_VALUES = 11;
const ARG_VALUES = 5;
const NONE = -1;

/** A module's facts as written: calls as integers, their strings in `strings`, their arguments in `args` and `argLists`. */
interface WireModule extends ModuleFacts {
  strings?: string[];
  args?: number[];
  argLists?: number[][];
}

/** A function's facts as written. */
interface WireFunction {
  calls: number[] | CallFact[];
  reads?: number[] | CallFact[];
}

/** `facts` as text. The facts are changed in place (they are made for this and dropped after). */
export function factsToText(facts: ModuleFacts): string {
  const table = new Table();
  for (const fn of facts.functions as unknown as WireFunction[]) {
    fn.calls = callsToNumbers(fn.calls as CallFact[], table);
    if (fn.reads) fn.reads = callsToNumbers(fn.reads as CallFact[], table);
  }
  const wire = facts as WireModule;
  wire.strings = table.strings;
  wire.args = table.args;
  wire.argLists = table.argLists;
  return JSON.stringify(facts);
}

/** One module's tables as they are written: each distinct string, argument and argument list once. */
class Table {
  readonly strings: string[] = [];
  readonly args: number[] = [];
  readonly argLists: number[][] = [];
  private readonly stringIndexes = new Map<string, number>();
  private readonly argIndexes = new Map<number | string, number>();
  private readonly listIndexes = new Map<number | string, number>();

  string(text: string | undefined): number {
    if (text === undefined) return NONE;
    let index = this.stringIndexes.get(text);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(text);
      this.stringIndexes.set(text, index);
    }
    return index;
  }

  argList(args: readonly ArgFact[]): number {
    if (args.length === 0) return NONE;
    const list = new Array<number>(args.length);
    for (let i = 0; i < args.length; i++) list[i] = this.arg(args[i]);
    const key = listKey(list);
    let index = this.listIndexes.get(key);
    if (index === undefined) {
      index = this.argLists.length;
      this.argLists.push(list);
      this.listIndexes.set(key, index);
    }
    return index;
  }

  private arg(arg: ArgFact): number {
    const kind = KIND_CODE.get(arg.kind)!;
    const keyword = this.string(arg.keyword);
    const text = this.string(arg.text);
    const lambda = arg.lambda ?? NONE;
    const target = this.string(arg.target);
    const key = argKey(kind, keyword, text, lambda, target);
    let index = this.argIndexes.get(key);
    if (index === undefined) {
      index = this.args.length / ARG_VALUES;
      this.args.push(kind, keyword, text, lambda, target);
      this.argIndexes.set(key, index);
    }
    return index;
  }
}

/**
 * Keys for the tables' maps, as a number where it fits (most do, and a number is quicker to make
 * and look up than a string): 15 bits for each table index, 4 for an argument's kind.
 */
const INDEX_BITS = 2 ** 15;
const LIST_BITS = 2 ** 24;

function argKey(kind: number, keyword: number, text: number, lambda: number, target: number): number | string {
  if (lambda !== NONE || keyword + 1 >= INDEX_BITS || text + 1 >= INDEX_BITS || target + 1 >= INDEX_BITS) return `${kind} ${keyword} ${text} ${lambda} ${target}`;
  return (((target + 1) * INDEX_BITS + (text + 1)) * INDEX_BITS + (keyword + 1)) * 16 + kind;
}

/** One argument's list is its index; two small ones are a number above every single index. */
function listKey(list: readonly number[]): number | string {
  if (list.length === 1) return list[0];
  if (list.length === 2 && list[0] < LIST_BITS && list[1] < LIST_BITS) return 2 * LIST_BITS * LIST_BITS + list[0] * LIST_BITS + list[1];
  return list.join(',');
}

/**
 * The facts of each module in `text` (a JSON array of what factsToText wrote). Calls become each
 * module's call columns (see call-table.ts); everything else is as made, with each name one copy
 * among all the modules read with the same `shared`.
 */
export function factsFromText(text: string, shared = new SharedValues()): ModuleFacts[] {
  const modules = JSON.parse(text) as WireModule[];
  for (const module of modules) {
    const { strings, args, argLists } = module;
    // Facts made without tables (an unreadable file) have no calls.
    if (strings === undefined || args === undefined || argLists === undefined) continue;
    // The last members written, deleted last first, so the module keeps its fast shape.
    delete module.argLists;
    delete module.args;
    delete module.strings;
    shared.module(module);
    shared.each(strings);
    const functions = module.functions as unknown as WireFunction[];
    let total = 0;
    for (const fn of functions) total += fn.calls.length / CALL_VALUES;
    const table = new CallTable(strings, new Int32Array(total * CALL_WIDTH), argsFromNumbers(args, strings), ...listColumns(argLists), RESOLUTIONS, undefined);
    let start = 0;
    // Equal conditions (`if verbose:` over a dozen calls) are one frozen object per module.
    const tests = new Conditions(strings);
    for (const fn of functions) {
      const count = fn.calls.length / CALL_VALUES;
      writeCalls(fn.calls as number[], table, start, tests);
      (fn as unknown as FunctionFact).calls = rangeOf(table, start, count);
      start += count;
      if (fn.reads) fn.reads = callsFromNumbers(fn.reads as number[], strings, table, tests);
    }
  }
  return modules;
}

/** A module's run conditions read back, each distinct one parsed once and frozen (the calls share them). */
class Conditions {
  private readonly parsed = new Map<number, RunCondition>();

  constructor(private readonly strings: readonly string[]) {}

  /** The condition written as the string at `index`; undefined for NONE. */
  at(index: number): RunCondition | undefined {
    if (index === NONE) return undefined;
    let test = this.parsed.get(index);
    if (!test) this.parsed.set(index, (test = Object.freeze(JSON.parse(this.strings[index]) as RunCondition)));
    return test;
  }
}

/** Writes the calls `values` encode into `table` from position `start`. */
function writeCalls(values: readonly number[], table: CallTable, start: number, tests: Conditions): void {
  for (let at = 0, c = start; at < values.length; at += CALL_VALUES, c++) {
    table.write(
      c, values[at], values[at + 1], values[at + 2], values[at + 7], values[at + 8], values[at + 3], values[at + 4], values[at + 5], values[at + 6], values[at + 9],
      tests.at(values[at + 10]),
    );
  }
}

function callsToNumbers(calls: readonly CallFact[], table: Table): number[] {
  const out: number[] = [];
  for (const call of calls) {
    out.push(
      table.string(call.callee), table.string(call.target), call.resolution === undefined ? NONE : RESOLUTION_CODE.get(call.resolution)!,
      call.line, call.column, call.endLine, call.endColumn,
      (call.awaited ? AWAITED : 0) | (call.once ? ONCE : 0) | (call.perInstance ? PER_INSTANCE : 0) | (call.onError ? ON_ERROR : 0), call.loop ?? NONE, table.argList(call.args),
      call.condition ? table.string(JSON.stringify(call.condition)) : NONE,
    );
  }
  return out;
}


/** The distinct arguments of a module, each made once and frozen (calls share them, so no stage may change them). */
function argsFromNumbers(values: readonly number[], strings: readonly string[]): ArgFact[] {
  const args = new Array<ArgFact>(values.length / ARG_VALUES);
  for (let i = 0; i < args.length; i++) args[i] = Object.freeze(argFromNumbers(values, i * ARG_VALUES, strings));
  return args;
}

/** A module's argument lists as the columns of a CallTable: where each starts, and its arguments. */
function listColumns(argLists: readonly number[][]): [Int32Array, Int32Array] {
  const starts = new Int32Array(argLists.length + 1);
  for (let l = 0; l < argLists.length; l++) starts[l + 1] = starts[l] + argLists[l].length;
  const items = new Int32Array(starts[argLists.length]);
  for (let l = 0; l < argLists.length; l++) items.set(argLists[l], starts[l]);
  return [starts, items];
}

/**
 * The attribute reads `values` encode (as calls; they live only while the graph is built). Every
 * object is made whole by one literal and every list at its final size: members added one by one
 * would go to a separate, larger store, and lists grown by push keep spare room (together half as
 * much memory again as the facts parsed from JSON objects).
 */
function callsFromNumbers(values: readonly number[], strings: readonly string[], table: CallTable, tests: Conditions): CallFact[] {
  const calls = new Array<CallFact>(values.length / CALL_VALUES);
  for (let c = 0, at = 0; c < calls.length; c++, at += CALL_VALUES) {
    const callee = strings[values[at]];
    const target = strings[values[at + 1]];
    const code = values[at + 2];
    const line = values[at + 3];
    const column = values[at + 4];
    const endLine = values[at + 5];
    const endColumn = values[at + 6];
    const flags = values[at + 7];
    const loop = values[at + 8];
    const list = values[at + 9];
    const test = values[at + 10];
    const args = table.argsOf(list);
    let call: CallFact;
    if (flags !== 0 || test !== NONE) {
      // Awaited, once-only and type-tested calls are few: their optional members are added one by one.
      call = { callee, target, line, column, endLine, endColumn, args };
      if (flags & AWAITED) call.awaited = true;
      if (loop !== NONE) call.loop = loop;
      if (flags & ONCE) call.once = true;
      if (flags & PER_INSTANCE) call.perInstance = true;
      if (flags & ON_ERROR) call.onError = true;
      if (code !== NONE) call.resolution = RESOLUTIONS[code];
      if (test !== NONE) call.condition = tests.at(test);
    } else if (code !== NONE) {
      const resolution = RESOLUTIONS[code];
      call = loop !== NONE ? { callee, target, line, column, endLine, endColumn, args, loop, resolution } : { callee, target, line, column, endLine, endColumn, args, resolution };
    } else {
      call = loop !== NONE ? { callee, target, line, column, endLine, endColumn, args, loop } : { callee, target, line, column, endLine, endColumn, args };
    }
    calls[c] = call;
  }
  return calls;
}

/** The argument encoded at `at`, made by the literal of the members it has. */
function argFromNumbers(values: readonly number[], at: number, strings: readonly string[]): ArgFact {
  const kind = ARG_KINDS[values[at]];
  const keyword = values[at + 1];
  const text = values[at + 2];
  const lambda = values[at + 3];
  const target = values[at + 4];
  const has = (keyword !== NONE ? 1 : 0) | (text !== NONE ? 2 : 0) | (lambda !== NONE ? 4 : 0) | (target !== NONE ? 8 : 0);
  switch (has) {
    case 0: return { kind };
    case 2: return { kind, text: strings[text] };
    case 2 | 8: return { kind, text: strings[text], target: strings[target] };
    case 1: return { kind, keyword: strings[keyword] };
    case 1 | 2: return { kind, keyword: strings[keyword], text: strings[text] };
    case 1 | 2 | 8: return { kind, keyword: strings[keyword], text: strings[text], target: strings[target] };
    case 4: return { kind, lambda };
    case 1 | 4: return { kind, keyword: strings[keyword], lambda };
    default: {
      const arg: ArgFact = { kind };
      if (keyword !== NONE) arg.keyword = strings[keyword];
      if (text !== NONE) arg.text = strings[text];
      if (lambda !== NONE) arg.lambda = lambda;
      if (target !== NONE) arg.target = strings[target];
      return arg;
    }
  }
}
