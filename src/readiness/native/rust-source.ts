/**
 * Rust sources using PyO3: `#[pymodule]` functions and inline modules, whether each opts out of
 * the GIL (`#[pymodule(gil_used = false)]`, or `gil_used(false)` in its body), and uses of
 * `GILProtected`, which free-threaded builds do not have (checklist B06).
 *
 * Stage: readiness. tree-sitter-rust finds the comments and string literals (doc comments hold
 * example code), which are blanked before the attributes are read.
 */
import type { Span } from '../../facts/types.js';
import type { ReadinessProblem } from '../types.js';
import { parserFor } from './grammars.js';
import { problem } from './problem.js';
import { Lines } from '../lines.js';
import { blank, matchingClose } from './text.js';

export interface PyModuleItem {
  name: string;
  binding: 'pyo3' | 'rust';
  file: string;
  span: Span;
  declares: boolean;
}

export interface RustSource {
  modules: PyModuleItem[];
  problems: ReadinessProblem[];
  /**
   * `#[pymodule]`s that leave `gil_used` unset, with the problem they are unless their crate's
   * PyO3 declares free-threading by default (0.28 and later: see pyo3DefaultsGilFree).
   */
  unset: { module: PyModuleItem; problem: ReadinessProblem }[];
}

const MASKED = new Set(['line_comment', 'block_comment', 'string_literal', 'raw_string_literal', 'char_literal']);
const PYMODULE = /#\s*\[\s*(?:::\s*)?(?:pyo3\s*::\s*)?pymodule\b/g;
const ATTRIBUTE = /^\s*#\s*\[/;
const ITEM = /^\s*(?:pub\s*(?:\([^)]*\))?\s*)?(?:unsafe\s+)?(fn|mod)\s+([A-Za-z_]\w*)/;

export function readRustSource(file: string, text: string): RustSource {
  const out: RustSource = { modules: [], problems: [], unset: [] };
  if (!text.includes('pymodule') && !text.includes('GILProtected') && !text.includes('PyInit_')) return out;
  const masks: { start: number; end: number }[] = [];
  const cursor = parserFor('rust').parse(text).walk();
  for (;;) {
    let descend = true;
    if (MASKED.has(cursor.nodeType)) {
      masks.push({ start: cursor.startIndex, end: cursor.endIndex });
      descend = false;
    }
    if (descend && cursor.gotoFirstChild()) continue;
    let done = false;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        done = true;
        break;
      }
    }
    if (done) break;
  }
  masks.sort((a, b) => a.start - b.start);
  const masked = blank(text, masks);
  const lines = new Lines(text);

  for (const m of masked.matchAll(PYMODULE)) {
    const open = masked.indexOf('[', m.index);
    const close = matchingClose(masked, open);
    if (close < 0) continue;
    let args = masked.slice(open, close + 1);
    let names = [text.slice(open, close + 1)];
    // Further attributes (`#[pyo3(name = "...")]`) may sit between the attribute and the item.
    let at = close + 1;
    for (let guard = 0; guard < 10 && ATTRIBUTE.test(masked.slice(at, at + 200)); guard++) {
      const o = masked.indexOf('[', at);
      const c = matchingClose(masked, o);
      if (c < 0) break;
      names.push(text.slice(o, c + 1));
      if (/^\[\s*pyo3\s*\(/.test(masked.slice(o, c + 1))) args += masked.slice(o, c + 1);
      at = c + 1;
    }
    const item = ITEM.exec(masked.slice(at, at + 300));
    if (!item) continue;
    const bodyOpen = masked.indexOf(item[1] === 'fn' ? '{' : '{', at);
    const bodyClose = bodyOpen < 0 ? -1 : matchingClose(masked, bodyOpen, 2_000_000);
    const body = bodyClose < 0 ? '' : masked.slice(bodyOpen, bodyClose);
    const declares = /\bgil_used\s*=\s*false\b/.test(args) || /\bgil_used\s*\(\s*false\s*\)/.test(body);
    const explicitName = names.map((n) => /\bname\s*=\s*"([^"]+)"/.exec(n)?.[1]).find(Boolean);
    const name = explicitName ?? item[2];
    names = [];
    const span = lines.span(m.index, close + 1);
    const module: PyModuleItem = { name, binding: 'pyo3', file, span, declares };
    const used = /\bgil_used\s*=\s*true\b/.test(args) || /\bgil_used\s*\(\s*true\s*\)/.test(body);
    if (declares || used) out.modules.push(module);
    if (used) out.problems.push(problem('B06', file, span, name, { module: name, reason: 'it sets `gil_used = true`' }));
    else if (!declares) out.unset.push({ module, problem: problem('B06', file, span, name, { module: name, reason: 'its `#[pymodule]` does not set `gil_used = false`' }) });
  }

  // A module written against the C API by hand: `extern "C" fn PyInit_name()` and its slots.
  for (const m of masked.matchAll(/\bfn\s+PyInit_(\w+)\s*\(/g)) {
    const name = m[1];
    const span = lines.span(m.index, m.index + m[0].length - 1);
    const values = [...masked.matchAll(/\bPy_mod_gil\b[\s\S]{0,160}?\b(Py_MOD_GIL_(?:NOT_)?USED)\b/g)].map((v) => v[1]);
    const declares = values.includes('Py_MOD_GIL_NOT_USED') || /\bPyUnstable_Module_SetGIL\s*\([^)]*Py_MOD_GIL_NOT_USED/.test(masked);
    out.modules.push({ name, binding: 'rust', file, span, declares });
    if (!declares) {
      out.problems.push(problem('B01', file, span, name, {
        module: name,
        reason: values.includes('Py_MOD_GIL_USED') ? 'its `Py_mod_gil` slot is `Py_MOD_GIL_USED`' : 'its module slots have no `Py_mod_gil` slot',
        fix: 'add a `Py_mod_gil` slot with the value `Py_MOD_GIL_NOT_USED` to its slots',
      }));
    }
  }

  const seen = new Set<number>();
  for (const m of masked.matchAll(/\bGILProtected\b/g)) {
    const line = lines.lineOf(m.index);
    if (seen.has(line) || /^\s*(?:pub\s+)?use\b/.test(masked.slice(lines.lineStart(line), m.index))) continue;
    seen.add(line);
    out.problems.push(problem('B06-gil-protected', file, lines.span(m.index, m.index + m[0].length), 'GILProtected', { api: 'GILProtected' }));
  }
  return out;
}
