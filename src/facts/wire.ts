/**
 * Facts as text, the form in which they cross threads and sit in the cache: each module's strings
 * that calls name (callees, targets, argument keywords and texts) are written once, in a table,
 * and each function's calls (and property reads) are one flat list of integers.
 *
 * Stage: parse + facts. Calls are most of the facts (on the standard library 385 k calls with
 * 462 k arguments), and as JSON objects each would repeat its key names. As integers the facts
 * take 40 % less text, which is quicker to write in the worker, to parse on the main thread and to
 * read from the cache; and one string per module is kept for each name, where parsing JSON would
 * make a new string for every occurrence.
 *
 * A call is CALL_VALUES integers followed by ARG_VALUES per argument:
 *   callee, target (table indexes), resolution (RESOLUTIONS index, -1 none), span line, column,
 *   end line, end column, flags (1 awaited, 2 once), loop (-1 none), argument count;
 *   per argument: kind (ARG_KINDS index), keyword, text (table indexes, -1 none), lambda (-1
 *   none), target (table index, -1 none).
 * The objects read back are equal to those written, with their members in the order the
 * extractor gives them.
 */
import type { ArgFact, CallFact, ModuleFacts, Resolution } from './types.js';

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
const CALL_VALUES = 10;
const ARG_VALUES = 5;
const AWAITED = 1;
const ONCE = 2;
const NONE = -1;

/** A module's facts as written: calls as integers, their strings in `strings`. */
interface WireModule extends ModuleFacts {
  strings?: string[];
}

/** A function's facts as written. */
interface WireFunction {
  calls: number[] | CallFact[];
  reads?: number[] | CallFact[];
}

/** `facts` as text. The facts are changed in place (they are made for this and dropped after). */
export function factsToText(facts: ModuleFacts): string {
  const strings: string[] = [];
  const indexes = new Map<string, number>();
  const ref = (text: string | undefined): number => {
    if (text === undefined) return NONE;
    let index = indexes.get(text);
    if (index === undefined) {
      index = strings.length;
      strings.push(text);
      indexes.set(text, index);
    }
    return index;
  };
  for (const fn of facts.functions as unknown as WireFunction[]) {
    fn.calls = callsToNumbers(fn.calls as CallFact[], ref);
    if (fn.reads) fn.reads = callsToNumbers(fn.reads as CallFact[], ref);
  }
  (facts as WireModule).strings = strings;
  return JSON.stringify(facts);
}

/** The facts of each module in `text` (a JSON array of what factsToText wrote), as made. */
export function factsFromText(text: string): ModuleFacts[] {
  const modules = JSON.parse(text) as WireModule[];
  for (const module of modules) {
    const strings = module.strings;
    // Facts made without a table (an unreadable file) have no calls.
    if (strings === undefined) continue;
    delete module.strings;
    for (const fn of module.functions as unknown as WireFunction[]) {
      fn.calls = callsFromNumbers(fn.calls as number[], strings);
      if (fn.reads) fn.reads = callsFromNumbers(fn.reads as number[], strings);
    }
  }
  return modules;
}

function callsToNumbers(calls: readonly CallFact[], ref: (text: string | undefined) => number): number[] {
  const out: number[] = [];
  for (const call of calls) {
    out.push(
      ref(call.callee), ref(call.target), call.resolution === undefined ? NONE : RESOLUTION_CODE.get(call.resolution)!,
      call.line, call.column, call.endLine, call.endColumn,
      (call.awaited ? AWAITED : 0) | (call.once ? ONCE : 0), call.loop ?? NONE, call.args.length,
    );
    for (const arg of call.args) out.push(KIND_CODE.get(arg.kind)!, ref(arg.keyword), ref(arg.text), arg.lambda ?? NONE, ref(arg.target));
  }
  return out;
}

/** The arguments of every call without any: read only, so one list serves them all. */
const NO_ARGS: ArgFact[] = Object.freeze([]) as unknown as ArgFact[];

/**
 * The calls `values` encode. Every object is made whole by one literal and every list at its final
 * size: members added one by one would go to a separate, larger store, and lists grown by push keep
 * spare room (together half as much memory again as the facts parsed from JSON objects).
 */
function callsFromNumbers(values: readonly number[], strings: readonly string[]): CallFact[] {
  let count = 0;
  for (let at = 0; at < values.length; at += CALL_VALUES + values[at + 9] * ARG_VALUES) count++;
  const calls = new Array<CallFact>(count);
  let at = 0;
  for (let c = 0; c < count; c++) {
    const callee = strings[values[at]];
    const target = strings[values[at + 1]];
    const code = values[at + 2];
    const line = values[at + 3];
    const column = values[at + 4];
    const endLine = values[at + 5];
    const endColumn = values[at + 6];
    const flags = values[at + 7];
    const loop = values[at + 8];
    const argCount = values[at + 9];
    at += CALL_VALUES;
    let args = NO_ARGS;
    if (argCount > 0) {
      args = new Array<ArgFact>(argCount);
      for (let i = 0; i < argCount; i++, at += ARG_VALUES) args[i] = argFromNumbers(values, at, strings);
    }
    let call: CallFact;
    if (flags !== 0) {
      // Awaited or once-only calls are few: their optional members are added one by one.
      call = { callee, target, line, column, endLine, endColumn, args };
      if (flags & AWAITED) call.awaited = true;
      if (loop !== NONE) call.loop = loop;
      if (flags & ONCE) call.once = true;
      if (code !== NONE) call.resolution = RESOLUTIONS[code];
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
