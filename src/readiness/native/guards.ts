/**
 * Preprocessor conditionals in C and C++ sources: which lines only a free-threaded build
 * compiles (`#ifdef Py_GIL_DISABLED`), which only a build with the GIL compiles (`#ifndef
 * Py_GIL_DISABLED`, `#if PY_VERSION_HEX < 0x030D0000`, `#if PY_MAJOR_VERSION < 3`), and which no
 * build compiles (`#if 0`). Other conditions are unknown and leave a line compiled by any build.
 *
 * Stage: readiness. Reads text whose comments and strings are blanked, one line at a time.
 */

/**
 * Which builds compile a line: any; only free-threaded ones (`Py_GIL_DISABLED` defined); only
 * builds with the GIL (or Pythons older than the first free-threaded one); none (`#if 0`, or
 * contradictory guards).
 */
export const Build = { Any: 0, FreeThreaded: 1, Gil: 2, None: 3 } as const;
export type Build = (typeof Build)[keyof typeof Build];

/** Both conditions hold. */
function both(a: Build, b: Build): Build {
  if (a === Build.None || b === Build.None) return Build.None;
  if (a === Build.Any) return b;
  if (b === Build.Any || a === b) return a;
  return Build.None;
}

interface Outcome {
  whenTrue: Build;
  whenFalse: Build;
}

const UNKNOWN: Outcome = { whenTrue: Build.Any, whenFalse: Build.Any };
/** The first free-threaded CPython is 3.13.0; a version test below it selects GIL-only builds. */
const FIRST_FREE_THREADED = 0x030d00f0;

/** What a `#if` expression tells about the builds of its two branches. */
export function evaluate(expression: string): Outcome {
  const e = stripParens(expression.replace(/\s+/g, ''));
  const ors = splitTop(e, '||');
  if (ors.length > 1) {
    const parts = ors.map(evaluate);
    const allTrue = parts.every((p) => p.whenTrue === parts[0].whenTrue) ? parts[0].whenTrue : Build.Any;
    return { whenTrue: allTrue, whenFalse: parts.reduce<Build>((acc, p) => both(acc, p.whenFalse), Build.Any) };
  }
  const ands = splitTop(e, '&&');
  if (ands.length > 1) {
    const parts = ands.map(evaluate);
    const allFalse = parts.every((p) => p.whenFalse === parts[0].whenFalse) ? parts[0].whenFalse : Build.Any;
    return { whenTrue: parts.reduce<Build>((acc, p) => both(acc, p.whenTrue), Build.Any), whenFalse: allFalse };
  }
  if (e.startsWith('!')) {
    const inner = evaluate(e.slice(1));
    return { whenTrue: inner.whenFalse, whenFalse: inner.whenTrue };
  }
  if (/^(?:defined\(?Py_GIL_DISABLED\)?|Py_GIL_DISABLED)$/.test(e)) return { whenTrue: Build.FreeThreaded, whenFalse: Build.Gil };
  if (e === '0') return { whenTrue: Build.None, whenFalse: Build.Any };
  if (e === '1') return { whenTrue: Build.Any, whenFalse: Build.None };
  const version = /^PY_VERSION_HEX(<=|<|>=|>)(0x[0-9A-Fa-f]+|\d+)$/.exec(e);
  if (version) {
    const value = Number(version[2]);
    // `< V` with V at or below 3.13.0: the true branch is for older Pythons only.
    if (version[1] === '<') return value <= FIRST_FREE_THREADED ? { whenTrue: Build.Gil, whenFalse: Build.Any } : UNKNOWN;
    if (version[1] === '<=') return value < FIRST_FREE_THREADED ? { whenTrue: Build.Gil, whenFalse: Build.Any } : UNKNOWN;
    if (version[1] === '>=') return value <= FIRST_FREE_THREADED ? { whenTrue: Build.Any, whenFalse: Build.Gil } : UNKNOWN;
    return value < FIRST_FREE_THREADED ? { whenTrue: Build.Any, whenFalse: Build.Gil } : UNKNOWN;
  }
  const major = /^PY_MAJOR_VERSION(<|<=|==|>=|>)(\d)$/.exec(e);
  if (major) {
    const v = Number(major[2]);
    const py3 = { '<': 3 < v, '<=': 3 <= v, '==': v === 3, '>=': 3 >= v, '>': 3 > v }[major[1] as '<'];
    return py3 ? { whenTrue: Build.Any, whenFalse: Build.Gil } : { whenTrue: Build.Gil, whenFalse: Build.Any };
  }
  return UNKNOWN;
}

