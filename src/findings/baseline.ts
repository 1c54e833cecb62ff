/**
 * Baselines: the fingerprints of accepted findings, so that CI reports only new ones.
 *
 * Stage: findings. The file is JSON `{version: 1, fingerprints: [...]}` written by
 * `--write-baseline` and described by `src/schema/baseline.schema.json`; a fingerprint names
 * rule, file, function and callee, not the line, so edits above a finding do not make it new
 * again. A file that cannot be read, is not JSON, has another version or breaks the schema is a
 * ConfigError naming the file and the fix.
 */
import { readFileSync } from 'node:fs';
import type { Finding } from '../model/types.js';
import { ConfigError, schemaProblems } from '../config/schema.js';

/** The `version` this gil-audit writes and reads. */
const BASELINE_VERSION = 1;

/** The accepted fingerprints recorded in baseline `file`. */
export function readBaseline(file: string): Set<string> {
  const fix = `regenerate it with --write-baseline ${file}`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`${file}: cannot read the baseline (${reason}); write one with --write-baseline ${file}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new ConfigError(`${file}: not a gil-audit baseline: not valid JSON (${(error as Error).message}); ${fix}`);
  }
  const version = typeof data === 'object' && data !== null ? (data as { version?: unknown }).version : undefined;
  if (version !== undefined && version !== BASELINE_VERSION) {
    throw new ConfigError(`${file}: baseline version ${JSON.stringify(version)} is not one this gil-audit reads (version ${BASELINE_VERSION}); ${fix}`);
  }
  const problems = schemaProblems('baseline.schema.json', data);
  if (problems !== undefined) throw new ConfigError(`${file}: not a gil-audit baseline (src/schema/baseline.schema.json): ${problems}; ${fix}`);
  return new Set((data as { fingerprints: string[] }).fingerprints);
}

/** The text of a baseline accepting `findings`, as `--write-baseline` writes it. */
export function baselineText(findings: Finding[]): string {
  const fingerprints = [...new Set(findings.map((f) => f.fingerprint))].sort();
  return `${JSON.stringify({ version: BASELINE_VERSION, fingerprints }, null, 2)}\n`;
}
