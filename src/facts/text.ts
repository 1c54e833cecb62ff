/**
 * Small parsers over source text: callee normalisation, import statements, parameters.
 *
 * Stage: facts. The extractor fetches the text of a few nodes (imports, callees, parameter
 * lists) rather than walking their children, which costs far fewer calls into the parser.
 */
import type { FunctionFact, ParamDefault } from './types.js';

/**
 * Normalises a callee expression: drops whitespace, comments and line continuations, folds every
 * argument list to `()` and every subscript to `[]`. `requests.Session( timeout=3 ).get` gives
 * `requests.Session().get`; `clients["a"].get` gives `clients[].get`.
 */
export function normaliseCallee(text: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      i = skipString(text, i);
      if (depth === 0) out += '""';
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') {
      if (depth === 0) out += ch;
      depth++;
      continue;
    }
    if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) out += ch;
      continue;
    }
    if (depth > 0) continue;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\\') continue;
    out += ch;
  }
  return out;
}

/** Index of the last character of the string literal starting at `start` (quote or prefix). */
function skipString(text: string, start: number): number {
  const quote = text[start];
  const triple = text.startsWith(quote.repeat(3), start);
  const close = triple ? quote.repeat(3) : quote;
  let i = start + close.length;
  while (i < text.length) {
    if (text[i] === '\\') {
      i += 2;
      continue;
    }
    if (text.startsWith(close, i)) return i + close.length - 1;
    if (!triple && text[i] === '\n') return i;
    i++;
  }
  return text.length - 1;
}

/** `requests.Session().get` gives `['requests', '.Session().get']`; no leading name gives null. */
export function splitHead(callee: string): [string, string] | null {
  const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(callee);
  if (!match) return null;
  return [match[0], callee.slice(match[0].length)];
}

/** A dotted name made only of identifiers. */
export const DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export interface ParsedImport {
  local: string;
  target: string;
  star?: boolean;
}

/**
 * Parses the text of an import statement. `module` and `isPackage` place relative imports:
 * in module `a.b.c`, `from . import x` gives `a.b.x`; in package `a.b`, it gives `a.b.x`.
 */
