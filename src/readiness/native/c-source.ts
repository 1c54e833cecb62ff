/**
 * C and C++ extension sources: the module definitions they hold (multi-phase slot arrays,
 * `PyModuleDef`s, `PyModule_Create` calls, `PYBIND11_MODULE`, `NB_MODULE`) and the C-API uses that
 * are unsafe without the GIL (checklist B01, B04, B08, C01, C02, C03, C04, C05, C06, C07, C08), with the positive
 * signals (C10) of each file.
 *
 * Stage: readiness. tree-sitter parses the file once: its comments and string literals are
 * blanked, and it gives function bodies, file-scope declarations and assignments. The API names
 * are then found in the blanked text, so macro bodies count while comments and strings never do.
 * Preprocessor guards decide which builds compile each line (see guards.ts).
 */
import type Parser from 'tree-sitter';
import type { Span } from '../../facts/types.js';
import type { NativeSignal, ReadinessProblem } from '../types.js';
import { BORROWED, FRESH_CONTAINER, KWARGS_NAME, STRONG_REF_APIS, SYNCHRONISES, SYNC_TYPE } from './apis.js';
import { parserFor } from './grammars.js';
import { Build, lineBuilds } from './guards.js';
import { problem } from './problem.js';
import { Lines } from '../lines.js';
import { blank, matchingClose, nextNonBlank, splitArgs } from './text.js';

/** A `PyModuleDef_Slot` array and what its `Py_mod_gil` slot says. */
export interface SlotArray {
  variable: string;
  file: string;
  span: Span;
  gil: 'not-used' | 'used' | 'absent';
  /** Functions its `Py_mod_exec` / `Py_mod_create` slots name. */
  functions: string[];
}

/** A `PyModuleDef` and the fields the checks read. */
export interface ModuleDef {
  variable: string;
  /** `m_name`, when it is a string literal (or a macro defined as one). */
  name?: string;
  /** `m_slots`, when it names an array. */
  slots?: string;
  file: string;
  span: Span;
}

/** A `PyModule_Create(&def)` call: a single-phase module. */
export interface ModuleCreate {
  file: string;
  span: Span;
  def?: string;
  /** The `PyInit_<name>` function it is in. */
  init?: string;
}

/** A pybind11 or nanobind module macro. */
export interface BindingMacro {
  binding: 'pybind11' | 'nanobind';
  name: string;
  file: string;
  span: Span;
  declares: boolean;
}

export interface CSource {
  file: string;
  slotArrays: SlotArray[];
  defs: ModuleDef[];
  creates: ModuleCreate[];
  /** The file calls `PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED)` where a free-threaded build compiles it. */
  setsGilNotUsed: boolean;
  /** Names of its `PyInit_<name>` functions. */
  inits: string[];
  macros: BindingMacro[];
  problems: ReadinessProblem[];
  signals: Partial<Record<NativeSignal, number>>;
}

interface FunctionRange {
  name: string;
  start: number;
  end: number;
}

interface StaticVar {
  name: string;
  start: number;
  end: number;
}

interface Write {
  name: string;
  index: number;
}

/** Thread-local storage, spelled by the language or by a project macro (`NPY_TLS`, `Py_thread_local`). */
const THREAD_LOCAL = /\b(?:_Thread_local|__thread|\w*thread_local|\w*THREAD_LOCAL\w*|\w*_TLS|TLS)\b|__declspec\s*\(\s*thread\s*\)/i;

/** Prefixes of every name the token scan acts on; the rest of the identifiers are skipped. */
const TOKEN = /\b(?:_?Py|PY|NB_MODULE|ASSERT)\w*/g;

