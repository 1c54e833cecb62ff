/**
 * Reads a `.py` file safely and turns its bytes into text, or says clearly why it cannot.
 *
 * Stage: facts. The file was listed by discover some time before it is read, and may have been
 * replaced since: by a FIFO (whose read would block forever), a device, or a symlink leading out
 * of the audit root. So it is opened without blocking and without following a final symlink,
 * the open handle is checked (a regular file, whose real path lies inside the root), and only
 * that handle is read. Binary and oversized files are skipped; a PEP 263 coding declaration is
 * honoured; invalid UTF-8 is reported and decoded with replacement characters so the rest still
 * counts.
 */
import { closeSync, constants, fstatSync, openSync, readSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
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

function tooLarge(size: number, maxBytes: number): FileIssue {
  const mb = (size / 1048576).toFixed(1);
  return { kind: 'too-large', message: `file is ${mb} MB, over the ${(maxBytes / 1048576).toFixed(0)} MB limit; skipped (raise it with --max-file-size, or exclude the file)` };
}

/** The bytes of a file, or the issue that kept them from being read. */
export type ReadResult = { bytes: Buffer } | { issue: FileIssue; size: number };

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/**
 * Reads `file` (a Buffer for a name that is not valid UTF-8) as described above. `allowed`: the
 * real paths the file may lie in (the audit root, and the directories and files given); when
 * absent, any place is allowed. Never throws for a file-system error.
 */
export function readSourceFile(file: string | Buffer, allowed?: readonly string[], maxBytes = DEFAULT_MAX_BYTES): ReadResult {
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ELOOP' && code !== 'EMLINK') return unreadable(error);
    // A symlink: followed only to a place inside the root (as discover follows them).
    let real: string;
    try {
      real = realpathSync.native(file);
    } catch (inner) {
      return unreadable(inner);
    }
    if (allowed && !isWithin(real, allowed)) return outside();
    try {
      fd = openSync(real, OPEN_FLAGS);
    } catch (inner) {
      return unreadable(inner);
    }
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      return { size: 0, issue: { kind: 'unreadable', message: 'not a regular file (a FIFO, socket or device took its place); skipped (remove it, or exclude it with --exclude)' } };
    }
    if (allowed && !isWithin(realOfHandle(fd, file, stats), allowed)) return outside();
    if (stats.size > maxBytes) return { size: stats.size, issue: tooLarge(stats.size, maxBytes) };
    // Read to the end, whatever the size said: the file may be growing.
    let bytes = Buffer.allocUnsafe(Math.max(stats.size, 4096) + 1);
    let length = 0;
    for (;;) {
      if (length === bytes.length) {
        if (length > maxBytes) return { size: length, issue: tooLarge(length, maxBytes) };
        const grown = Buffer.allocUnsafe(Math.min(bytes.length * 2, maxBytes + 1));
        bytes.copy(grown, 0, 0, length);
        bytes = grown;
      }
      const read = readSync(fd, bytes, length, bytes.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > maxBytes) return { size: length, issue: tooLarge(length, maxBytes) };
    return { bytes: bytes.subarray(0, length) };
  } catch (error) {
    return unreadable(error);
  } finally {
    closeSync(fd);
  }
}

function unreadable(error: unknown): ReadResult {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return { size: 0, issue: { kind: 'unreadable', message: `cannot read file: ${code}; check its permissions or exclude it` } };
}

function outside(): ReadResult {
  return { size: 0, issue: { kind: 'unreadable', message: 'the file now leads out of the audited directory (it was replaced by a symlink); skipped (remove the link, or audit its target directly)' } };
}

function isWithin(real: string, allowed: readonly string[]): boolean {
  return allowed.some((dir) => real === dir || real.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep));
}

/**
 * The real path of the file open as `fd`: from /proc on Linux; elsewhere the real path of its
 * name, trusted only if it is the very file open (same device and inode).
 */
function realOfHandle(fd: number, file: string | Buffer, stats: { dev: number; ino: number }): string {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    try {
      const real = realpathSync.native(file);
      const named = statSync(real);
      return named.dev === stats.dev && named.ino === stats.ino ? real : '';
    } catch {
      return '';
    }
  }
}

export function decodeSource(bytes: Uint8Array, maxBytes = DEFAULT_MAX_BYTES): Decoded {
  if (bytes.length > maxBytes) return { text: null, issues: [tooLarge(bytes.length, maxBytes)] };
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
