/**
 * A read-only list whose items are views made on each read from flat storage: the array methods
 * the readers of the facts use, over a length and an item at an index.
 *
 * Stage: parse + facts. A function's calls (call-table.ts) and bindings (binding-list.ts) are held
 * flat once the facts have crossed threads; their readers see these lists where the worker made
 * arrays. Items are made afresh on each read: compare them by their members, never by identity.
 */
export abstract class ViewList<T> implements Iterable<T> {
  abstract readonly length: number;

  /** Item `index`, which is within the list. */
  protected abstract item(index: number): T;

  at(index: number): T | undefined {
    const i = index < 0 ? index + this.length : index;
    return i >= 0 && i < this.length ? this.item(i) : undefined;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.item(i);
  }

  some(test: (item: T, index: number) => unknown): boolean {
    for (let i = 0; i < this.length; i++) if (test(this.item(i), i)) return true;
    return false;
  }

  find(test: (item: T, index: number) => unknown): T | undefined {
    for (let i = 0; i < this.length; i++) {
      const item = this.item(i);
      if (test(item, i)) return item;
    }
    return undefined;
  }

  filter(test: (item: T, index: number) => unknown): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) {
      const item = this.item(i);
      if (test(item, i)) out.push(item);
    }
    return out;
  }

  forEach(visit: (item: T, index: number) => void): void {
    for (let i = 0; i < this.length; i++) visit(this.item(i), i);
  }

  map<U>(convert: (item: T, index: number) => U): U[] {
    const out = new Array<U>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = convert(this.item(i), i);
    return out;
  }
}
