/**
 * A module's calls as columns of integers, and each function's calls as a range of them: the form
 * calls take on the main thread once they have crossed threads (see wire.ts).
 *
 * Stage: parse + facts. Calls are the largest part of the facts: on 5 M lines 1.24 M calls, which
 * as objects took 156 MB (a header and a field for each member, plus a slot in the function's
 * list). As eight 32-bit integers each they take 40 MB. A call is read through a view made on
 * each read (two fields, collected young), so calls are compared by `sameCall`, never by identity.
 *
 * A call is CALL_WIDTH integers:
 *   callee, target (indexes into `strings`), meta (resolution code + 1 in 4 bits, then the flags
 *   awaited, once, per instance, in an `except` clause and type-tested, then loop + 1), line,
 *   column, end line, end column, argument list (-1 for none). The few run conditions sit in a map by the call's position.
 * Argument lists are columns too (indexes into the module's distinct, frozen arguments), so a
 * call's `args` is a list made on each read.
 */
import type { ArgFact, CallFact, Calls, Resolution, RunCondition } from './types.js';
import { EMPTY } from './shared-values.js';
import { ViewList } from './view-list.js';

export const CALL_WIDTH = 8;
/** A call's flags (as the wire writes them too). */
export const AWAITED = 1;
export const ONCE = 2;
export const PER_INSTANCE = 4;
export const ON_ERROR = 8;
const RESOLUTION_BITS = 0xf;
const FLAG_SHIFT = 4;
const CONDITIONED = 1 << 8;
const LOOP_SHIFT = 9;
const NONE = -1;


/** One module's calls. `values` may be longer than the calls it holds (see compact). */
export class CallTable {
  /**
   * `args`: the module's distinct arguments (frozen: calls share them); argument list `l` is
   * `args[listItems[i]]` for `i` from `listStarts[l]` to `listStarts[l + 1]`.
   */
  constructor(
    public strings: readonly string[],
    public values: Int32Array,
    public args: readonly ArgFact[],
    public listStarts: Int32Array,
    public listItems: Int32Array,
    readonly resolutions: readonly Resolution[],
    public conditions: Map<number, RunCondition> | undefined,
  ) {}

  /** Argument list `list` (-1: none) as a list of its shared arguments, made for the reader. */
  argsOf(list: number): ArgFact[] {
    // Calls without arguments share the one empty list; the lists of the others are made on each read.
    if (list === NONE) return EMPTY;
    const from = this.listStarts[list];
    const out = new Array<ArgFact>(this.listStarts[list + 1] - from);
    for (let i = 0; i < out.length; i++) out[i] = this.args[this.listItems[from + i]];
    return out;
  }

  /**
   * Writes call number `index` (position, not offset). `resolution` is a code into `resolutions`
   * or -1, `flags` AWAITED, ONCE, PER_INSTANCE and ON_ERROR, `loop` and `list` (an argument
   * list) -1 for none.
   */
  write(
    index: number, callee: number, target: number, resolution: number, flags: number,
    loop: number, line: number, column: number, endLine: number, endColumn: number, list: number, condition: RunCondition | undefined,
  ): void {
    const at = index * CALL_WIDTH;
    const v = this.values;
    v[at] = callee;
    v[at + 1] = target;
    v[at + 2] = (resolution + 1) | (flags << FLAG_SHIFT) | (condition ? CONDITIONED : 0) | ((loop + 1) << LOOP_SHIFT);
    v[at + 3] = line;
    v[at + 4] = column;
    v[at + 5] = endLine;
    v[at + 6] = endColumn;
    v[at + 7] = list;
    if (condition) (this.conditions ??= new Map()).set(index, condition);
  }

  /**
   * Keeps, of each range's calls, those `keep` accepts (told the range's index), moving them down
   * in place; returns the ranges that now hold them (the same object where nothing was dropped).
   * The ranges must be every range of this table, in order (empty ones may be shared ones).
   */
  compact(ranges: readonly CallRange[], keep: (call: CallFact, range: number) => boolean): CallRange[] {
    let to = 0;
    const tests = this.conditions && new Map<number, RunCondition>();
    const out = ranges.map((range, r) => {
      if (range.length === 0) return range;
      const first = to;
      for (let i = 0; i < range.length; i++) {
        const from = range.start + i;
        if (!keep(new CallView(this, from * CALL_WIDTH), r)) continue;
        if (from !== to) this.values.copyWithin(to * CALL_WIDTH, from * CALL_WIDTH, (from + 1) * CALL_WIDTH);
        const test = this.conditions?.get(from);
        if (test) tests!.set(to, test);
        to++;
      }
      return first === range.start && to - first === range.length ? range : rangeOf(this, first, to - first);
    });
    if (to * CALL_WIDTH < this.values.length) this.values = this.values.slice(0, to * CALL_WIDTH);
    this.conditions = tests && tests.size > 0 ? tests : undefined;
    this.keepUsed();
    return out;
  }

