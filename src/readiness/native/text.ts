/**
 * Positions and brackets in source text: line numbers from string offsets, spans, the matching
 * close bracket and the top-level arguments of a call, all on text whose comments and strings
 * have been blanked (same length, newlines kept), so nothing inside them is mistaken for code.
 *
 * Stage: readiness (native sources and build files).
 */
import type { Span } from '../../facts/types.js';

/** Line starts of a text, for offset → line lookups by binary search. */
export class Lines {
  readonly starts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.starts = starts;
  }

  get count(): number {
    return this.starts.length;
  }

  /** 1-based line of a string offset. */
  lineOf(index: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** The text of a 1-based line, without its newline. */
  line(n: number): string {
    const start = this.starts[n - 1] ?? this.text.length;
    const next = this.starts[n];
    return this.text.slice(start, next === undefined ? this.text.length : next - 1).replace(/\r$/, '');
  }

  /** A 1-based span from two string offsets. */
  span(start: number, end: number): Span {
    const line = this.lineOf(start);
    const endLine = this.lineOf(end);
    return { line, column: start - this.starts[line - 1] + 1, endLine, endColumn: end - this.starts[endLine - 1] + 1 };
  }

  /** The span of a whole line (first non-blank character to its end). */
  lineSpan(n: number): Span {
    const text = this.line(n);
    const indent = text.length - text.trimStart().length;
    return { line: n, column: indent + 1, endLine: n, endColumn: text.trimEnd().length + 1 };
  }
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * The offset of the bracket closing the one at `open` in blanked text, or -1 when it is not
 * closed within `limit` characters (a macro that opens what another closes).
 */
export function matchingClose(masked: string, open: number, limit = 20000): number {
  const want: string[] = [];
  const end = Math.min(masked.length, open + limit);
  for (let i = open; i < end; i++) {
    const c = masked[i];
    const close = OPEN[c];
    if (close) want.push(close);
    else if (c === ')' || c === ']' || c === '}') {
      if (want.pop() !== c) return -1;
      if (want.length === 0) return i;
    }
  }
  return -1;
}

/** The next non-blank character's offset at or after `from`, or -1. */
export function nextNonBlank(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (!/\s/.test(text[i])) return i;
  return -1;
}

/** Offsets [start, end) of the top-level comma-separated arguments between `open` and `close`. */
export function splitArgs(masked: string, open: number, close: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < close; i++) {
    const c = masked[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push({ start, end: i });
      start = i + 1;
    }
  }
  if (masked.slice(start, close).trim() !== '' || out.length > 0) out.push({ start, end: close });
  return out;
}

/** A copy of `text` with the ranges blanked: every character but newlines becomes a space. */
export function blank(text: string, ranges: { start: number; end: number }[]): string {
  if (ranges.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const r of ranges) {
    if (r.start < at) continue;
    parts.push(text.slice(at, r.start));
    parts.push(text.slice(r.start, r.end).replace(/[^\n]/g, ' '));
    at = r.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** The file name without directories and extension (`pkg/_speedups.pyx` → `_speedups`). */
export function stem(rel: string): string {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  const dot = base.indexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