export function parseImport(text: string, module: string, isPackage: boolean): ParsedImport[] {
  const clean = text.replace(/#[^\n]*/g, '').replace(/\\\r?\n/g, ' ').replace(/[()]/g, ' ').replace(/\s+/g, ' ').trim();
  const out: ParsedImport[] = [];
  if (clean.startsWith('import ')) {
    for (const part of clean.slice(7).split(',')) {
      const [name, alias] = part.trim().split(/\s+as\s+/);
      if (!name || !DOTTED.test(name)) continue;
      if (alias) out.push({ local: alias.trim(), target: name });
      else out.push({ local: name.split('.')[0], target: name.split('.')[0] });
    }
    return out;
  }
  const match = /^from\s+(\.*)\s*([A-Za-z0-9_.]*)\s+import\s+(.*)$/.exec(clean);
  if (!match) return out;
  const [, dots, name, names] = match;
  let base = name;
  if (dots.length > 0) {
    const parts = module.split('.');
    // A module's own package is one level up; a package's `__init__` is its own package.
    const drop = dots.length - (isPackage ? 1 : 0);
    const kept = drop > 0 ? parts.slice(0, Math.max(0, parts.length - drop)) : parts;
    base = [...kept, ...(name ? [name] : [])].join('.');
  }
  for (const part of names.split(',')) {
    const [imported, alias] = part.trim().split(/\s+as\s+/);
    if (!imported) continue;
    if (imported === '*') {
      out.push({ local: '*', target: base, star: true });
      continue;
    }
    const target = base ? `${base}.${imported}` : imported;
    out.push({ local: (alias ?? imported).trim(), target });
  }
  return out;
}

/**
 * Splits a comma-separated list at depth 0 (brackets and strings respected). Used for parameter
 * lists and base-class lists.
 */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      const end = skipString(text, i);
      current += text.slice(i, end + 1);
      i = end;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/**
 * Parses a `parameters` or `lambda_parameters` text into names and annotations, and the
 * dependency of a FastAPI-style `= Depends(get_db)` default (what the framework passes).
 */
export function parseParams(text: string): FunctionFact['params'] {
  let inner = text.trim();
  if (inner.startsWith('(') && inner.endsWith(')')) inner = inner.slice(1, -1);
  const params: FunctionFact['params'] = [];
  for (const raw of splitTopLevel(inner.replace(/#[^\n]*/g, ''))) {
    const part = raw.replace(/^\*{1,2}/, '').trim();
    if (!part || part === '/' ) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*([^=]+?))?\s*(?:=(.*))?$/s.exec(part);
    if (!match) continue;
    const param: FunctionFact['params'][number] = { name: match[1] };
    if (raw.trimStart().startsWith('*')) param.variadic = true;
    if (match[2]) param.annotation = match[2].trim();
    const depends = match[3] && /^\s*(?:[A-Za-z_][A-Za-z0-9_]*\.)*(?:Depends|Security)\(\s*([A-Za-z_][A-Za-z0-9_.]*)\s*[,)]/.exec(match[3]);
    if (depends) param.depends = depends[1];
    const fallback = match[3] !== undefined ? defaultKind(match[3].trim()) : undefined;
    if (fallback) param.default = fallback;
    params.push(param);
  }
  return params;
}

/** What a literal default value is: `None`, `False`, `True`, empty or zero (`0`, `""`, `()`), another literal; undefined for any other expression. */
function defaultKind(text: string): ParamDefault | undefined {
  if (text === 'None') return 'none';
  if (text === 'False') return 'false';
  if (text === 'True') return 'true';
  if (/^(?:[+-]?0+(?:\.0*)?|""|''|\(\)|\[\]|\{\})$/.test(text)) return 'empty';
  if (/^(?:[+-]?\d[\d_]*(?:\.\d*)?|"[^"\\]+"|'[^'\\]+')$/.test(text)) return 'value';
  return undefined;
}

/**
 * The class an annotation names, if it names one: `requests.Session`, `Optional[Session]`,
 * `Session | None` and `"Session"` all give `Session`. Containers (`list[X]`) give null.
 */
export function annotationClass(annotation: string): string | null {
  let text = annotation.trim().replace(/^["']|["']$/g, '');
  // `Annotated[Session, Depends(get_db)]` is a `Session` (FastAPI dependencies, pydantic fields).
  const annotated = /^(?:typing(?:_extensions)?\.)?Annotated\[(.*)\]$/s.exec(text);
  if (annotated) text = splitTopLevel(annotated[1])[0] ?? '';
  const optional = /^(?:typing\.)?Optional\[(.*)\]$/.exec(text);
  if (optional) text = optional[1];
  const union = text.split('|').map((s) => s.trim()).filter((s) => s !== 'None');
  if (union.length !== 1) return null;
  text = union[0];
  return DOTTED.test(text) && !BUILTIN_TYPES.has(text) ? text : null;
}

/**
 * The class a function's return annotation says it gives: `-> Session`, or what a generator or
 * context manager annotated `-> Generator[Session, None, None]` / `-> Iterator[Conn]` yields.
 */
export function returnTypeClass(annotation: string): string | null {
  const text = annotation.trim().replace(/^["']|["']$/g, '');
  const yielding = /^(?:typing\.|collections\.abc\.|contextlib\.)?(?:Generator|Iterator|AsyncGenerator|AsyncIterator|Iterable|AsyncIterable|ContextManager|AsyncContextManager|AbstractContextManager|AbstractAsyncContextManager)\[(.*)\]$/s.exec(text);
  return annotationClass(yielding ? splitTopLevel(yielding[1])[0] ?? '' : text);
}

const BUILTIN_TYPES = new Set([
  'int', 'float', 'str', 'bytes', 'bool', 'list', 'dict', 'set', 'tuple', 'object', 'None', 'Any',
  'complex', 'bytearray', 'frozenset', 'type', 'typing.Any', 'Self', 'typing.Self', 'NoReturn', 'Never',
]);

/** Identifiers bound by an assignment target text: `a, (b, c)` gives a, b, c; `x.y` gives none. */
export function targetNames(text: string): string[] {
  const names: string[] = [];
  const work = [text];
  while (work.length > 0) {
    for (const raw of splitTopLevel(work.pop()!)) {
      const part = raw.replace(/^\*/, '').trim();
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) names.push(part);
      else if (/^[([].*[)\]]$/s.test(part) && enclosedWhole(part)) work.push(part.slice(1, -1));
    }
  }
  return names;
}

/** The brackets at both ends of `text` match each other (`(a, b)`, not `(a)[b]`). */
function enclosedWhole(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0 && i < text.length - 1) return false;
    }
  }
  return depth === 0;
}

/** Calls that pass their (first) argument's items through: the loop runs once per item of the argument. */
const PASS_THROUGH = new Set(['enumerate', 'sorted', 'reversed', 'list', 'tuple', 'set', 'frozenset', 'iter', 'zip', 'islice', 'itertools.islice', 'tqdm', 'tqdm.tqdm', 'filter', 'map']);
/** Methods whose result has as many items as their receiver. */
const SAME_SIZE_METHODS = /^(.*)\.(items|keys|values|copy|iteritems|itervalues|iterkeys)\(\)$/s;

/**
 * The collection a loop's passes come from, wrappers removed: `rows` for `enumerate(rows)`,
 * `sorted(d.items(), key=f)` gives `d`, `range(len(rows))` gives `rows`. Other texts come back as
 * they are (`range(n)`, `cur.fetchall()`).
 */
export function iterSubject(text: string): string {
  let current = text.trim();
  for (let guard = 0; guard < 6; guard++) {
    const same = SAME_SIZE_METHODS.exec(current);
    if (same && enclosedCall(current)) {
      current = same[1];
      continue;
    }
    const call = /^([A-Za-z_][\w.]*)\((.*)\)$/s.exec(current);
    if (!call || !enclosedWhole(current.slice(call[1].length))) break;
    const args = splitTopLevel(call[2]).filter((a) => !/^[A-Za-z_]\w*\s*=/.test(a));
    // `range(len(rows))`, `range(1, len(rows))`, `range(len(rows) - 1)`: as many passes as `rows` has items, give or take a few.
    const measured = call[1] === 'range' && args.length <= 3 ? lengthOf(args[args.length === 1 ? 0 : 1] ?? '') : undefined;
    if (measured !== undefined) {
      current = measured;
      continue;
    }
    if (!PASS_THROUGH.has(call[1]) || args.length === 0) break;
    current = (call[1] === 'filter' || call[1] === 'map' ? args[args.length - 1] : args[0]).replace(/^\*/, '').trim();
  }
  return current;
}

/** `x` of `len(x)` or of `len(x) - 1` (a constant added or taken away); undefined for any other text. */
function lengthOf(bound: string): string | undefined {
  const text = bound.trim();
  if (!text.startsWith('len(')) return undefined;
  const close = matchingClose(text, 3);
  return close > 4 && /^(?:[-+]\s*\d+)?$/.test(text.slice(close + 1).trim()) ? text.slice(4, close).trim() : undefined;
}

/** `x.items()` whose final `()` closes the call it ends with (not `f(a).b()` misread). */
function enclosedCall(text: string): boolean {
  return text.endsWith('()');
}

/** A value chain the resolver can follow: a dotted name with `()` and `[]` steps. */
const CHAIN = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\(\)|\[\])*$/;

/**
 * The value of an expression as a chain the resolver can follow, or `''`: parentheses are
 * dropped (`(requests.Session())`), and a division is the left operand's `__truediv__`, so that
 * `Path(p) / "a" / b` gives `Path().__truediv__().__truediv__()` (the catalogue's `returns`
 * entries say a Path divided by anything is a Path).
 */
export function normaliseValue(text: string, depth = 0): string {
  if (depth > 8) return '';
  let inner = text.trim();
  while (inner.startsWith('(') && matchingClose(inner, 0) === inner.length - 1 && !inner.slice(1, -1).trim().endsWith(',')) inner = inner.slice(1, -1).trim();
  // `(await client.get(url)).text`: the awaited value is what the chain continues from.
  inner = inner.replace(/^await\s+/, '');
  const operands = splitDivision(inner);
  if (operands.length > 1) {
    const left = normaliseValue(operands[0], depth + 1);
    return left ? left + '.__truediv__()'.repeat(operands.length - 1) : '';
  }
  // `conn or db`, `a if c else b`: an expression of several values names no one value.
  if (severalValues(inner)) return '';
  const chain = inner.startsWith('(') ? calleeText(inner, depth + 1) : normaliseCallee(inner);
  return CHAIN.test(chain) ? chain : '';
}

/**
 * A callee as written, normalised; one that starts with a parenthesised expression
 * (`(base / "x").read_text`) gets that expression's value in front of the rest.
 */
export function calleeText(text: string, depth = 0): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('(')) return normaliseCallee(trimmed);
  const close = matchingClose(trimmed, 0);
  // A group that is the whole text and was not unwrapped (a tuple) names no value.
  if (close < 0 || close === trimmed.length - 1 || depth > 8) return normaliseCallee(trimmed);
  const head = normaliseValue(trimmed.slice(0, close + 1), depth + 1);
  const rest = normaliseCallee(trimmed.slice(close + 1));
  if (head && (rest === '' || /^[.([]/.test(rest))) return head + rest;
  // A group that names no one value (`(conn or db).fetchone`) gives no chain.
  return severalValues(trimmed.slice(1, close)) ? '' : normaliseCallee(trimmed);
}

/**
 * A callee for display and later resolution: as `normaliseCallee`, except that a leading
 * parenthesised expression keeps its content (`(base / "x").read_text` gives
 * `(base/"").read_text`, which `calleeText` turns into a chain).
 */
export function displayCallee(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('(')) return normaliseCallee(trimmed);
  const close = matchingClose(trimmed, 0);
  if (close < 0) return normaliseCallee(trimmed);
  // `(await session.execute(q)).scalars()`: the awaited value is what the chain continues from.
  const inner = trimmed.slice(1, close).replace(/^\s*await\s+/, '');
  // `(conn or db).fetchone`: a group of several values keeps its words, so no chain is read into it.
  const group = severalValues(inner) ? inner.trim().replace(/\s+/g, ' ') : normaliseCallee(inner);
  return `(${group})${normaliseCallee(trimmed.slice(close + 1))}`;
}

/** Index of the bracket closing the one at `open` (strings skipped), or -1. */
function matchingClose(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      i = skipString(text, i);
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * Calls `visit(i)` for each index of `text` outside strings and brackets (the brackets themselves
 * excluded), until it returns true.
 */
function scanTopLevel(text: string, visit: (i: number) => boolean | void): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") i = skipString(text, i);
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (depth === 0 && visit(i) === true) return;
  }
}

/** Whether a group names several values (`conn or db`, `a if c else b`): words apart outside its brackets and strings. */
function severalValues(text: string): boolean {
  let top = '';
  scanTopLevel(text, (i) => {
    top += text[i];
  });
  return /\s/.test(top.trim());
}

/** The operands of a top-level chain of `/` (not `//`), or the whole text when there is none. */
function splitDivision(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let other = false;
  scanTopLevel(text, (i) => {
    const ch = text[i];
    if (ch === '/') {
      if (text[i + 1] === '/' || text[i + 1] === '=' || text[i - 1] === '/') return (other = true);
      parts.push(text.slice(start, i));
      start = i + 1;
    } else if (/[-+*%@<>=!&|^~,]/.test(ch)) return (other = true);
    return false;
  });
  if (other || parts.length === 0) return [text];
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/**
 * The context manager of a `with` item's text: `open(p) as f` gives `open(p)`; an item without
 * `as` is itself.
 */
export function withItemValue(text: string): string {
  let cut = -1;
  scanTopLevel(text, (i) => {
    if (/\s/.test(text[i]) && /^\sas\s/.test(text.slice(i, i + 4))) cut = i;
  });
  return cut < 0 ? text : text.slice(0, cut);
}
