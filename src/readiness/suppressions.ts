/**
 * Suppression comments in manifests and native sources: `# gil-audit: ignore[GA401]`,
 * `// noqa: GA420`, and C block comments opening with `/\*`, with the same code syntax as `# noqa` in Python.
 *
 * Stage: readiness. Line-based: a marker counts wherever a comment introducer precedes it on the line.
 */
import type { FileSuppression } from './types.js';

const SUPPRESSION = /(?:#|\/\/|\/\*)\s*(?:noqa|gil-audit:\s*ignore)\b(?:\s*(?::|\[)\s*([A-Za-z0-9_, ]+)\]?)?/g;

export function fileSuppressions(text: string): FileSuppression[] {
  if (!text.includes('noqa') && !text.includes('gil-audit')) return [];
  const out: FileSuppression[] = [];
  text.split('\n').forEach((line, i) => {
    for (const match of line.matchAll(SUPPRESSION)) {
      const codes = (match[1] ?? '').split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase());
      out.push({ line: i + 1, codes });
    }
  });
  return out;
}
