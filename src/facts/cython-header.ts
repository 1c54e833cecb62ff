/**
 * The `# cython:` directive header of a Cython module (`.pyx`, or a `.py` compiled in pure-Python
 * mode): where it is and whether it declares `freethreading_compatible=True`.
 *
 * Stage: facts (for `.py` modules, in the parse workers) and readiness (for `.pyx` files). Cython
 * reads directives only from the comment lines that open a file, before any code
 * (https://cython.readthedocs.io/en/latest/src/userguide/source_files_and_compilation.html#compiler-directives).
 */
import type { Span } from './types.js';

export interface CythonHeader {
  /** The first `# cython:` line, if there is one. */
  header?: Span;
  /** The first header line that sets `freethreading_compatible=True`, if one does. */
  declaredAt?: Span;
}

const HEADER = /^#\s*cython\s*:(.*)$/;

/** Reads the leading comment lines of `text`. */
export function cythonHeader(text: string): CythonHeader {
  const out: CythonHeader = {};
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const raw = text.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    const trimmed = raw.trim();
    if (trimmed === '') {
      if (newline < 0) break;
      continue;
    }
    if (!trimmed.startsWith('#')) break;
    const header = HEADER.exec(trimmed);
    if (header) {
      const indent = raw.length - raw.trimStart().length;
      const span = { line, column: indent + 1, endLine: line, endColumn: raw.trimEnd().length + 1 };
      out.header ??= span;
      // A trailing `# ...` after the directives is a comment of its own.
      for (const pair of header[1].split('#')[0].split(',')) {
        const [key, value] = pair.split('=').map((s) => s?.trim());
        if (key === 'freethreading_compatible' && value !== undefined && /^(?:true|yes|1)$/i.test(value)) out.declaredAt ??= span;
      }
    }
    if (newline < 0) break;
  }
  return out;
}
