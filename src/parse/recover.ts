/**
 * Parses a file that may not be valid Python, and recovers what a syntax error would hide.
 *
 * Stage: parse. Input: source text; output: the tree to extract facts from, the text it was
 * parsed from, and the syntax errors found, each with its line. tree-sitter recovers from most
 * errors on its own, but an error can swallow the code after it into an ERROR node that no
 * longer reads as functions and calls (`z = ?` before an `async def` hides that def). For such
 * files only, the lines tree-sitter could not place are blanked (every character but the line
 * break becomes a space, so every later offset, line and column stays the same) and the text
 * is parsed again, a few times at most, keeping each blanking only if it moves the first error
 * further down the file. Valid files pay for one `hasError` check.
 */
import type { PythonParser } from './language.js';
import type { FlatTree } from './flat.js';

export interface SyntaxProblem {
  line: number;
  /** What was done about it. */
  message: string;
}

export interface Recovered {
  tree: FlatTree;
  /** The text the tree was parsed from: the source, with the blanked lines blanked. */
  source: string;
  errors: SyntaxProblem[];
}

/** Syntax errors reported per file, at most (the rest are counted in the last message). */
const MAX_REPORTED = 10;
/**
 * Reparses per file, at most; and at most this many source characters reparsed in all (a
 * large file gets one or two tries, a small one up to twelve).
 */
const MAX_REPARSES = 12;
const MAX_REPARSED_CHARS = 2 * 1024 * 1024;
/** ERROR or MISSING nodes looked at per tree, at most. */
const MAX_SPOTS = 2000;

interface ErrorSpot {
  /** UTF-16 index of the start, and 0-based row. */
  index: number;
  row: number;
  missing: boolean;
  /** Start rows of the ERROR nodes around it, innermost first. */
  outerRows: number[];
}

/** Parses `source`; for a file with syntax errors, recovers as described above. */
export function parseRecovering(parser: PythonParser, source: string): Recovered {
  let tree = parser.parse(source);
  if (!tree.hasError) return { tree, source, errors: [] };
  let text = source;
  let spots = errorSpots(tree);
  const blanked = new Set<number>();
  let reparses = 0;
  let reparsed = 0;
  const canReparse = () => reparses < MAX_REPARSES && reparsed + text.length <= Math.max(MAX_REPARSED_CHARS, text.length);
  const first = (s: ErrorSpot[]) => {
    const structural = s.filter((x) => !x.missing);
    return structural.length === 0 ? Infinity : structural[0].index;
  };
  while (first(spots) !== Infinity && canReparse()) {
    const structural = spots.filter((x) => !x.missing);
    const head = structural[0];
    // Candidate sets of rows to blank, the most local first.
    const candidates: number[][] = [];
    const seen = new Set<string>();
    const add = (rows: number[]) => {
      const fresh = [...new Set(rows)].filter((r) => !blanked.has(r)).sort((a, b) => a - b);
      const key = fresh.join(',');
      if (fresh.length > 0 && !seen.has(key)) {
        seen.add(key);
        candidates.push(fresh);
      }
    };
    add(structural.map((x) => x.row));
    add([head.row]);
    for (const row of head.outerRows) add([row]);
    const before = previousCodeRow(text, head.row);
    if (before >= 0) add([before]);
    let best: { text: string; tree: FlatTree; spots: ErrorSpot[]; rows: number[]; at: number } | undefined;
    for (const rows of candidates) {
      if (!canReparse()) break;
      const next = blankRows(text, rows);
      reparses++;
      reparsed += next.length;
      const nextTree = parser.parse(next);
      const nextSpots = nextTree.hasError ? errorSpots(nextTree) : [];
      const at = first(nextSpots);
      if (!best || at > best.at) best = { text: next, tree: nextTree, spots: nextSpots, rows, at };
      if (at === Infinity) break;
    }
    // Keep a blanking only if it got further than before.
    if (!best || best.at <= head.index) break;
    text = best.text;
    tree = best.tree;
    spots = best.spots;
    for (const row of best.rows) blanked.add(row);
  }
  const errors: SyntaxProblem[] = [...blanked].sort((a, b) => a - b).map((row) => ({
    line: row + 1,
    message: 'syntax error; this line was left out and the rest of the file analysed',
  }));
  for (const spot of spots) {
    if (errors.some((e) => e.line === spot.row + 1)) continue;
    errors.push({
      line: spot.row + 1,
      message: spot.missing
        ? 'syntax error (a missing token); the file was analysed as tree-sitter recovered it'
        : 'syntax error; the code around it was analysed as far as it parsed',
    });
  }
  errors.sort((a, b) => a.line - b.line);
  if (errors.length > MAX_REPORTED) {
    const rest = errors.length - (MAX_REPORTED - 1);
    errors.splice(MAX_REPORTED - 1, errors.length, { line: errors[MAX_REPORTED - 1].line, message: `${rest} more syntax errors from here on; fix the first ones and run again` });
  }
  if (errors.length === 0) errors.push({ line: 1, message: 'syntax error; the file was analysed as far as it parsed' });
  return { tree, source: text, errors };
}

