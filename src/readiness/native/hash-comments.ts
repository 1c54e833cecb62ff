/**
 * Blanks the comments and string literals of languages whose comments start with `#`: Python and
 * Cython (with prefixed and triple-quoted strings), TOML, meson and CMake (with bracket comments
 * and arguments), so line and token scans see only code.
 *
 * Stage: readiness. One linear pass over the text; the result keeps every offset and newline.
 */
import { blank } from './text.js';

export type HashLanguage = 'python' | 'toml' | 'meson' | 'cmake';

export interface Blanked {
  /** Comments blanked, strings kept (settings are often written as strings). */
  code: string;
  /** Comments and the contents of strings blanked (quotes kept). */
  masked: string;
}

export function blankHashComments(text: string, language: HashLanguage): Blanked {
  const comments: { start: number; end: number }[] = [];
  const strings: { start: number; end: number }[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === '#') {
      if (language === 'cmake') {
        const bracket = /^#\[(=*)\[/.exec(text.slice(i, i + 20));
        if (bracket) {
          const endMark = `]${bracket[1]}]`;
          const end = text.indexOf(endMark, i);
          const stop = end < 0 ? n : end + endMark.length;
          comments.push({ start: i, end: stop });
          i = stop;
          continue;
        }
      }
      let end = text.indexOf('\n', i);
      if (end < 0) end = n;
      comments.push({ start: i, end });
      i = end;
      continue;
    }
    if (language === 'cmake' && c === '[') {
      const bracket = /^\[(=*)\[/.exec(text.slice(i, i + 20));
      if (bracket) {
        const endMark = `]${bracket[1]}]`;
        const end = text.indexOf(endMark, i);
        const stop = end < 0 ? n : end + endMark.length;
        strings.push({ start: i + bracket[0].length, end: Math.max(i + bracket[0].length, stop - endMark.length) });
        i = stop;
        continue;
      }
    }
    if (c === '"' || (c === "'" && language !== 'cmake')) {
      let raw = language === 'toml' ? c === "'" : false;
      if (language === 'python') {
        // A prefix (r, b, u, f, and Cython's c) right before the quote.
        let j = i - 1;
        while (j >= 0 && /[rRbBuUfFcC]/.test(text[j]) && i - j <= 2) j--;
        const prefix = text.slice(j + 1, i);
        if (prefix && (j < 0 || !/\w/.test(text[j]))) raw = /[rR]/.test(prefix);
      }
      const triple = language !== 'cmake' && text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      let j = i + quote.length;
      let closed = false;
      while (j < n) {
        const d = text[j];
        if (d === '\\' && !raw) {
          j += 2;
          continue;
        }
        if (!triple && d === '\n' && language !== 'cmake') break;
        if (text.startsWith(quote, j)) {
          closed = true;
          break;
        }
        j++;
      }
      const end = Math.min(j, n);
      strings.push({ start: i + quote.length, end });
      i = closed ? end + quote.length : end;
      continue;
    }
    i++;
  }
  const code = blank(text, comments);
  const masked = blank(code, strings);
  return { code, masked };
}
