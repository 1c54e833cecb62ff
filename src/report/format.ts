/**
 * Small presentation helpers shared by the reporters: plurals, stable ordering, severity words,
 * and making audited text (file names, source lines) safe to show.
 *
 * Stage: report. Input: values taken from an `AuditRun`. Output: strings and sorted copies;
 * nothing here depends on the locale, the clock or the file system.
 */

import path from 'node:path';
import type { Finding, RuleMeta, Severity } from '../model/types.js';

/** Severities from most to least serious, the order every report lists them in. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'note'];

/** `1 file`, `3 files`; `plural` defaults to `singular + 's'`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** Code-unit string comparison, independent of the locale (unlike `localeCompare`). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The keys of a record in code-unit order. */
export function sortedKeys(record: Record<string, unknown>): string[] {
  return Object.keys(record).sort(compareStrings);
}

/** Metadata of the rules in the run, sorted by id. */
export function sortedRules(rules: Record<string, RuleMeta>): RuleMeta[] {
  return sortedKeys(rules).map((id) => rules[id]);
}

/** Whether a finding reaches its API through helper functions rather than directly. */
export function isTransitive(finding: Finding): boolean {
  return finding.chain.length > 2;
}

/** A path in POSIX form: on Windows `\` separates directories and becomes `/`; elsewhere it is part of a name. */
export function posixPath(file: string): string {
  return path.sep === '\\' ? file.replace(/\\/g, '/') : file;
}

/**
 * A report path (relative to the audit root) as a path from the repository root, where the audit
 * root lies at `prefix` ('' when they are the same): `services/api` + `app/x.py` gives
 * `services/api/app/x.py`. Absolute paths stay as they are.
 */
export function fromRepository(file: string, prefix = ''): string {
  if (prefix === '' || path.posix.isAbsolute(posixPath(file))) return file;
  return path.posix.normalize(`${prefix}/${posixPath(file)}`).replace(/\/$/, '');
}

/**
 * Characters that act on a terminal or reorder the text around them rather than show: C0 and C1
 * controls, DEL, Unicode line and paragraph separators, and the bidirectional marks, embeddings,
 * overrides and isolates.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED_ESCAPES: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** `\n`, `\t`, `\r`; else `\x1b` for a character below U+0100, `\u202e` above. */
function escapeChar(c: string): string {
  if (NAMED_ESCAPES[c] !== undefined) return NAMED_ESCAPES[c];
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control or bidirectional character written out as an escape (`\x1b`, `\n`,
 * `\u202e`), so that audited text (a file name, a source line) cannot clear a terminal, retitle
 * a window, hide text or break out of the line it is shown on. `keep` lists the characters that
 * stay as they are: `'\t'` in a code frame, `'\n'` in multi-line text.
 */
export function visible(text: string, keep = ''): string {
  return text.replace(INVISIBLE, (c) => (keep.includes(c) ? c : escapeChar(c)));
}

