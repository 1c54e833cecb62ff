/**
 * Small presentation helpers shared by the reporters: plurals, stable ordering, severity words.
 *
 * Stage: report. Input: values taken from an `AuditRun`. Output: strings and sorted copies;
 * nothing here depends on the locale, the clock or the file system.
 */

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

/** A path in POSIX form, as reports show it. */
export function posixPath(path: string): string {
  return path.replace(/\\/g, '/');
}