/** Reads one C or C++ file. `cpp` picks the C++ grammar. */
export function readCSource(file: string, text: string, cpp: boolean): CSource {
  const out: CSource = { file, slotArrays: [], defs: [], creates: [], setsGilNotUsed: false, inits: [], macros: [], problems: [], signals: {} };
  const language = cpp ? 'cpp' : 'c';
  const walked = walk(parserFor(language).parse(text), text, language);
  const masked = blank(text, walked.masks);
  const lines = new Lines(text);
  const maskedLines = new Lines(masked);
  const builds = lineBuilds(masked.split('\n').map((l) => l.replace(/\r$/, '')));
  const compiledFreeThreaded = (index: number) => {
    const b = builds[lines.lineOf(index)];
    return b === Build.Any || b === Build.FreeThreaded;
  };
  const ctx: FileContext = { file, text, masked, lines, maskedLines, builds, functions: walked.functions, compiledFreeThreaded, declaratorEnds: walked.declaratorEnds, fnFacts: new Map() };
  for (const include of walked.includes) if (/pythoncapi_compat\.h/.test(include)) bump(out.signals, 'pythoncapi-compat');

  readModuleDefinitions(ctx, out);
  scanTokens(ctx, out, walked);
  // Statics of code that does not use the C API (a bundled C library) are not the extension's state.
  const usesCApi = walked.includes.some((i) => /Python\.h|pybind11|nanobind/.test(i)) || /\bPyObject\b|\bPy_\w/.test(masked);
  if (walked.statics.length > 0 && usesCApi) mutableStatics(ctx, out, walked.statics, walked.writes);
  return out;
}

interface FileContext {
  file: string;
  text: string;
  masked: string;
  lines: Lines;
  maskedLines: Lines;
  builds: Uint8Array;
  functions: FunctionRange[];
  declaratorEnds: Set<number>;
  compiledFreeThreaded(index: number): boolean;
  fnFacts: Map<FunctionRange, FunctionFacts>;
}

interface Walked {
  masks: { start: number; end: number }[];
  functions: FunctionRange[];
  statics: StaticVar[];
  writes: Write[];
  includes: string[];
  declaratorEnds: Set<number>;
}

/** What the walk does with a node type; node types are compared by numeric id, learned per grammar. */
const enum Kind {
  Other = 1,
  Masked,
  Include,
  Function,
  FunctionDeclarator,
  Declaration,
  Assignment,
  Update,
  Initializer,
}

const KIND_OF_TYPE: Record<string, Kind> = {
  comment: Kind.Masked, string_literal: Kind.Masked, char_literal: Kind.Masked, raw_string_literal: Kind.Masked,
  system_lib_string: Kind.Masked, preproc_include: Kind.Include, function_definition: Kind.Function,
  function_declarator: Kind.FunctionDeclarator, declaration: Kind.Declaration,
  assignment_expression: Kind.Assignment, update_expression: Kind.Update, initializer_list: Kind.Initializer,
};

/** Per grammar (C, C++): node type id → Kind, filled as ids are first seen. */
const kindsByLanguage = new Map<'c' | 'cpp', Kind[]>();

/**
 * One pass over the tree: blanked ranges, functions, file-scope statics, assignments, includes.
 * File-scope initializer lists (method tables, large data tables) are not walked: their comments
 * and strings are found by a small lexer, which is much cheaper than visiting every element.
 */
function walk(tree: Parser.Tree, text: string, language: 'c' | 'cpp'): Walked {
  const out: Walked = { masks: [], functions: [], statics: [], writes: [], includes: [], declaratorEnds: new Set() };
  let kinds = kindsByLanguage.get(language);
  if (!kinds) kindsByLanguage.set(language, (kinds = []));
  const cursor = tree.walk();
  /** Depths of the function definitions the cursor is inside. */
  const fnDepths: number[] = [];
  let depth = 0;
  for (;;) {
    const id = cursor.nodeTypeId;
    let kind = kinds[id];
    if (kind === undefined) kind = kinds[id] = KIND_OF_TYPE[cursor.nodeType] ?? Kind.Other;
    let descend = true;
    switch (kind) {
      case Kind.Other:
        break;
      case Kind.Masked:
        out.masks.push({ start: cursor.startIndex, end: cursor.endIndex });
        descend = false;
        break;
      case Kind.Include:
        out.includes.push(cursor.currentNode.text);
        break;
      case Kind.Function: {
        const node = cursor.currentNode;
        out.functions.push({ name: declaredName(node.childForFieldName('declarator')) ?? '', start: node.startIndex, end: node.endIndex });
        fnDepths.push(depth);
        break;
      }
      case Kind.FunctionDeclarator: {
        const name = cursor.currentNode.childForFieldName('declarator');
        if (name) out.declaratorEnds.add(name.endIndex);
        break;
      }
      case Kind.Declaration:
        if (fnDepths.length === 0) out.statics.push(...staticVariables(cursor.currentNode, text));
        break;
      case Kind.Assignment:
      case Kind.Update:
        if (fnDepths.length > 0) {
          const node = cursor.currentNode;
          const target = baseIdentifier(node.childForFieldName(kind === Kind.Assignment ? 'left' : 'argument'));
          if (target) out.writes.push({ name: target.text, index: target.startIndex });
        }
        break;
      case Kind.Initializer:
        if (fnDepths.length === 0) {
          lexMasks(text, cursor.startIndex, cursor.endIndex, out.masks);
          descend = false;
        }
        break;
    }
    if (descend && cursor.gotoFirstChild()) {
      depth++;
      continue;
    }
    for (;;) {
      if (cursor.gotoNextSibling()) {
        while (fnDepths.length > 0 && fnDepths[fnDepths.length - 1] >= depth) fnDepths.pop();
        break;
      }
      if (!cursor.gotoParent()) {
        out.functions.sort((a, b) => a.start - b.start);
        out.masks.sort((a, b) => a.start - b.start);
        return out;
      }
      depth--;
      while (fnDepths.length > 0 && fnDepths[fnDepths.length - 1] > depth) fnDepths.pop();
    }
  }
}

