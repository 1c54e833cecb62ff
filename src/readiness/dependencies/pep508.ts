/**
 * Reads one PEP 508 dependency specifier (`name[extra] >=1,<2 ; python_version < "3.13"`,
 * `name @ https://…`) into its parts, keeping where the name sits so findings can point at it.
 * Also answers whether an environment marker keeps a dependency off free-threaded CPython.
 *
 * Stage: readiness. Lenient where pip is (spaces, parenthesised versions), strict about the name.
 */

/** The parts of one requirement, with the offsets of its name. */
export interface ParsedRequirement {
  /** The name as written. */
  name: string;
  /** Offsets of the name in the text given. */
  nameStart: number;
  nameEnd: number;
  extras: string[];
  /** The version specifier without parentheses (`>=1,<2`), '' when there is none. */
  specifier: string;
  url?: string;
  marker?: string;
}

const NAME = /[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/y;
/** One `op version` clause; versions may end in `.*`, `===` takes any text. */
const CLAUSE = /\s*(===|~=|==|!=|<=|>=|<|>)\s*([A-Za-z0-9_.*+!-]+)\s*/y;

/** Parses `text` (one requirement, no comment); an error message says what is wrong. */
export function parseRequirement(text: string): ParsedRequirement | { error: string } {
  let i = skipSpace(text, 0);
  NAME.lastIndex = i;
  const name = NAME.exec(text);
  if (!name) return { error: 'no package name' };
  const nameStart = i;
  const nameEnd = i + name[0].length;
  i = skipSpace(text, nameEnd);
  const extras: string[] = [];
  if (text[i] === '[') {
    const close = text.indexOf(']', i);
    if (close === -1) return { error: 'unclosed `[` of extras' };
    for (const extra of text.slice(i + 1, close).split(',')) if (extra.trim()) extras.push(extra.trim());
    i = skipSpace(text, close + 1);
  }
  const result: ParsedRequirement = { name: name[0], nameStart, nameEnd, extras, specifier: '' };
  if (text[i] === '@') {
    // A URL ends at the end or at ` ;` (a `;` may appear inside a URL).
    const rest = text.slice(i + 1);
    const markerAt = rest.search(/\s;/);
    result.url = (markerAt === -1 ? rest : rest.slice(0, markerAt)).trim();
    if (!result.url) return { error: '`@` without a URL' };
    if (markerAt !== -1) result.marker = rest.slice(markerAt).replace(/^\s*;/, '').trim();
    return result;
  }
  const semicolon = text.indexOf(';', i);
  let versionPart = (semicolon === -1 ? text.slice(i) : text.slice(i, semicolon)).trim();
  if (semicolon !== -1) {
    result.marker = text.slice(semicolon + 1).trim();
    if (!result.marker) return { error: '`;` without an environment marker' };
  }
  if (versionPart.startsWith('(')) {
    if (!versionPart.endsWith(')')) return { error: 'unclosed `(` around the version' };
    versionPart = versionPart.slice(1, -1).trim();
  }
  if (versionPart) {
    const clauses = versionPart.split(',');
    for (const clause of clauses) {
      CLAUSE.lastIndex = 0;
      const m = CLAUSE.exec(clause);
      if (!m || m[0].length !== clause.length) return { error: `\`${clause.trim() || versionPart}\` is not a version clause (such as \`>=1.2\`)` };
    }
    result.specifier = clauses.map((c) => c.replace(/\s+/g, '')).join(',');
  }
  return result;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

/**
 * True when an environment marker rules out free-threaded CPython from `minimum` on (3.13, the
 * first free-threaded release, unless a tool supports only later ones), so the dependency is never
 * installed there: `python_version < "3.13"`, or only PyPy / GraalPy / Jython. Only plain
 * conjunctions are judged; a marker with `or` is taken as possible.
 */
export function markerExcludesFreeThreading(marker: string | undefined, minimum = '3.13'): boolean {
  if (!marker || /\bor\b/.test(marker)) return false;
  const minMinor = Number(minimum.split('.')[1]);
  for (const m of marker.matchAll(/\bpython_(?:full_)?version\s*(<=?)\s*["']([0-9]+)\.([0-9]+)(?:\.([0-9]+))?/g)) {
    // Compared with 3.13.0: `< V` rules it out when V <= 3.13.0, `<= V` when V < 3.13.0.
    const order = Math.sign(Number(m[2]) - 3) || Math.sign(Number(m[3]) - minMinor) || Math.sign(Number(m[4] ?? 0));
    if (m[1] === '<' ? order <= 0 : order < 0) return true;
  }
  if (/\b(?:platform_python_implementation|implementation_name)\s*==\s*["'](?:pypy|graalpy|jython|ironpython)["']/i.test(marker)) return true;
  return false;
}
