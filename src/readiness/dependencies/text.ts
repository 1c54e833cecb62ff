/**
 * Small text helpers shared by the manifest readers: PEP 503 name normalisation and relative
 * paths. Lines and spans are ../lines.ts.
 *
 * Stage: readiness.
 */

/** PEP 503 normalised name: lower case, runs of `-`, `_`, `.` become one `-`. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The last path segment. */
export function baseName(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

/** The directory part of a rel path ('' at the root). */
export function dirName(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash === -1 ? '' : rel.slice(0, slash);
}

/** Joins and normalises a relative path (`a/b` + `../c.txt` → `a/c.txt`); null when it climbs above the root. */
export function joinRel(dir: string, target: string): string | null {
  const parts = dir === '' ? [] : dir.split('/');
  for (const part of target.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}