/** Comments and string and character literals between `start` and `end`, found by a small C lexer. */
function lexMasks(text: string, start: number, end: number, masks: { start: number; end: number }[]): void {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      const close = text.indexOf('*/', i + 2);
      const stop = close < 0 || close + 2 > end ? end : close + 2;
      masks.push({ start: i, end: stop });
      i = stop - 1;
    } else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      let stop = text.indexOf('\n', i);
      if (stop < 0 || stop > end) stop = end;
      masks.push({ start: i, end: stop });
      i = stop - 1;
    } else if (c === 34 /* " */ || c === 39 /* ' */) {
      let j = i + 1;
      while (j < end && text.charCodeAt(j) !== c && text.charCodeAt(j) !== 10) j += text.charCodeAt(j) === 92 /* \\ */ ? 2 : 1;
      const stop = Math.min(j + 1, end);
      masks.push({ start: i, end: stop });
      i = stop - 1;
    }
  }
}

/** The name a declarator declares (`PyInit_foo` in `PyInit_foo(void)`, `m` in `*m`). */
function declaredName(node: Parser.SyntaxNode | null): string | undefined {
  for (let cur = node, guard = 0; cur && guard < 20; guard++) {
    switch (cur.type) {
      case 'identifier':
      case 'field_identifier':
        return cur.text;
      case 'qualified_identifier':
      case 'operator_name':
      case 'destructor_name':
        return cur.text;
      case 'parenthesized_declarator':
        cur = cur.namedChild(0);
        break;
      default:
        cur = cur.childForFieldName('declarator') ?? (cur.type === 'reference_declarator' ? cur.namedChild(0) : null);
    }
  }
  return undefined;
}

/** The variable an assignment writes: `x`, `x[i]`, `x.f`, `x->f`, `*x`, `(x)`. */
function baseIdentifier(node: Parser.SyntaxNode | null): Parser.SyntaxNode | undefined {
  for (let cur = node, guard = 0; cur && guard < 20; guard++) {
    switch (cur.type) {
      case 'identifier':
        return cur;
      case 'field_expression':
      case 'subscript_expression':
      case 'pointer_expression':
        cur = cur.childForFieldName('argument');
        break;
      case 'parenthesized_expression':
        cur = cur.namedChild(0);
        break;
      default:
        return undefined;
    }
  }
  return undefined;
}

/** The mutable variables a file-scope `static` declaration defines (not functions, consts, atomics, locks or thread-locals). */
function staticVariables(node: Parser.SyntaxNode, text: string): StaticVar[] {
  // Thread-local spellings the grammar does not know (`_Thread_local`, `Py_thread_local`) are read from the text.
  if (THREAD_LOCAL.test(text.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 300)))) return [];
  let isStatic = false;
  let constObject = false;
  for (const child of node.children) {
    if (child.type === 'storage_class_specifier') {
      const word = child.text;
      if (word === 'static') isStatic = true;
      else if (/constexpr|constinit/.test(word)) return [];
    } else if (child.type === 'type_qualifier') {
      const word = child.text;
      if (word === 'const' || word === 'constexpr') constObject = true;
      else if (word === '_Atomic') return [];
    }
  }
  if (!isStatic) return [];
  const type = node.childForFieldName('type');
  if (type && SYNC_TYPE.test(type.text)) return [];
  const out: StaticVar[] = [];
  for (const d of node.childrenForFieldName('declarator')) {
    let cur: Parser.SyntaxNode | null = d.type === 'init_declarator' ? d.childForFieldName('declarator') : d;
    let pointer = false;
    let pointerConst = false;
    let isFunction = false;
    for (let guard = 0; cur && guard < 20 && cur.type !== 'identifier'; guard++) {
      if (cur.type === 'pointer_declarator') {
        if (!pointer) pointerConst = cur.children.some((c) => c.type === 'type_qualifier' && c.text === 'const');
        pointer = true;
        cur = cur.childForFieldName('declarator');
      } else if (cur.type === 'function_declarator') {
        isFunction = true;
        break;
      } else if (cur.type === 'array_declarator') {
        cur = cur.childForFieldName('declarator');
      } else if (cur.type === 'parenthesized_declarator' || cur.type === 'reference_declarator') {
        cur = cur.namedChild(0);
      } else {
        cur = null;
      }
    }
    if (isFunction || !cur || cur.type !== 'identifier') continue;
    if (pointer ? pointerConst : constObject) continue;
    out.push({ name: cur.text, start: node.startIndex, end: node.endIndex });
  }
  return out;
}

