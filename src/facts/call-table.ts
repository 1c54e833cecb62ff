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
 *   awaited, once, per instance and type-tested, then loop + 1), line, column, end line, end
 *   column, argument list (index into `lists`, -1 for none). The few type tests sit in a map by
 *   the call's position.
 */
import type { ArgFact, CallFact, Calls, Resolution, TypeTest } from './types.js';

export const CALL_WIDTH = 8;
/** A call's flags (as the wire writes them too). */
export const AWAITED = 1;
export const ONCE = 2;
export const PER_INSTANCE = 4;
const RESOLUTION_BITS = 0xf;
const FLAG_SHIFT = 4;
const TYPE_TESTED = 1 << 7;
const LOOP_SHIFT = 8;
const NONE = -1;

/** One read-only empty list for calls without arguments. */
const NO_ARGS = Object.freeze([]) as unknown as ArgFact[];

/** One module's calls. `values` may be longer than the calls it holds (see compact). */
export class CallTable {
  constructor(
    public strings: readonly string[],
    public values: Int32Array,
    readonly lists: readonly ArgFact[][],
    readonly resolutions: readonly Resolution[],
    public typeTests: Map<number, TypeTest> | undefined,
  ) {}

  /**
   * Writes call number `index` (position, not offset). `resolution` is a code into `resolutions`
   * or -1, `flags` AWAITED, ONCE and PER_INSTANCE, `loop` and `list` (an index into `lists`) -1
   * for none.
   */
  write(
    index: number, callee: number, target: number, resolution: number, flags: number,
    loop: number, line: number, column: number, endLine: number, endColumn: number, list: number, typeTest: TypeTest | undefined,
  ): void {
    const at = index * CALL_WIDTH;
    const v = this.values;
    v[at] = callee;
    v[at + 1] = target;
    v[at + 2] = (resolution + 1) | (flags << FLAG_SHIFT) | (typeTest ? TYPE_TESTED : 0) | ((loop + 1) << LOOP_SHIFT);
    v[at + 3] = line;
    v[at + 4] = column;
    v[at + 5] = endLine;
    v[at + 6] = endColumn;
    v[at + 7] = list;
    if (typeTest) (this.typeTests ??= new Map()).set(index, typeTest);
  }

  /**
   * Keeps, of each range's calls, those `keep` accepts (told the range's index), moving them down
   * in place; returns the ranges that now hold them (the same object where nothing was dropped).
   * The ranges must be every range of this table, in order (empty ones may be shared ones).
   */
  compact(ranges: readonly CallRange[], keep: (call: CallFact, range: number) => boolean): CallRange[] {
    let to = 0;
    const tests = this.typeTests && new Map<number, TypeTest>();
    const out = ranges.map((range, r) => {
      if (range.length === 0) return range;
      const first = to;
      for (let i = 0; i < range.length; i++) {
        const from = range.start + i;
        if (!keep(new CallView(this, from * CALL_WIDTH), r)) continue;
        if (from !== to) this.values.copyWithin(to * CALL_WIDTH, from * CALL_WIDTH, (from + 1) * CALL_WIDTH);
        const test = this.typeTests?.get(from);
        if (test) tests!.set(to, test);
        to++;
      }
      return first === range.start && to - first === range.length ? range : rangeOf(this, first, to - first);
    });
    if (to * CALL_WIDTH < this.values.length) this.values = this.values.slice(0, to * CALL_WIDTH);
    this.typeTests = tests && tests.size > 0 ? tests : undefined;
    this.keepNamedStrings();
    return out;
  }

  /**
   * Keeps, of the module's string table, only the callees and targets of the calls left: the
   * table was written for every call, argument and attribute read, and most of what the dropped
   * calls named (`len`, `?.append`) would otherwise live as long as the facts.
   */
  private keepNamedStrings(): void {
    const v = this.values;
    const index = new Int32Array(this.strings.length).fill(NONE);
    const kept: string[] = [];
    for (let at = 0; at < v.length; at += CALL_WIDTH) {
      for (let k = at; k <= at + 1; k++) {
        const s = v[k];
        if (index[s] === NONE) {
          index[s] = kept.length;
          kept.push(this.strings[s]);
        }
        v[k] = index[s];
      }
    }
    this.strings = kept;
  }
}

