/**
 * Requirements files that others include (`-r`, `-c`): which files those are, and reading them in.
 *
 * Apart from the dependency analysis because audit.ts needs it before the run memo: the included
 * files' text is part of the memo's key.
 */
import type { ReadinessInput } from '../types.js';
import { manifestKind } from './kinds.js';
import { readRequirements } from './requirements.js';

/**
 * Files reached through `-r` / `-c` from requirements files (following includes of includes),
 * whatever their names: `constraint` when any path reaches them through `-c`.
 */
export function includedRequirements(inputs: ReadinessInput[]): Map<string, 'requirement' | 'constraint'> {
  const byRel = new Map(inputs.map((i) => [i.rel, i]));
  const out = new Map<string, 'requirement' | 'constraint'>();
  const queue = inputs.filter((i) => manifestKind(i.rel) === 'requirements');
  const visited = new Set(queue.map((i) => i.rel));
  while (queue.length > 0) {
    const input = queue.shift()!;
    for (const include of readRequirements(input.rel, input.text).includes ?? []) {
      if (include.rel === null) continue;
      const how = include.constraint || out.get(input.rel) === 'constraint' ? 'constraint' : 'requirement';
      if (out.get(include.rel) !== 'constraint') out.set(include.rel, how);
      const target = byRel.get(include.rel);
      if (target && !visited.has(include.rel)) {
        visited.add(include.rel);
        queue.push(target);
      }
    }
  }
  return out;
}

/**
 * `inputs` plus the files their requirements files include (`-r`, `-c`, and includes of
 * includes) that discover did not collect, read with `read` (null: cannot be read, reported when
 * the including file is analysed). A visited set stops include cycles.
 */
export function withIncludedFiles(inputs: ReadinessInput[], read: (rel: string) => string | null): ReadinessInput[] {
  const out = [...inputs];
  const tried = new Set(inputs.map((i) => i.rel));
  for (;;) {
    const missing = [...includedRequirements(out).keys()].filter((rel) => !tried.has(rel));
    if (missing.length === 0) return out;
    for (const rel of missing) {
      tried.add(rel);
      const text = read(rel);
      if (text !== null) out.push({ rel, text });
    }
  }
}
