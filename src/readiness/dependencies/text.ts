/**
 * Small text helpers shared by the manifest readers: PEP 503 name normalisation, line starts and
 * offset-to-span conversion (1-based lines and columns in UTF-16 units, as facts use).
 *
 * Stage: readiness.
 */
import type { Span } from '../../facts/types.js';

/** PEP 503 normalised name: lower case, runs of `-`, `_`, `.` become one `-`. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Offsets at which each line starts (line 1 at index 0). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Turns offsets in `text` into Spans; build once per text. */
export class Locator {
  private readonly starts: number[];
  constructor(readonly text: string) {
    this.starts = lineStarts(text);
  }

  /** 1-based line of an offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Span of the characters [start, end) of the text. */
  span(start: number, end: number): Span {
    const line = this.lineOf(start);
    const endLine = this.lineOf(Math.max(start, end));
    return { line, column: start - this.starts[line - 1] + 1, endLine, endColumn: end - this.starts[endLine - 1] + 1 };
  }

  /** Offset of a 1-based line's first character. */
  lineStart(line: number): number {
    return this.starts[Math.min(line, this.starts.length) - 1];
  }

  /** The 1-based line's text without its line ending. */
  lineText(line: number): string {
    const start = this.lineStart(line);
    const end = line < this.starts.length ? this.starts[line] - 1 : this.text.length;
    return this.text.slice(start, end).replace(/\r$/, '');
  }

  get lineCount(): number {
    return this.starts.length;
  }
}

/** The last path segment. */
export function baseName(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

/** The directory part of a rel path ('' at the root). */
export function dirName(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash === -1 ? '' : rel.slice(0, slash);
}

/** Joins and normalises a relative path (`a/b` + `../c.txt` → `a/c.txt`); null when it climbs above the root. */
export function joinRel(dir: string, target: string): string | null {
  const parts = dir === '' ? [] : dir.split('/');
  for (const part of target.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}