/** The calls of one function: `length` calls of `table` from position `start`. */
export class CallRange implements Calls {
  constructor(readonly table: CallTable, readonly start: number, readonly length: number) {}

  at(index: number): CallFact | undefined {
    const i = index < 0 ? index + this.length : index;
    return i >= 0 && i < this.length ? new CallView(this.table, (this.start + i) * CALL_WIDTH) : undefined;
  }

  *[Symbol.iterator](): Iterator<CallFact> {
    for (let i = 0; i < this.length; i++) yield new CallView(this.table, (this.start + i) * CALL_WIDTH);
  }

  some(test: (call: CallFact, index: number) => unknown): boolean {
    for (let i = 0; i < this.length; i++) if (test(new CallView(this.table, (this.start + i) * CALL_WIDTH), i)) return true;
    return false;
  }

  find(test: (call: CallFact, index: number) => unknown): CallFact | undefined {
    for (let i = 0; i < this.length; i++) {
      const call = new CallView(this.table, (this.start + i) * CALL_WIDTH);
      if (test(call, i)) return call;
    }
    return undefined;
  }

  forEach(visit: (call: CallFact, index: number) => void): void {
    for (let i = 0; i < this.length; i++) visit(new CallView(this.table, (this.start + i) * CALL_WIDTH), i);
  }

  map<T>(convert: (call: CallFact, index: number) => T): T[] {
    const out = new Array<T>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = convert(new CallView(this.table, (this.start + i) * CALL_WIDTH), i);
    return out;
  }

  /** The calls as plain objects (for JSON and for comparing in tests). */
  toJSON(): CallFact[] {
    return this.map((call) => (call as CallView).toJSON());
  }

  filter(test: (call: CallFact, index: number) => unknown): CallFact[] {
    const out: CallFact[] = [];
    for (let i = 0; i < this.length; i++) {
      const call = new CallView(this.table, (this.start + i) * CALL_WIDTH);
      if (test(call, i)) out.push(call);
    }
    return out;
  }
}

/** Whether two calls are the same call expression (its span and callee), whatever objects hold them. */
export function sameCall(a: CallFact, b: CallFact): boolean {
  return a.line === b.line && a.column === b.column && a.endLine === b.endLine && a.endColumn === b.endColumn && a.callee === b.callee;
}

/** The range every function without calls shares. */
const NO_CALLS = new CallRange(new CallTable([], new Int32Array(0), [], [], undefined), 0, 0);

/** The range of `length` calls of `table` from position `start`. */
export function rangeOf(table: CallTable, start: number, length: number): CallRange {
  return length === 0 ? NO_CALLS : new CallRange(table, start, length);
}

/** One call, read from its table. */
class CallView implements CallFact {
  constructor(private readonly table: CallTable, private readonly at: number) {}

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

  get loop(): number | undefined {
    const loop = (this.table.values[this.at + 2] >> LOOP_SHIFT) - 1;
    return loop === NONE ? undefined : loop;
  }

  get typeTest(): TypeTest | undefined {
    return this.table.values[this.at + 2] & TYPE_TESTED ? this.table.typeTests?.get(this.at / CALL_WIDTH) : undefined;
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
    const list = this.table.values[this.at + 7];
    return list === NONE ? NO_ARGS : this.table.lists[list];
  }

  /** The call as a plain object with the members it has (for JSON and for comparing in tests). */
  toJSON(): CallFact {
    const out: CallFact = { callee: this.callee, target: this.target, line: this.line, column: this.column, endLine: this.endLine, endColumn: this.endColumn, args: this.args };
    if (this.awaited) out.awaited = true;
    if (this.loop !== undefined) out.loop = this.loop;
    if (this.once) out.once = true;
    if (this.perInstance) out.perInstance = true;
    if (this.resolution !== undefined) out.resolution = this.resolution;
    if (this.typeTest) out.typeTest = this.typeTest;
    return out;
  }
}
