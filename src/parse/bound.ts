/**
 * Bounds the syntax tree of one file before it is built, by trimming what no analysis needs.
 *
 * Stage: parse. Input: the source text of a large file; output: the text to parse and the limits
 * met. A tree-sitter tree costs a few hundred bytes per token, so a file of tiny tokens (one call
 * with four million arguments, a data table of a million numbers) would take gigabytes while a
 * file of ordinary code of the same size takes a tenth of that. A single linear scan counts
 * tokens and the elements of each bracket; past ELEMENTS elements the rest of a bracket is
 * blanked, and past TOKENS tokens the rest of the file. Blanking turns every character but line
 * breaks into spaces, so offsets, lines and columns of what is kept do not change; a bracket cut
 * after a comma still parses (a trailing comma is valid in every bracket). A file with fewer
 * commas than ELEMENTS and fewer than TOKENS / (LINE + 1) characters cannot reach either bound
 * and is not scanned (counting commas runs at memory speed), so ordinary files pay almost
 * nothing.
 */

export interface Bounded {
  text: string;
  limits: { line: number; message: string }[];
}

/** Elements (commas at one level) of a bracket kept. */
export const ELEMENTS = 50_000;
/**
 * Tokens of a file kept. A dotted name counts once, and the end of a statement (a line break,
 * a `;`) as LINE tokens (a statement costs tree-sitter several nodes): 10 MB of ordinary code
 * counts about 2 M.
 */
export const TOKENS = 2_500_000;
const LINE = 4;

interface Group {
  /** Index just after the comma that ends the kept elements; -1 while not cut. */
  cut: number;
  commas: number;
}

export function boundSource(source: string): Bounded {
  if (source.length * (LINE + 1) < TOKENS) {
    let commas = 0;
    for (let i = source.indexOf(','); i !== -1 && commas < ELEMENTS; i = source.indexOf(',', i + 1)) commas++;
    if (commas < ELEMENTS) return { text: source, limits: [] };
  }
  const n = source.length;
  const stack: Group[] = [];
  /** Blanked ranges [start, end), in order, not overlapping. */
  const ranges: [number, number][] = [];
  const limits: number[] = [];
  /** Index in `stack` of the outermost cut bracket, or -1 (tokens inside it are not counted). */
  let cutDepth = -1;
  let tokens = 0;
  let tail = -1;
  let lineHasToken = false;
  let i = 0;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === 0x0a) {
      if (lineHasToken && stack.length === 0 && cutDepth < 0) tokens += LINE;
      lineHasToken = false;
      i++;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0c || c === 0x5c) {
      i++;
      continue;
    }
    if (c === 0x23) {
      // A comment, to the end of the line.
      const end = source.indexOf('\n', i);
      i = end === -1 ? n : end;
      continue;
    }
    lineHasToken = true;
    if (cutDepth < 0 && ++tokens > TOKENS) {
      tail = lineStart(source, i);
      limits.push(tail);
      break;
    }
    if (c === 0x22 || c === 0x27) {
      i = stringEnd(source, i);
      continue;
    }
    if (isWordChar(c)) {
      i++;
      while (i < n && isWordChar(source.charCodeAt(i))) i++;
      continue;
    }
    if (c === 0x28 || c === 0x5b || c === 0x7b) {
      stack.push({ cut: -1, commas: 0 });
    } else if (c === 0x29 || c === 0x5d || c === 0x7d) {
      const group = stack.pop();
      if (group && group.cut >= 0) {
        if (cutDepth === stack.length) {
          ranges.push([group.cut, i]);
          cutDepth = -1;
        }
      }
    } else if (c === 0x3b && stack.length === 0 && cutDepth < 0) {
      // `a; b`: a statement as costly as one on a line of its own.
      tokens += LINE;
    } else if (c === 0x2c && stack.length > 0) {
      const group = stack[stack.length - 1];
      if (++group.commas === ELEMENTS && cutDepth < 0) {
        group.cut = i + 1;
        cutDepth = stack.length - 1;
        limits.push(i);
      }
    }
    i++;
  }
  // A cut bracket never closed: blank to the end.
  if (cutDepth >= 0 && tail < 0) ranges.push([stack[cutDepth].cut, n]);
  if (tail >= 0) ranges.push([tail, n]);
  if (ranges.length === 0) return { text: source, limits: [] };
  const parts: string[] = [];
  let last = 0;
  for (const [start, end] of ranges) {
    if (start < last) continue;
    parts.push(source.slice(last, start), blank(source.slice(start, end)));
    last = end;
  }
  parts.push(source.slice(last));
  const lines = lineCounter(source);
  return {
    text: parts.join(''),
    limits: limits.slice(0, 5).map((at) => ({
      line: lines(at),
      message: at === tail
        ? `more than ${TOKENS.toLocaleString('en')} tokens; the file from this line on was not analysed (split the file, or exclude it if it is generated)`
        : `a bracket with more than ${ELEMENTS.toLocaleString('en')} elements; the rest of it was not analysed`,
    })),
  };
}

/** Letters, digits, `_` and every non-ASCII character (identifiers, numbers, string prefixes). */
function isWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c >= 0x80 || c === 0x2e;
}

/** Index just past the string literal whose opening quote is at `start` (or the end of its line, unterminated). */
function stringEnd(text: string, start: number): number {
  const quote = text.charCodeAt(start);
  const triple = text.charCodeAt(start + 1) === quote && text.charCodeAt(start + 2) === quote;
  let i = start + (triple ? 3 : 1);
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      i += 2;
      continue;
    }
    if (c === quote && (!triple || (text.charCodeAt(i + 1) === quote && text.charCodeAt(i + 2) === quote))) return i + (triple ? 3 : 1);
    if (c === 0x0a && !triple) return i;
    i++;
  }
  return text.length;
}

function lineStart(text: string, index: number): number {
  return text.lastIndexOf('\n', index - 1) + 1;
}

/** `text` with every character but `\r` and `\n` turned into a space (one allocation, whatever its lines). */
export function blank(text: string): string {
  const bytes = Buffer.alloc(text.length, 0x20);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) bytes[i] = 0x0a;
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) bytes[i] = 0x0d;
  return bytes.toString('latin1');
}

/** 1-based line of an index; indexes must be asked in increasing order. */
function lineCounter(text: string): (index: number) => number {
  let line = 1;
  let at = 0;
  return (index) => {
    for (let i = text.indexOf('\n', at); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
      line++;
      at = i + 1;
    }
    return line;
  };
}
