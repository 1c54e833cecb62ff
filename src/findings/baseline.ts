/**
 * Baselines: the fingerprints of accepted findings, so that CI reports only new ones.
 *
 * Stage: findings. The file is JSON `{version: 1, fingerprints: [...]}` written by
 * `--write-baseline`; a fingerprint names rule, file, function and callee, not the line, so
 * edits above a finding do not make it new again.
 */
import { readFileSync } from 'node:fs';
import type { Finding } from '../model/types.js';
import { ConfigError } from '../config/schema.js';

export function readBaseline(file: string): Set<string> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'not valid JSON';
    throw new ConfigError(`${file}: cannot read the baseline (${reason}); write one with --write-baseline ${file}`);
  }
  const prints = (data as { fingerprints?: unknown }).fingerprints;
  if (!Array.isArray(prints) || !prints.every((p) => typeof p === 'string')) {
    throw new ConfigError(`${file}: not a gil-audit baseline (expected {"version": 1, "fingerprints": [...]}); write one with --write-baseline ${file}`);
  }
  return new Set(prints as string[]);
}

/** The text of a baseline accepting `findings`, as `--write-baseline` writes it. */
export function baselineText(findings: Finding[]): string {
  const fingerprints = [...new Set(findings.map((f) => f.fingerprint))].sort();
  return `${JSON.stringify({ version: 1, fingerprints }, null, 2)}\n`;
}