function stripParens(e: string): string {
  while (e.startsWith('(') && e.endsWith(')') && closes(e) === e.length - 1) e = e.slice(1, -1);
  return e;
}

/** The index of the parenthesis closing the one at 0. */
function closes(e: string): number {
  let depth = 0;
  for (let i = 0; i < e.length; i++) {
    if (e[i] === '(') depth++;
    else if (e[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

function splitTop(e: string, op: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < e.length; i++) {
    const c = e[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && e.startsWith(op, i)) {
      out.push(e.slice(start, i));
      start = i + op.length;
      i += op.length - 1;
    }
  }
  out.push(e.slice(start));
  return out;
}

const DIRECTIVE = /^\s*#\s*(ifdef|ifndef|if|elifdef|elifndef|elif|else|endif)\b(.*)$/;

interface Frame {
  /** Each earlier branch's condition was false. */
  earlierFalse: Build;
  current: Build;
}

/**
 * The builds that compile each line (index 1 = line 1), from the conditionals of a blanked text.
 * Directive lines get the builds of the block around them.
 */
export function lineBuilds(maskedLines: string[]): Uint8Array {
  const out = new Uint8Array(maskedLines.length + 1);
  const stack: Frame[] = [];
  let outer: Build = Build.Any;
  const recompute = () => {
    outer = stack.reduce<Build>((acc, f) => both(acc, f.current), Build.Any);
  };
  for (let i = 0; i < maskedLines.length; i++) {
    let text = maskedLines[i];
    const first = i;
    // A directive continues over lines ending in a backslash.
    if (/^\s*#/.test(text)) {
      while (text.endsWith('\\') && i + 1 < maskedLines.length) {
        out[i + 1] = outer;
        text = text.slice(0, -1) + ' ' + maskedLines[++i];
      }
    }
    const m = DIRECTIVE.exec(text);
    out[first + 1] = outer;
    if (!m) {
      for (let j = first + 1; j <= i; j++) out[j + 1] = outer;
      continue;
    }
    const [, kind, rest] = m;
    const arg = rest.trim();
    if (kind === 'if' || kind === 'ifdef' || kind === 'ifndef') {
      const o = kind === 'if' ? evaluate(arg) : definedOutcome(arg, kind === 'ifndef');
      stack.push({ earlierFalse: o.whenFalse, current: o.whenTrue });
    } else if (kind.startsWith('elif')) {
      const top = stack.at(-1);
      if (top) {
        const o = kind === 'elif' ? evaluate(arg) : definedOutcome(arg, kind === 'elifndef');
        top.current = both(top.earlierFalse, o.whenTrue);
        top.earlierFalse = both(top.earlierFalse, o.whenFalse);
      }
    } else if (kind === 'else') {
      const top = stack.at(-1);
      if (top) top.current = top.earlierFalse;
    } else {
      stack.pop();
    }
    const before = outer;
    recompute();
    // The directive line itself belongs to the block around it.
    for (let j = first; j <= i; j++) out[j + 1] = kind === 'if' || kind === 'ifdef' || kind === 'ifndef' ? before : outer;
  }
  return out;
}

function definedOutcome(name: string, negated: boolean): Outcome {
  const o = evaluate(`defined(${name.split(/\s/)[0]})`);
  return negated ? { whenTrue: o.whenFalse, whenFalse: o.whenTrue } : o;
}