const SLOT_ARRAY = /\b(?:struct\s+)?PyModuleDef_Slot\s+([A-Za-z_]\w*)\s*\[[^\]]*\]\s*=\s*\{/g;
const MODULE_DEF = /\b(?:struct\s+)?PyModuleDef\s+([A-Za-z_]\w*)\s*=\s*\{/g;
const GIL_SLOT = /\{\s*Py_mod_gil\s*,\s*([A-Za-z_]\w*)\s*\}/g;
const EXEC_SLOT = /\{\s*Py_mod_(?:exec|create)\s*,\s*(?:\(\s*void\s*\*\s*\)\s*)?&?\s*([A-Za-z_]\w*)\s*\}/g;

/** Multi-phase slot arrays and `PyModuleDef`s. */
function readModuleDefinitions(ctx: FileContext, out: CSource): void {
  const { masked, text, lines } = ctx;
  if (!masked.includes('PyModuleDef')) return;
  for (const m of masked.matchAll(SLOT_ARRAY)) {
    const open = m.index + m[0].length - 1;
    if (!ctx.compiledFreeThreaded(m.index)) continue;
    const close = matchingClose(masked, open);
    const body = masked.slice(open, close < 0 ? open : close);
    let gil: SlotArray['gil'] = 'absent';
    for (const slot of body.matchAll(GIL_SLOT)) {
      if (!ctx.compiledFreeThreaded(open + slot.index)) continue;
      const value = resolveMacro(ctx, slot[1]);
      // A value the file does not define (a macro from elsewhere) is given the benefit of the doubt.
      if (value === 'Py_MOD_GIL_USED') {
        if (gil === 'absent') gil = 'used';
      } else gil = 'not-used';
    }
    const functions = [...body.matchAll(EXEC_SLOT)].map((s) => s[1]);
    out.slotArrays.push({ variable: m[1], file: ctx.file, span: lines.span(m.index, m.index + m[0].length - 1), gil, functions });
  }
  for (const m of masked.matchAll(MODULE_DEF)) {
    const open = m.index + m[0].length - 1;
    const close = matchingClose(masked, open);
    if (close < 0 || !ctx.compiledFreeThreaded(m.index)) continue;
    const args = splitArgs(masked, open, close);
    let name: string | undefined;
    let slots: string | undefined;
    args.forEach((arg, i) => {
      const code = masked.slice(arg.start, arg.end).trim();
      const designated = /^\.\s*(\w+)\s*=\s*([\s\S]*)$/.exec(code);
      const field = designated ? designated[1] : ['m_base', 'm_name', 'm_doc', 'm_size', 'm_methods', 'm_slots'][i];
      const value = designated ? designated[2].trim() : code;
      if (field === 'm_name') name = stringValue(ctx, text.slice(arg.start, arg.end).replace(/^\s*\.\s*m_name\s*=/, '').trim(), value);
      else if (field === 'm_slots' && /^[A-Za-z_]\w*$/.test(value) && value !== 'NULL' && value !== 'nullptr') slots = value;
    });
    out.defs.push({ variable: m[1], name, slots, file: ctx.file, span: lines.span(m.index, m.index + m[0].length - 1) });
  }
}

/** A string literal's content, or a macro's when it is defined as one in the file. */
function stringValue(ctx: FileContext, original: string, masked: string): string | undefined {
  const literal = /^"([^"]*)"$/.exec(original);
  if (literal) return literal[1];
  if (/^[A-Za-z_]\w*$/.test(masked)) {
    const define = new RegExp(`^\\s*#\\s*define\\s+${masked}\\s+"([^"]*)"`, 'm').exec(ctx.text);
    if (define) return define[1];
  }
  return undefined;
}

