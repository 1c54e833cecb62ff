/**
 * Lines of a text: where each starts, the line of a string offset (binary search), spans from
 * offsets (1-based lines and columns in UTF-16 units, as facts use), and a line's text. Used by
 * the manifest readers and the native-source checks alike.
 *
 * Stage: readiness.
 */
import type { Span } from '../facts/types.js';

export class Lines {
  /** Offsets at which each line starts (line 1 at offset 0). */
  private readonly starts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.starts = starts;
  }

  /** How many lines the text has (a final newline starts an empty last line). */
  get count(): number {
    return this.starts.length;
  }

  /** 1-based line of a string offset. */
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

  /** Offset of a 1-based line's first character (past the last line: the last line's). */
  lineStart(line: number): number {
    return this.starts[Math.min(line, this.starts.length) - 1];
  }

  /** The 1-based line's text without its line ending. */
  lineText(line: number): string {
    const start = this.lineStart(line);
    const end = line < this.starts.length ? this.starts[line] - 1 : this.text.length;
    return this.text.slice(start, end).replace(/\r$/, '');
  }

  /** Span of the characters [start, end) of the text; an end before the start ends on the start's line. */
  span(start: number, end: number): Span {
    const line = this.lineOf(start);
    const endLine = this.lineOf(Math.max(start, end));
    return { line, column: start - this.starts[line - 1] + 1, endLine, endColumn: end - this.starts[endLine - 1] + 1 };
  }

  /** The span of a whole line (first non-blank character to its end). */
  lineSpan(line: number): Span {
    const text = this.lineText(line);
    const indent = text.length - text.trimStart().length;
    return { line, column: indent + 1, endLine: line, endColumn: text.trimEnd().length + 1 };
  }
}
