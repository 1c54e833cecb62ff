/**
 * Turns raw rule output into the sorted, suppressed, fingerprinted findings of an AuditRun.
 *
 * Stage: findings. Input: RawFindings and a way to read a file's lines (for snippets); output:
 * Findings sorted by file, line, column, rule. A `# noqa` or `# gil-audit: ignore[...]` comment
 * on the finding's line suppresses it when it names no code, the rule's id, or one of the
 * finding's equivalents (so `# noqa: ASYNC251` works for GA101). Fingerprints name the rule,
 * file, function, callee and occurrence, not the line.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../model/types.js';
import type { RawFinding } from '../rules/types.js';

export function buildFindings(raw: RawFinding[], lines: (file: string) => string[]): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const r of raw) {
    const file = r.fn ? r.fn.module.path : r.place!.file;
    const line = r.call.line;
    const suppressions = r.fn ? r.fn.module.suppressions : r.place!.suppressions;
    const suppressed = suppressions.some(
      (s) => s.line === line && (s.codes.length === 0 || s.codes.includes(r.rule.id) || r.equivalents.some((e) => s.codes.includes(e)) || (r.via !== undefined && s.codes.includes(r.via))),
    );
    if (suppressed) continue;
    const key = `${r.rule.id}:${file}:${line}:${r.call.column}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const source = lines(file)[line - 1] ?? '';
    findings.push({
      rule: r.rule.id, name: r.rule.name, severity: r.severity, confidence: r.confidence,
      file, line, column: r.call.column, endLine: r.call.endLine, endColumn: r.call.endColumn,
      message: r.message, recommendation: r.recommendation, equivalents: r.equivalents, chain: r.chain,
      function: r.fn ? r.fn.fqn : r.place!.subject,
      fingerprint: `${r.rule.id}\0${file}\0${r.fn ? r.fn.fact.qualname : r.place!.subject}\0${r.call.callee}\0${r.chain.at(-1)?.function ?? ''}`,
      snippet: source.replace(/\s+$/, ''),
    });
  }
  findings.sort(compareFindings);
  // The n-th finding with the same rule, file, function and callee gets occurrence n, so a second
  // identical call added later is new to a baseline while line shifts are not.
  const seenKeys = new Map<string, number>();
  for (const f of findings) {
    const n = (seenKeys.get(f.fingerprint) ?? 0) + 1;
    seenKeys.set(f.fingerprint, n);
    f.fingerprint = createHash('sha1').update(`${f.fingerprint}\0${n}`).digest('hex').slice(0, 16);
  }
  return findings;
}

export function compareFindings(a: Finding, b: Finding): number {
  return cmp(a.file, b.file) || a.line - b.line || a.column - b.column || cmp(a.rule, b.rule);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