/** A macro's value when the file defines it as a single name (`#define GIL_SLOT_VALUE Py_MOD_GIL_NOT_USED`). */
function resolveMacro(ctx: FileContext, name: string): string {
  if (name.startsWith('Py_MOD_GIL_')) return name;
  const define = new RegExp(`^\\s*#\\s*define\\s+${name}\\s+([A-Za-z_]\\w*)\\s*$`, 'm').exec(ctx.masked);
  return define ? define[1] : name;
}

interface FunctionFacts {
  /** Names of containers the function creates itself (a fresh dict or list only it can see). */
  fresh: Set<string>;
  /** It takes a lock, a critical section, uses atomics, or asserts that the caller holds a lock. */
  synchronises: boolean;
  /** It asserts that its caller holds the object's lock (`ASSERT_DICT_LOCKED`, `_Py_CRITICAL_SECTION_ASSERT_OBJECT_LOCKED`). */
  assertsLocked: boolean;
}

function functionFacts(ctx: FileContext, fn: FunctionRange): FunctionFacts {
  let facts = ctx.fnFacts.get(fn);
  if (!facts) {
    const body = ctx.masked.slice(fn.start, fn.end);
    facts = {
      fresh: new Set([...body.matchAll(FRESH_CONTAINER)].map((m) => m[1])), synchronises: SYNCHRONISES.test(body),
      // CPython's naming convention for functions whose caller holds the lock: `*_lock_held`, `*_locked`.
      assertsLocked: /ASSERT\w*LOCKED|_CRITICAL_SECTION_ASSERT/.test(body) || /_lock_held\b|_locked$/.test(fn.name),
    };
    ctx.fnFacts.set(fn, facts);
  }
  return facts;
}

/** The innermost function holding an offset. */
function functionAt(functions: FunctionRange[], index: number): FunctionRange | undefined {
  let lo = 0;
  let hi = functions.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (functions[mid].start <= index) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  for (let i = found; i >= 0 && i > found - 8; i--) if (functions[i].end > index) return functions[i];
  return undefined;
}

/** The arguments of the call whose name ends at `end`, as blanked text; undefined when no `(` follows. */
function callArgs(ctx: FileContext, end: number): { open: number; close: number; args: string[] } | undefined {
  const open = nextNonBlank(ctx.masked, end);
  if (open < 0 || ctx.masked[open] !== '(') return undefined;
  const close = matchingClose(ctx.masked, open, 4000);
  if (close < 0) return undefined;
  return { open, close, args: splitArgs(ctx.masked, open, close).map((a) => ctx.masked.slice(a.start, a.end).trim()) };
}

/** A plain variable an argument names: `d`, `(PyObject *)d`, `&d` → `d`. */
function argName(arg: string | undefined): string | undefined {
  if (!arg) return undefined;
  const m = /^(?:\(\s*[\w\s*]+\)\s*)?&?\s*([A-Za-z_]\w*)$/.exec(arg.trim());
  return m?.[1];
}

