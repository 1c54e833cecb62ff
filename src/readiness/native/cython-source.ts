/**
 * Cython modules (`.pyx`): whether the `# cython:` header declares `freethreading_compatible=True`
 * (checklist B02), and `with gil:` blocks inside parallel `prange` loops (X01).
 *
 * Stage: readiness. Read line by line: the header is the leading block of comment lines; code is
 * read with its comments and string literals blanked, joined into logical lines over brackets and
 * backslashes, with blocks tracked by indentation.
 */
import type { Span } from '../../facts/types.js';
import type { ReadinessProblem } from '../types.js';
import { blankHashComments } from './hash-comments.js';
import { problem } from './problem.js';
import { Lines } from './text.js';

export interface CythonSource {
  file: string;
  /** The line of the first `# cython:` header comment, if there is one. */
  header?: Span;
  /** The header sets `freethreading_compatible=True`. */
  declares: boolean;
  /** Files it textually includes (`include "handles/tcp.pyx"`), relative to the project root. */
  includes: string[];
  problems: ReadinessProblem[];
}

const HEADER = /^#\s*cython\s*:(.*)$/;

export function readCythonSource(file: string, text: string): CythonSource {
  const lines = new Lines(text);
  const out: CythonSource = { file, declares: false, includes: [], problems: [] };
  for (let n = 1; n <= lines.count; n++) {
    const line = lines.line(n).trim();
    if (line === '') continue;
    if (!line.startsWith('#')) break;
    const header = HEADER.exec(line);
    if (!header) continue;
    out.header ??= lines.lineSpan(n);
    // A trailing `# ...` after the directives is a comment of its own.
    for (const pair of header[1].split('#')[0].split(',')) {
      const [key, value] = pair.split('=').map((s) => s?.trim());
      if (key === 'freethreading_compatible' && value !== undefined && /^(?:true|yes|1)$/i.test(value)) out.declares = true;
    }
  }
  if (text.includes('include')) {
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
    for (const m of text.matchAll(/^[ \t]*include[ \t]+["']([^"'\n]+)["']/gm)) out.includes.push(normalise(dir + m[1]));
  }
  if (text.includes('prange') && /\bwith\s+(?:cython\s*\.\s*)?gil\b/.test(text)) parallelGilBlocks(file, text, lines, out);
  return out;
}

interface Block {
  indent: number;
  kind: 'parallel' | 'nogil' | 'other';
}

/** X01: `with gil:` lexically inside `for … in prange(…)` whose iterations run without the GIL. */
function parallelGilBlocks(file: string, text: string, lines: Lines, out: CythonSource): void {
  const physical = blankHashComments(text, 'python').masked.split('\n');
  const stack: Block[] = [];
  for (let i = 0; i < physical.length; ) {
    const first = i;
    let logical = physical[i];
    let depth = bracketDepth(logical);
    while ((depth > 0 || /\\\s*$/.test(logical)) && i + 1 < physical.length) {
      i++;
      logical = logical.replace(/\\\s*$/, '') + ' ' + physical[i];
      depth += bracketDepth(physical[i]);
    }
    i++;
    const statement = logical.trim();
    if (statement === '') continue;
    const indent = indentOf(physical[first]);
    while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
    if (/^with\s+(?:cython\s*\.\s*)?gil\s*:/.test(statement) && stack.some((b) => b.kind === 'parallel')) {
      out.problems.push(problem('X01', file, lines.lineSpan(first + 1), 'with gil', { loop: 'prange' }));
    }
    if (!statement.endsWith(':')) continue;
    let kind: Block['kind'] = 'other';
    if (/^for\b.*\bin\s+(?:[\w.]+\s*\.\s*)?prange\s*\(/.test(statement)) {
      if (/\bnogil\s*=\s*True\b/.test(statement) || stack.some((b) => b.kind === 'nogil')) kind = 'parallel';
    } else if (/^with\s+(?:cython\s*\.\s*)?nogil\b/.test(statement)) {
      kind = 'nogil';
    }
    stack.push({ indent, kind });
  }
}

/** `a/b/../c.pyx` → `a/c.pyx`. */
function normalise(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') out.pop();
    else if (part !== '.' && part !== '') out.push(part);
  }
  return out.join('/');
}

function bracketDepth(line: string): number {
  let depth = 0;
  for (const c of line) {
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return depth;
}

function indentOf(line: string): number {
  let width = 0;
  for (const c of line) {
    if (c === ' ') width++;
    else if (c === '\t') width += 8 - (width % 8);
    else break;
  }
  return width;
}