/**
 * The innermost ERROR nodes (or, in a tree without any, the MISSING nodes), in source order.
 * Both are found by a scan of the flat node array: a file of a million statements with one
 * error creates no node object per statement.
 */
function errorSpots(tree: FlatTree): ErrorSpot[] {
  const spots: ErrorSpot[] = [];
  /** Open ERROR nodes around the current one, outermost first. */
  const open: { start: number; end: number; row: number; inner: boolean; outer: number[] }[] = [];
  const close = (e: (typeof open)[number]) => {
    if (!e.inner) spots.push({ index: e.start, row: e.row, missing: false, outerRows: e.outer });
  };
  // In document order: an ERROR comes before the ERRORs inside it.
  for (const node of tree.errorNodes(MAX_SPOTS)) {
    const start = node.startIndex;
    const end = node.endIndex;
    while (open.length > 0 && !(open[open.length - 1].start <= start && end <= open[open.length - 1].end)) close(open.pop()!);
    const top = open[open.length - 1];
    // The same range twice (an ERROR holding one unexpected token) is one error.
    if (top && top.start === start && top.end === end) continue;
    if (top) top.inner = true;
    open.push({ start, end, row: node.startPosition.row, inner: false, outer: open.map((o) => o.row).reverse() });
  }
  while (open.length > 0) close(open.pop()!);
  if (spots.length === 0) {
    for (const node of tree.missingNodes(MAX_SPOTS)) {
      spots.push({ index: node.startIndex, row: node.startPosition.row, missing: true, outerRows: [] });
    }
  }
  return spots.sort((a, b) => a.index - b.index);
}

/** The nearest row above `row` holding anything but blanks and comments, or -1. */
function previousCodeRow(text: string, row: number): number {
  const lines = lineReader(text);
  for (let r = row - 1; r >= Math.max(0, row - 50); r--) {
    const line = lines(r);
    if (line !== undefined && !/^\s*(#.*)?$/.test(line)) return r;
  }
  return -1;
}

/** Reads rows of `text` by number (line starts found on first use). */
function lineReader(text: string): (row: number) => string | undefined {
  let starts: number[] | undefined;
  return (row) => {
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    if (row < 0 || row >= starts.length) return undefined;
    const end = row + 1 < starts.length ? starts[row + 1] - 1 : text.length;
    return text.slice(starts[row], end);
  };
}

/** `text` with every character of the given 0-based rows but `\r` and `\n` turned into a space. */
export function blankRows(text: string, rows: readonly number[]): string {
  const wanted = new Set(rows);
  const parts: string[] = [];
  let row = 0;
  let start = 0;
  let last = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    if (wanted.has(row)) {
      parts.push(text.slice(last, start));
      const line = text.slice(start, end);
      parts.push(line.endsWith('\r') ? ' '.repeat(line.length - 1) + '\r' : ' '.repeat(line.length));
      last = end;
    }
    if (nl === -1) break;
    start = nl + 1;
    row++;
  }
  parts.push(text.slice(last));
  return parts.join('');
}
