/**
 * Cython modules (`.pyx`): whether the `# cython:` header declares `freethreading_compatible=True`
 * (checklist B02), `with gil:` blocks inside parallel `prange` loops (X01), module-level `cdef`
 * variables that functions change without a lock (X02), and such state in a module whose header
 * declares it free-threading compatible (X03).
 *
 * Stage: readiness. Read line by line: the header is the leading block of comment lines; code is
 * read with its comments and string literals blanked, joined into logical lines over brackets and
 * backslashes, with blocks tracked by indentation.
 */
import type { Span } from '../../facts/types.js';
import type { ReadinessProblem } from '../types.js';
import { cythonHeader } from '../../facts/cython-header.js';
import { blankHashComments } from './hash-comments.js';
import { problem } from './problem.js';
import { Lines } from '../lines.js';

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

export function readCythonSource(file: string, text: string): CythonSource {
  const lines = new Lines(text);
  const { header, declaredAt } = cythonHeader(text);
  const out: CythonSource = { file, ...(header ? { header } : {}), declares: declaredAt !== undefined, includes: [], problems: [] };
  if (text.includes('include')) {
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
    for (const m of text.matchAll(/^[ \t]*include[ \t]+["']([^"'\n]+)["']/gm)) out.includes.push(normalise(dir + m[1]));
  }
  const parallel = text.includes('prange') && /\bwith\s+(?:cython\s*\.\s*)?gil\b/.test(text);
  const state = /^cdef\s/m.test(text) && /\bglobal\s/.test(text);
  if (parallel || state) {
    const logical = logicalLines(text);
    if (parallel) parallelGilBlocks(file, logical, lines, out);
    if (state) {
      const changed = sharedModuleState(file, logical, lines, out);
      // X03: the header turns the GIL off for this module while X02 state in it has no lock.
      if (declaredAt && changed.length > 0) {
        out.problems.push(problem('X03', file, declaredAt, changed[0].name, {
          count: String(changed.length), names: changed.map((c) => `\`${c.name}\``).join(', '), variables: changed.length === 1 ? 'variable' : 'variables',
        }));
      }
    }
  }
  return out;
}

/** A logical line: its first physical line (0-based), its indentation and its code (comments and string contents blanked). */
interface Logical {
  first: number;
  indent: number;
  statement: string;
}

/** The logical lines of a Cython source: physical lines joined over open brackets and trailing backslashes. */
function logicalLines(text: string): Logical[] {
  const physical = blankHashComments(text, 'python').masked.split('\n');
  const out: Logical[] = [];
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
    if (statement !== '') out.push({ first, indent: indentOf(physical[first]), statement });
  }
  return out;
}

interface Block {
  indent: number;
  kind: 'parallel' | 'nogil' | 'other';
}

/** X01: `with gil:` lexically inside `for … in prange(…)` whose iterations run without the GIL. */
function parallelGilBlocks(file: string, logical: Logical[], lines: Lines, out: CythonSource): void {
  const stack: Block[] = [];
  for (const { first, indent, statement } of logical) {
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

/** Statements at module level that declare something other than variables. */
const NOT_A_VARIABLE = /^cdef\s+(?:(?:public|api|readonly|extern|packed|inline|class|struct|union|enum|fused|ctypedef|cppclass)\b|.*\)\s*(?:nogil|noexcept|except[^:]*|with\s+gil)?\s*:$)/;
const FUNCTION = /^(?:async\s+)?(?:def|cpdef|cdef)\b[^:]*\(/;
const SYNCHRONISED = /critical_section|mutex|lock|acquire\s*\(/i;

/**
 * X02: module-level `cdef` variables that a function rebinds or mutates (`global x; x = …`,
 * `x[i] = …`, `x += …`) without `cython.critical_section`, a `cython.pymutex` or another lock in
 * that function. Code at module level runs once, at import, and is not reported. Returns the
 * variables reported, for X03.
 */
function sharedModuleState(file: string, logical: Logical[], lines: Lines, out: CythonSource): { name: string }[] {
  const declared = new Map<string, number>();
  for (const { first, indent, statement } of logical) {
    if (indent !== 0 || !statement.startsWith('cdef ') || NOT_A_VARIABLE.test(statement) || statement.endsWith(':')) continue;
    const declarators = statement.slice(5).split('=')[0];
    const parts = declarators.split(',');
    const firstName = /([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*$/.exec(parts[0])?.[1];
    const names = [firstName, ...parts.slice(1).map((p) => /^\s*\**\s*([A-Za-z_]\w*)/.exec(p)?.[1])];
    for (const n of names) if (n && !declared.has(n)) declared.set(n, first);
  }
  if (declared.size === 0) return [];
  interface Fn { name: string; indent: number; globals: Set<string>; writes: { name: string; line: number; item: boolean }[]; synchronised: boolean }
  const done: Fn[] = [];
  const stack: Fn[] = [];
  for (const { first, indent, statement } of logical) {
    while (stack.length > 0 && stack[stack.length - 1].indent >= indent) done.push(stack.pop()!);
    const fn = stack[stack.length - 1];
    if (fn) {
      const global = /^global\s+(.+)$/.exec(statement);
      if (global) for (const n of global[1].split(',')) fn.globals.add(n.trim());
      const write = /^([A-Za-z_]\w*)\s*(\[[^\]]*\]\s*)?(?:[-+*/%&|^@]|<<|>>|\/\/|\*\*)?=(?!=)/.exec(statement);
      if (write && declared.has(write[1])) fn.writes.push({ name: write[1], line: first + 1, item: write[2] !== undefined });
      if (/^with\b/.test(statement) && SYNCHRONISED.test(statement)) fn.synchronised = true;
      if (/\bPyMutex_Lock\b|\.acquire\s*\(/.test(statement)) fn.synchronised = true;
    }
    if (FUNCTION.test(statement) && statement.endsWith(':')) {
      const name = /(?:def|cpdef|cdef)\b[^(]*?([A-Za-z_]\w*)\s*\(/.exec(statement)?.[1] ?? '';
      stack.push({ name, indent, globals: new Set(), writes: [], synchronised: false });
    }
  }
  done.push(...stack);
  const reported = new Set<string>();
  for (const fn of done.sort((a, b) => (a.writes[0]?.line ?? 0) - (b.writes[0]?.line ?? 0))) {
    if (fn.synchronised) continue;
    for (const w of fn.writes) {
      // Rebinding needs `global`; an item or augmented write through the name mutates the shared object either way.
      if (reported.has(w.name) || (!w.item && !fn.globals.has(w.name))) continue;
      reported.add(w.name);
      const line = declared.get(w.name)! + 1;
      out.problems.push(problem('X02', file, lines.lineSpan(line), w.name, { name: w.name, function: fn.name, line: String(w.line) }));
    }
  }
  return [...reported].map((name) => ({ name }));
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