  /**
   * Keeps, of the module's strings, arguments and argument lists, those the calls left use: the
   * tables were written for every call and attribute read, and most of what the dropped calls
   * named (`len`, `?.append`) would otherwise live as long as the facts.
   */
  private keepUsed(): void {
    const v = this.values;
    const stringIndex = new Int32Array(this.strings.length).fill(NONE);
    const strings: string[] = [];
    const listIndex = new Int32Array(this.listStarts.length).fill(NONE);
    const starts: number[] = [0];
    const items: number[] = [];
    const argIndex = new Int32Array(this.args.length).fill(NONE);
    const args: ArgFact[] = [];
    for (let at = 0; at < v.length; at += CALL_WIDTH) {
      for (let k = at; k <= at + 1; k++) {
        const s = v[k];
        if (stringIndex[s] === NONE) {
          stringIndex[s] = strings.length;
          strings.push(this.strings[s]);
        }
        v[k] = stringIndex[s];
      }
      const list = v[at + 7];
      if (list === NONE) continue;
      if (listIndex[list] === NONE) {
        listIndex[list] = starts.length - 1;
        for (let i = this.listStarts[list]; i < this.listStarts[list + 1]; i++) {
          const arg = this.listItems[i];
          if (argIndex[arg] === NONE) {
            argIndex[arg] = args.length;
            args.push(this.args[arg]);
          }
          items.push(argIndex[arg]);
        }
        starts.push(items.length);
      }
      v[at + 7] = listIndex[list];
    }
    this.strings = strings;
    this.args = args;
    this.listStarts = Int32Array.from(starts);
    this.listItems = Int32Array.from(items);
  }
}

/** The calls of one function: `length` calls of `table` from position `start`. */
export class CallRange extends ViewList<CallFact> implements Calls {
  constructor(readonly table: CallTable, readonly start: number, readonly length: number) {
    super();
  }

  protected item(index: number): CallFact {
    return new CallView(this.table, (this.start + index) * CALL_WIDTH);
  }

  /** The calls as plain objects (for JSON and for comparing in tests). */
  toJSON(): CallFact[] {
    return this.map((call) => (call as CallView).toJSON());
  }
}

/** Whether two calls are the same call expression (its span and callee), whatever objects hold them. */
export function sameCall(a: CallFact, b: CallFact): boolean {
  return a.line === b.line && a.column === b.column && a.endLine === b.endLine && a.endColumn === b.endColumn && a.callee === b.callee;
}

/** The range every function without calls shares. */
const NO_CALLS = new CallRange(new CallTable([], new Int32Array(0), [], new Int32Array(1), new Int32Array(0), [], undefined), 0, 0);

/** The range of `length` calls of `table` from position `start`. */
export function rangeOf(table: CallTable, start: number, length: number): CallRange {
  return length === 0 ? NO_CALLS : new CallRange(table, start, length);
}

/**
 * One call, read from its table (`at`: its offset in the table's values). Something that refers to
 * a call for long (a call graph edge) can be one, rather than hold one beside its own members.
 */
export class CallView implements CallFact {
  constructor(readonly table: CallTable, readonly at: number) {}

  get callee(): string {
    return this.table.strings[this.table.values[this.at]];
  }

  get target(): string {
    return this.table.strings[this.table.values[this.at + 1]];
  }

  get resolution(): Resolution | undefined {
    const code = this.table.values[this.at + 2] & RESOLUTION_BITS;
    return code === 0 ? undefined : this.table.resolutions[code - 1];
  }

  get awaited(): true | undefined {
    return this.table.values[this.at + 2] & (AWAITED << FLAG_SHIFT) ? true : undefined;
  }

  get once(): true | undefined {
    return this.table.values[this.at + 2] & (ONCE << FLAG_SHIFT) ? true : undefined;
  }

  get perInstance(): true | undefined {
    return this.table.values[this.at + 2] & (PER_INSTANCE << FLAG_SHIFT) ? true : undefined;
  }

  get onError(): true | undefined {
    return this.table.values[this.at + 2] & (ON_ERROR << FLAG_SHIFT) ? true : undefined;
  }

  get loop(): number | undefined {
    const loop = (this.table.values[this.at + 2] >> LOOP_SHIFT) - 1;
    return loop === NONE ? undefined : loop;
  }

  get condition(): RunCondition | undefined {
    return this.table.values[this.at + 2] & CONDITIONED ? this.table.conditions?.get(this.at / CALL_WIDTH) : undefined;
  }

  get line(): number {
    return this.table.values[this.at + 3];
  }

  get column(): number {
    return this.table.values[this.at + 4];
  }

  get endLine(): number {
    return this.table.values[this.at + 5];
  }

  get endColumn(): number {
    return this.table.values[this.at + 6];
  }

  get args(): ArgFact[] {
    return this.table.argsOf(this.table.values[this.at + 7]);
  }

  /** The call as a plain object with the members it has (for JSON and for comparing in tests). */
  toJSON(): CallFact {
    const out: CallFact = { callee: this.callee, target: this.target, line: this.line, column: this.column, endLine: this.endLine, endColumn: this.endColumn, args: this.args };
    if (this.awaited) out.awaited = true;
    if (this.loop !== undefined) out.loop = this.loop;
    if (this.once) out.once = true;
    if (this.perInstance) out.perInstance = true;
    if (this.onError) out.onError = true;
    if (this.resolution !== undefined) out.resolution = this.resolution;
    if (this.condition) out.condition = this.condition;
    return out;
  }
}
