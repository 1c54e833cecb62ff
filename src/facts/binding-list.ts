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
import { ViewList } from './view-list.js';

export class BindingList extends ViewList<BindingFact> implements Bindings {
  private readonly slots: (string | number)[];

  /** The bindings of `list`, their strings as `intern` gives them. */
  constructor(list: readonly BindingFact[], intern: (text: string) => string) {
    super();
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

  /** Binding `index`; a negative index gives none (unlike a call list, no reader counts from the end). */
  override at(index: number): BindingFact | undefined {
    return index < 0 ? undefined : super.at(index);
  }

  protected item(index: number): BindingFact {
    const s = this.slots;
    return { name: s[3 * index] as string, value: s[3 * index + 1] as string, line: s[3 * index + 2] as number };
  }

  /** The bindings as plain objects (for JSON and for comparing in tests). */
  toJSON(): BindingFact[] {
    return this.map((b) => b);
  }
}
