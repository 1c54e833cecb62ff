/**
 * A function's bindings held as one flat list of name, value and line, three slots a binding.
 *
 * Stage: parse + facts, on the main thread once the facts have crossed threads (see
 * shared-values.ts). A binding as an object took 56 bytes (its header, three fields and the
 * list's slot); as three slots of a list it takes 24. On 5 M lines that is about 18 MB of the
 * facts, held to the end of the analysis. A binding read is a view made on each read: compare
 * bindings by their members, never by identity.
 */
import type { BindingFact, Bindings } from './types.js';

export class BindingList implements Bindings {
  private readonly slots: (string | number)[];

  /** The bindings of `list`, their strings as `intern` gives them. */
  constructor(list: readonly BindingFact[], intern: (text: string) => string) {
    const slots = new Array<string | number>(list.length * 3);
    for (let i = 0; i < list.length; i++) {
      slots[3 * i] = intern(list[i].name);
      slots[3 * i + 1] = intern(list[i].value);
      slots[3 * i + 2] = list[i].line;
    }
    this.slots = slots;
  }

  get length(): number {
    return this.slots.length / 3;
  }

  at(index: number): BindingFact | undefined {
    if (index < 0 || index >= this.length) return undefined;
    const s = this.slots;
    return { name: s[3 * index] as string, value: s[3 * index + 1] as string, line: s[3 * index + 2] as number };
  }

  *[Symbol.iterator](): Iterator<BindingFact> {
    for (let i = 0; i < this.length; i++) yield this.at(i)!;
  }

  some(test: (binding: BindingFact, index: number) => unknown): boolean {
    for (let i = 0; i < this.length; i++) if (test(this.at(i)!, i)) return true;
    return false;
  }

  find(test: (binding: BindingFact, index: number) => unknown): BindingFact | undefined {
    for (let i = 0; i < this.length; i++) {
      const binding = this.at(i)!;
      if (test(binding, i)) return binding;
    }
    return undefined;
  }

  filter(test: (binding: BindingFact, index: number) => unknown): BindingFact[] {
    const out: BindingFact[] = [];
    for (let i = 0; i < this.length; i++) {
      const binding = this.at(i)!;
      if (test(binding, i)) out.push(binding);
    }
    return out;
  }

  map<T>(convert: (binding: BindingFact, index: number) => T): T[] {
    const out = new Array<T>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = convert(this.at(i)!, i);
    return out;
  }

  /** The bindings as plain objects (for JSON and for comparing in tests). */
  toJSON(): BindingFact[] {
    return this.map((b) => b);
  }
}
