/**
 * Version logic for readiness: does a requirement allow only versions older than a given one
 * (the first release with free-threaded wheels, or the first build tool able to declare support)?
 *
 * Stage: readiness. Versions are parsed and compared with @renovatebot/pep440 (PEP 440 ordering:
 * epochs, pre-, post- and dev-releases). The question asked is about upper bounds only: a
 * requirement caps below V when every alternative has an upper bound at or under V. Pins (`==1.2`),
 * caps (`<2`, `<=1.9`), prefix pins (`==1.2.*`), compatible releases (`~=1.4` is `<2`), and
 * Poetry's `^1.2` (`<2.0.0`), `~1.2` (`<1.3`), bare `1.2` (`==1.2`) and `a || b` are understood.
 */
import { compare, explain } from '@renovatebot/pep440';

/** How a specifier is written: PEP 440 (pip, PEP 621, Pipfile) or Poetry's syntax. */
export type Dialect = 'pep440' | 'poetry';

/** The bound under which every allowed version lies. */
interface Upper {
  version: string;
  inclusive: boolean;
}

const CLAUSE = /(===|~=|==|!=|<=|>=|\^|~|<|>)?\s*([A-Za-z0-9_.*+!-]+)/g;

/** A valid PEP 440 version string, or null. */
export function validVersion(version: string): boolean {
  return explain(version) !== null;
}

/**
 * True when every version `specifier` allows is older than `first`. An empty or unparsable
 * specifier, or one without an upper bound, allows newer versions: false.
 */
export function capsBelow(specifier: string, first: string, dialect: Dialect = 'pep440'): boolean {
  if (!validVersion(first)) return false;
  const alternatives = dialect === 'poetry' ? specifier.split('||') : [specifier];
  return alternatives.every((alt) => {
    const upper = upperBound(alt, dialect);
    if (!upper) return false;
    const order = compare(upper.version, first);
    return upper.inclusive ? order < 0 : order <= 0;
  });
}

/** The tightest upper bound of one alternative (clauses joined by commas or, in Poetry, spaces). */
export function upperBound(alternative: string, dialect: Dialect = 'pep440'): Upper | null {
  let best: Upper | null = null;
  for (const m of alternative.replace(/,/g, ' ').matchAll(CLAUSE)) {
    const op = m[1] ?? (dialect === 'poetry' ? '==' : '');
    const bound = clauseUpper(op, m[2]);
    if (bound === undefined) return null; // not understood: make no claim
    if (bound && (!best || tighter(bound, best))) best = bound;
  }
  return best;
}

function tighter(a: Upper, b: Upper): boolean {
  const order = compare(a.version, b.version);
  return order < 0 || (order === 0 && !a.inclusive && b.inclusive);
}

/** A clause's upper bound; null when it sets none, undefined when the clause cannot be read. */
function clauseUpper(op: string, raw: string): Upper | null | undefined {
  if (raw === '*') return op === '' || op === '==' ? null : undefined;
  if (op === '>' || op === '>=' || op === '!=') return validVersion(raw.replace(/\.\*$/, '')) ? null : undefined;
  if (raw.endsWith('.*')) {
    if (op !== '==') return undefined;
    const release = releaseOf(raw.slice(0, -2));
    return release ? { version: bump(release, release.length - 1), inclusive: false } : undefined;
  }
  if (!validVersion(raw)) return op === '===' ? null : undefined;
  const release = releaseOf(raw)!;
  switch (op) {
    case '==':
    case '===':
      return { version: raw.replace(/\+.*$/, ''), inclusive: true };
    case '<=':
      return { version: raw, inclusive: true };
    case '<':
      return { version: raw, inclusive: false };
    case '~=':
      return release.length >= 2 ? { version: bump(release, release.length - 2), inclusive: false } : undefined;
    case '^': {
      const firstNonZero = release.findIndex((n) => n !== 0);
      return { version: bump(release, firstNonZero === -1 ? release.length - 1 : firstNonZero), inclusive: false };
    }
    case '~':
      return { version: bump(release, release.length >= 2 ? 1 : 0), inclusive: false };
    default:
      return undefined;
  }
}

function releaseOf(version: string): number[] | null {
  return explain(version)?.release ?? null;
}

/** The release with segment `at` raised by one and the later ones dropped: bump([1,4,2], 1) = 1.5. */
function bump(release: number[], at: number): string {
  return [...release.slice(0, at), release[at] + 1].join('.');
}

/**
 * The version a specifier pins exactly (`==1.2`, Poetry's bare `1.2`), or null: one clause, no
 * wildcard, no alternatives.
 */
export function exactPin(specifier: string, dialect: Dialect = 'pep440'): string | null {
  const clauses = [...specifier.replace(/,/g, ' ').matchAll(CLAUSE)];
  if (clauses.length !== 1 || specifier.includes('||')) return null;
  const op = clauses[0][1] ?? (dialect === 'poetry' ? '==' : '');
  const version = clauses[0][2];
  return (op === '==' || op === '===') && !version.endsWith('.*') && validVersion(version) ? version : null;
}

/** The least version a specifier allows by its `>=`, `~=`, `^` or `~` clause, or null. */
export function lowerBound(specifier: string, dialect: Dialect = 'pep440'): string | null {
  for (const m of specifier.replace(/,/g, ' ').matchAll(CLAUSE)) {
    const op = m[1];
    if ((op === '>=' || op === '~=' || (dialect === 'poetry' && (op === '^' || op === '~'))) && validVersion(m[2])) return m[2];
  }
  return null;
}

/** Whether two versions are the same release under PEP 440 (`2.0` and `2.0.0`). */
export function sameVersion(a: string, b: string): boolean {
  return validVersion(a) && validVersion(b) && compare(a, b) === 0;
}
