/**
 * Brackets in source text: the matching close bracket and the top-level arguments of a call, on
 * text whose comments and strings have been blanked (same length, newlines kept), so nothing
 * inside them is mistaken for code. Lines and spans are ../lines.ts.
 *
 * Stage: readiness (native sources and build files).
 */

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
