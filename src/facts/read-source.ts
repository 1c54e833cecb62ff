/**
 * Turns the bytes of a `.py` file into text, or says clearly why it cannot.
 *
 * Stage: facts. Binary and oversized files are skipped; a PEP 263 coding declaration is honoured;
 * invalid UTF-8 is reported and decoded with replacement characters so the rest still counts.
 */
import type { FileIssue } from './types.js';

/** Files larger than this are skipped (generated code, data dumped into `.py`). */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/** Python codec names whose bytes map one to one onto the first 256 code points. */
const LATIN1 = new Set(['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1', 'l1', 'cp819', 'iso-latin-1', '8859', 'ascii', 'us-ascii']);

const CODING = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

export interface Decoded {
  text: string | null;
  issues: FileIssue[];
}

export function decodeSource(bytes: Uint8Array, maxBytes = DEFAULT_MAX_BYTES): Decoded {
  if (bytes.length > maxBytes) {
    const mb = (bytes.length / 1048576).toFixed(1);
    return {
      text: null,
      issues: [{ kind: 'too-large', message: `file is ${mb} MB, over the ${(maxBytes / 1048576).toFixed(0)} MB limit; skipped (raise it with --max-file-size, or exclude the file)` }],
    };
  }
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) {
    return { text: null, issues: [{ kind: 'binary', message: 'file contains NUL bytes and looks binary; skipped (exclude it with --exclude if it is not Python)' }] };
  }
  let body = bytes;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  const encoding = declaredEncoding(body);
  if (encoding && !/^utf[-_]?8/i.test(encoding)) {
    if (LATIN1.has(encoding.toLowerCase().replace(/_/g, '-'))) return { text: Buffer.from(body).toString('latin1'), issues: [] };
    try {
      return { text: new TextDecoder(encoding).decode(body), issues: [] };
    } catch {
      return { text: null, issues: [{ kind: 'encoding', message: `unknown coding declaration '${encoding}'; skipped (declare a standard encoding such as utf-8)` }] };
    }
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), issues: [] };
  } catch {
    const line = firstInvalidLine(body);
    return {
      text: new TextDecoder('utf-8').decode(body),
      issues: [{ kind: 'encoding', line, message: `invalid UTF-8 (first at line ${line}); analysed with replacement characters (re-save the file as UTF-8, or declare its encoding in a '# -*- coding: ... -*-' comment)` }],
    };
  }
}

/** The encoding named by a PEP 263 comment on the first or second line. */
function declaredEncoding(body: Uint8Array): string | null {
  const end = Math.min(body.length, 400);
  const lines = Buffer.from(body.subarray(0, end)).toString('latin1').split('\n').slice(0, 2);
  for (const line of lines) {
    const match = CODING.exec(line);
    if (match) return match[1];
    if (!/^[ \t\f]*(#.*)?\r?$/.test(line)) break;
  }
  return null;
}

function firstInvalidLine(body: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    if (i === body.length || body[i] === 0x0a) {
      try {
        decoder.decode(body.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return line;
}
