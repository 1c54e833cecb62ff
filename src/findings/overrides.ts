/**
 * The configuration's say over findings: `per-file-ignores` drops some rules' findings in some
 * files, `severity` changes the severity of some rules' findings.
 *
 * Stage: findings. Input: findings (paths relative to the audit root, `/`-separated) and the two
 * settings; output: the findings kept, with their severities as configured. It runs before
 * anything is counted, so the counts, the exit code and every report agree.
 */
import ignore from 'ignore';
import type { Finding, Severity } from '../model/types.js';

/** Gitignore-style pattern -> rule ids or prefixes. */
export type PerFileIgnores = Record<string, string[]>;
/** Rule id or prefix -> severity. */
export type SeverityOverrides = Record<string, Severity>;

/** Whether rule `id` is one of `codes` (ids or prefixes). */
function matchesCode(id: string, codes: readonly string[]): boolean {
  return codes.some((c) => id.startsWith(c.toUpperCase()));
}

/** The severity `overrides` give rule `id` (the longest matching prefix wins), or undefined. */
export function overriddenSeverity(id: string, overrides: SeverityOverrides): Severity | undefined {
  let best: string | undefined;
  for (const code of Object.keys(overrides)) {
    if (id.startsWith(code.toUpperCase()) && (best === undefined || code.length > best.length)) best = code;
  }
  return best === undefined ? undefined : overrides[best];
}

/** A filter dropping the findings `perFileIgnores` names, or undefined when it names none. */
export function perFileFilter(perFileIgnores: PerFileIgnores | undefined): ((f: Finding) => boolean) | undefined {
  const entries = Object.entries(perFileIgnores ?? {}).map(([pattern, codes]) => ({ matcher: ignore({ ignorecase: false }).add(pattern), codes }));
  if (entries.length === 0) return undefined;
  return (f) => !entries.some((e) => matchesCode(f.rule, e.codes) && isRelative(f.file) && e.matcher.ignores(f.file));
}

/** `ignore` takes only relative paths; a finding outside the root (none today) matches no pattern. */
function isRelative(file: string): boolean {
  return file !== '' && !file.startsWith('/') && !file.startsWith('../') && !/^[A-Za-z]:/.test(file);
}

/** `findings` without those `perFileIgnores` drops, each with the severity `severity` gives it. */
export function applyOverrides(findings: Finding[], perFileIgnores?: PerFileIgnores, severity?: SeverityOverrides): Finding[] {
  const keep = perFileFilter(perFileIgnores);
  const kept = keep ? findings.filter(keep) : findings;
  if (severity === undefined || Object.keys(severity).length === 0) return kept;
  for (const f of kept) f.severity = overriddenSeverity(f.rule, severity) ?? f.severity;
  return kept;
}