/** One pass over the API names in the blanked text, in order. */
function scanTokens(ctx: FileContext, out: CSource, walked: Walked): void {
  const { masked, lines } = ctx;
  let currentFn: FunctionRange | undefined;
  let criticalDepth = 0;
  /** The object of the outermost open critical section (for C06). */
  let outerSection: string | undefined;
  for (const m of masked.matchAll(TOKEN)) {
    const token = m[0];
    const index = m.index;
    const end = index + token.length;
    const fn = functionAt(ctx.functions, index);
    if (fn !== currentFn) {
      currentFn = fn;
      criticalDepth = 0;
    }
    if (token.startsWith('Py_BEGIN_CRITICAL_SECTION')) {
      bump(out.signals, 'critical-section');
      // C06: a one-object section opened inside another. The inner one may suspend the outer
      // (release its lock while waiting), so the two objects are not held together;
      // `Py_BEGIN_CRITICAL_SECTION2(a, b)` locks both at once.
      if (fn && criticalDepth > 0 && token === 'Py_BEGIN_CRITICAL_SECTION' && !/#\s*define\s+$/.test(masked.slice(Math.max(0, index - 40), index)) && ctx.compiledFreeThreaded(index)) {
        const inner = callArgs(ctx, end)?.args[0]?.replace(/\s+/g, ' ') ?? 'the object';
        out.problems.push(problem('C06', ctx.file, lines.span(index, end), token, { inner, outer: outerSection ?? 'another object', function: fn.name }));
      }
      if (fn) {
        if (criticalDepth === 0) outerSection = callArgs(ctx, end)?.args[0]?.replace(/\s+/g, ' ');
        criticalDepth++;
      }
      continue;
    }
    if (token.startsWith('Py_END_CRITICAL_SECTION')) {
      if (fn && criticalDepth > 0) criticalDepth--;
      continue;
    }
    if (token === 'Py_GIL_DISABLED') {
      bump(out.signals, 'gil-disabled-guard');
      continue;
    }
    if (token.startsWith('PyMutex')) bump(out.signals, 'pymutex');
    if (STRONG_REF_APIS.has(token)) {
      bump(out.signals, 'strong-ref-api');
      continue;
    }
    if (token.startsWith('PyInit_') && walked.declaratorEnds.has(end) && fn && fn.name === token) {
      out.inits.push(token.slice('PyInit_'.length));
      continue;
    }
    if (token === 'Py_LIMITED_API') {
      // Defining the Limited API where a free-threaded build compiles it stops that build.
      // A value from 3.15 on selects the free-threaded stable ABI (abi3t, PEP 803), which is fine.
      const value = /^\s+(0x[0-9A-Fa-f]+|\d+)/.exec(masked.slice(end, end + 20))?.[1];
      const abi3t = value !== undefined && Number(value) >= 0x030f0000;
      if (!abi3t && /#\s*define\s+$/.test(masked.slice(Math.max(0, index - 40), index)) && ctx.compiledFreeThreaded(index)) {
        out.problems.push(problem('B08', ctx.file, lines.span(index, end), token, { setting: '`#define Py_LIMITED_API`' }));
      }
      continue;
    }
    const replacement = BORROWED.get(token);
    const interesting = replacement !== undefined || SINGLE_TOKENS.has(token);
    if (!interesting) continue;
    // A declaration or definition of the API itself, or the name of a macro being defined, is not a use.
    // (The module macros parse as function definitions: `PYBIND11_MODULE(name, m) { ... }`.)
    if ((walked.declaratorEnds.has(end) && !MODULE_MACROS.has(token)) || /#\s*(?:define|undef|ifn?def)\s+$/.test(masked.slice(Math.max(0, index - 40), index))) continue;
    if (/#\s*if/.test(masked.slice(masked.lastIndexOf('\n', index) + 1, index))) continue;
    if (!ctx.compiledFreeThreaded(index)) continue;
    const line = lines.lineOf(index);
    const span = lines.span(index, end);
    if (replacement !== undefined) {
      if (criticalDepth > 0 || /noqa\s*:\s*borrowed-ref/.test(lines.lineText(line))) continue;
      const call = callArgs(ctx, end);
      const first = argName(call?.args[0]);
      if (fn && first && !token.startsWith('PyWeakref') && !token.startsWith('PyImport') && !token.startsWith('PyCell')) {
        if ((token.startsWith('PyDict') || token.startsWith('_PyDict')) && KWARGS_NAME.test(first)) continue;
        if (functionFacts(ctx, fn).fresh.has(first)) continue;
      }
      if (fn && functionFacts(ctx, fn).assertsLocked) continue;
      out.problems.push(problem('C01', ctx.file, span, token, { api: token, replacement, function: fn?.name ?? '(file scope)' }));
      continue;
    }
    switch (token) {
      case 'PyDict_Next': {
        if (!fn || criticalDepth > 0) break;
        const first = argName(callArgs(ctx, end)?.args[0]);
        if (first && (KWARGS_NAME.test(first) || functionFacts(ctx, fn).fresh.has(first))) break;
        if (functionFacts(ctx, fn).assertsLocked) break;
        out.problems.push(problem('C02', ctx.file, span, token, { api: token, dict: first ?? 'the dictionary', function: fn.name }));
        break;
      }
      case 'PyList_SET_ITEM': {
        // C03: the unchecked macro stores into a list another thread may be reading or resizing.
        // A list the function made itself (PyList_New, PySequence_List, ...) is its own until
        // returned; an argument that is not a plain name is left alone (its origin is unknown).
        if (!fn || criticalDepth > 0) break;
        const first = argName(callArgs(ctx, end)?.args[0]);
        if (!first || functionFacts(ctx, fn).fresh.has(first) || functionFacts(ctx, fn).assertsLocked) break;
        out.problems.push(problem('C03', ctx.file, span, token, { api: token, list: first, function: fn.name }));
        break;
      }
      case 'PyMutex_Lock': {
        const call = callArgs(ctx, end);
        if (call && /\bob_mutex\b/.test(call.args[0] ?? '')) {
          out.problems.push(problem('C05', ctx.file, span, 'ob_mutex', { api: token, argument: call.args[0].replace(/\s+/g, ' '), function: fn?.name ?? '(file scope)' }));
        }
        break;
      }
      case 'PyObject_Malloc':
      case 'PyObject_Calloc':
      case 'PyObject_Realloc': {
        // Only where the code itself says the memory is not an object: a cast to a plain pointer type or a size of plain elements.
        const call = callArgs(ctx, end);
        if (!call) break;
        const cast = PLAIN_POINTER_CAST.exec(masked.slice(Math.max(0, index - 60), index))?.[1];
        const element = call.args.map((a) => PLAIN_SIZEOF.exec(a)?.[1]).find(Boolean);
        const plain = cast ?? element;
        if (plain) {
          out.problems.push(problem('C07', ctx.file, span, token, {
            api: token, element: plain, replacement: token.replace('PyObject_', 'PyMem_'), function: fn?.name ?? '(file scope)',
          }));
        }
        break;
      }
      case 'PyThread_allocate_lock':
        if (callArgs(ctx, end)) out.problems.push(problem('C08', ctx.file, span, token, { api: token, function: fn?.name ?? '(file scope)' }));
        break;
      case 'PyModule_Create':
      case 'PyModule_Create2': {
        const call = callArgs(ctx, end);
        if (!call) break;
        const init = fn?.name.startsWith('PyInit_') ? fn.name.slice('PyInit_'.length) : undefined;
        out.creates.push({ file: ctx.file, span, def: argName(call.args[0]), init });
        break;
      }
      case 'PyUnstable_Module_SetGIL':
      case 'PyModule_ExperimentalSetGIL': {
        const call = callArgs(ctx, end);
        if (call && /Py_MOD_GIL_NOT_USED/.test(call.args[1] ?? '')) out.setsGilNotUsed = true;
        break;
      }
      case 'PYBIND11_MODULE':
      case 'PYBIND11_PLUGIN':
      case 'NB_MODULE': {
        const call = callArgs(ctx, end);
        if (!call || !call.args[0]) break;
        out.macros.push({
          binding: token === 'NB_MODULE' ? 'nanobind' : 'pybind11', name: call.args[0], file: ctx.file,
          span: lines.span(index, call.close + 1), declares: token === 'PYBIND11_MODULE' && call.args.slice(2).some((a) => /\bmod_gil_not_used\b/.test(a)),
        });
        break;
      }
    }
  }
}

/** Element types that are never Python objects. */
const PLAIN = '(?:unsigned\\s+|signed\\s+|const\\s+)*(char|short|int|long(?:\\s+long)?|float|double|size_t|ssize_t|Py_ssize_t|Py_hash_t|Py_UCS[124]|Py_UNICODE|wchar_t|u?int(?:8|16|32|64)_t|npy_\\w+|uint\\w*|bool|_Bool)';
const PLAIN_POINTER_CAST = new RegExp(`\\(\\s*${PLAIN}\\s*\\*+\\s*\\)\\s*$`);
const PLAIN_SIZEOF = new RegExp(`\\bsizeof\\s*\\(?\\s*${PLAIN}\\s*\\)`);

const MODULE_MACROS = new Set(['PYBIND11_MODULE', 'PYBIND11_PLUGIN', 'NB_MODULE']);

const SINGLE_TOKENS = new Set([
  'PyDict_Next', 'PyList_SET_ITEM', 'PyMutex_Lock', 'PyThread_allocate_lock', 'PyObject_Malloc', 'PyObject_Calloc', 'PyObject_Realloc', 'PyModule_Create', 'PyModule_Create2',
  'PyUnstable_Module_SetGIL', 'PyModule_ExperimentalSetGIL', 'PYBIND11_MODULE', 'PYBIND11_PLUGIN', 'NB_MODULE',
]);

const SETREF = /\bPy_X?SETREF\s*\(\s*([A-Za-z_]\w*)\s*,/g;

/**
 * C04: file-scope statics written by functions that can run at any time on any thread: the
 * functions Python calls through the file's tables (methods, type slots, getters) or through
 * pointers the file hands out, and the functions they call in the file. Import runs the module's
 * init (`PyInit_*`, its exec slots, its `PyModuleDef` callbacks) once under a lock, so writes only
 * reachable from there are safe; functions only other files call are not judged here.
 */
function mutableStatics(ctx: FileContext, out: CSource, statics: StaticVar[], writes: Write[]): void {
  const byName = new Map<string, StaticVar>();
  for (const s of statics) if (ctx.compiledFreeThreaded(s.start)) byName.set(s.name, s);
  if (byName.size === 0) return;
  const all = [...writes];
  for (const m of ctx.masked.matchAll(SETREF)) all.push({ name: m[1], index: m.index });
  const candidates = all.filter((w) => byName.has(w.name) && ctx.compiledFreeThreaded(w.index)).sort((a, b) => a.index - b.index);
  if (candidates.length === 0) return;
  const runtime = runtimeFunctions(ctx, out);
  const reported = new Set<string>();
  for (const w of candidates) {
    if (reported.has(w.name)) continue;
    const fn = functionAt(ctx.functions, w.index);
    if (!fn || !runtime.has(fn) || functionFacts(ctx, fn).synchronises) continue;
    reported.add(w.name);
    const s = byName.get(w.name)!;
    const declLine = ctx.lines.lineOf(s.start);
    out.problems.push(problem('C04', ctx.file, ctx.lines.lineSpan(declLine), w.name, {
      name: w.name, function: fn.name, line: String(ctx.lines.lineOf(w.index)),
    }));
  }
}

const IDENTIFIER = /\b[A-Za-z_]\w*\b/g;

/**
 * Functions that can run after import: those whose address the file hands out (named in a
 * file-scope table, or used without a call inside a function: `tp->tp_new = f`, a callback), other
 * than the module's own lifecycle functions, and every function they call in the file.
 */
function runtimeFunctions(ctx: FileContext, out: CSource): Set<FunctionRange> {
  const byName = new Map<string, FunctionRange>();
  for (const fn of ctx.functions) if (fn.name) byName.set(fn.name, fn);
  // The module's lifecycle: exec and create slots, and what a PyModuleDef names besides its method table.
  const lifecycle = new Set(out.slotArrays.flatMap((s) => s.functions));
  for (const def of ctx.masked.matchAll(MODULE_DEF)) {
    const open = def.index + def[0].length - 1;
    const close = matchingClose(ctx.masked, open);
    if (close < 0) continue;
    splitArgs(ctx.masked, open, close).forEach((arg, i) => {
      const a = ctx.masked.slice(arg.start, arg.end);
      if (i === 4 || /^\s*\.\s*m_methods\b/.test(a)) return;
      for (const id of a.matchAll(IDENTIFIER)) lifecycle.add(id[0]);
    });
  }
  const calls = new Map<FunctionRange, Set<FunctionRange>>();
  const entries: FunctionRange[] = [];
  for (const id of ctx.masked.matchAll(IDENTIFIER)) {
    const target = byName.get(id[0]);
    if (!target) continue;
    const end = id.index + id[0].length;
    if (ctx.declaratorEnds.has(end) || !ctx.compiledFreeThreaded(id.index)) continue;
    const user = functionAt(ctx.functions, id.index);
    const called = ctx.masked[nextNonBlank(ctx.masked, end)] === '(';
    if (user && called) {
      let set = calls.get(user);
      if (!set) calls.set(user, (set = new Set()));
      set.add(target);
    } else if (!lifecycle.has(id[0]) && !(user && /^PyInit_/.test(user.name) && /(?:^|_)exec(?:_|$)/i.test(id[0]))) {
      // (An exec function that PyInit hands to a module-building helper is lifecycle too.)
      entries.push(target);
    }
  }
  const runtime = new Set<FunctionRange>();
  for (const stack = entries; stack.length > 0; ) {
    const fn = stack.pop()!;
    if (runtime.has(fn)) continue;
    runtime.add(fn);
    for (const callee of calls.get(fn) ?? []) if (!runtime.has(callee)) stack.push(callee);
  }
  return runtime;
}

function bump(signals: Partial<Record<NativeSignal, number>>, kind: NativeSignal): void {
  signals[kind] = (signals[kind] ?? 0) + 1;
}
