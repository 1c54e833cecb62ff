/**
 * Gitignore-style rule sets, layered the way git layers nested `.gitignore` files.
 *
 * Stage: discover. Inputs: pattern text (`.gitignore`, `.git/info/exclude`, `--exclude`) and
 * paths relative to the audit root. Outputs: whether a path is ignored.
 *
 * Git semantics kept here: each layer's patterns are relative to the directory holding them;
 * a deeper layer overrides a shallower one; within a layer the last matching pattern wins, so
 * `!pattern` re-includes; a directory that is excluded is not entered, so nothing inside it can
 * be re-included. The walker only asks about entries of directories it has entered, and calls
 * `admitDir` on entering one, so a layer never excludes a path through an ancestor that another
 * layer (or the command line) let in.
 */

import ignore from 'ignore';

type Matcher = ReturnType<typeof ignore>;

export interface IgnoreLayer {
  /** Path (relative to the root) of the directory the rules belong to; '' for the root and above. */
  readonly base: string;
  /** For rules from a directory above the root: the root's path from that directory; else ''. */
  readonly prefix: string;
  /** The rules, as added to `matcher`; kept so a patched copy can be built. */
  readonly patterns: readonly string[];
  readonly matcher: Matcher;
}

/** Layers, shallowest (lowest precedence) first. */
export type IgnoreChain = readonly IgnoreLayer[];

/** The rules in a `.gitignore`-format text with their line numbers: blank lines and comments dropped, BOM removed. */
export function parsePatternLines(text: string): { line: number; pattern: string }[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body
    .split(/\r?\n/)
    .map((pattern, i) => ({ line: i + 1, pattern }))
    .filter(({ pattern }) => pattern.trim() !== '' && !pattern.startsWith('#'));
}

/** The rules in a `.gitignore`-format text: blank lines and comments dropped, BOM removed. */
export function parsePatterns(text: string): string[] {
  return parsePatternLines(text).map(({ pattern }) => pattern);
}

function ignoreMatcher(): Matcher {
  // Case-sensitive everywhere, as git is by default on Linux: the same tree gives the same
  // result on every OS.
  return ignore({ ignorecase: false });
}

const checked = new Map<string, string | undefined>();

/**
 * Why `pattern` cannot be used, or undefined when it can. The matcher turns each rule into a
 * regular expression the first time it tests a path, and one that does not compile (a 32 KB
 * line is too large) would throw there, in the middle of the walk; so each rule is compiled
 * alone first, once.
 */
export function patternProblem(pattern: string): string | undefined {
  if (checked.has(pattern)) return checked.get(pattern);
  let problem: string | undefined;
  try {
    ignoreMatcher().add(pattern).test('x');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    problem = message.slice(message.lastIndexOf(': ') + 2) || 'it cannot be compiled';
  }
  checked.set(pattern, problem);
  return problem;
}

/** `pattern 'node_modules…' (32768 characters) cannot be used (Regular expression too large); it was not applied`. */
export function patternMessage(pattern: string, problem: string): string {
  const shown = pattern.length > 60 ? `'${pattern.slice(0, 40)}…' (${pattern.length} characters)` : `'${pattern}'`;
  return `pattern ${shown} cannot be used (${problem}); it was not applied`;
}

/** A matcher of the usable `patterns` (the others were reported where they were read). */
function newMatcher(patterns: readonly string[]): Matcher {
  return ignoreMatcher().add(patterns.filter((p) => patternProblem(p) === undefined));
}

/** A layer of `patterns` belonging to directory `base`; null when there are no rules. */
export function makeLayer(patterns: readonly string[], base: string, prefix = ''): IgnoreLayer | null {
  if (patterns.length === 0) return null;
  return { base, prefix, patterns, matcher: newMatcher(patterns) };
}

/** `chain` with `layer` appended as its deepest layer (unchanged when `layer` is null). */
export function withLayer(chain: IgnoreChain, layer: IgnoreLayer | null): IgnoreChain {
  return layer === null ? chain : [...chain, layer];
}

/** `rel` (relative to the root, at or under `layer.base`) as the layer's rules see it. */
function localPath(layer: IgnoreLayer, rel: string): string {
  const inner = layer.base === '' ? rel : rel.slice(layer.base.length + 1);
  if (layer.prefix === '') return inner;
  return inner === '' ? layer.prefix : `${layer.prefix}/${inner}`;
}

/** A literal path as a gitignore pattern: glob characters and spaces escaped. */
export function escapePattern(literal: string): string {
  return literal.replace(/[\\*?[\] !#]/g, (c) => `\\${c}`);
}

/**
 * Whether `rel` (a file, or a directory when `isDir`) is ignored: the deepest layer with a rule
 * matching the path itself decides. The root itself ('') is never ignored.
 */
export function isIgnored(chain: IgnoreChain, rel: string, isDir: boolean): boolean {
  for (let i = chain.length - 1; i >= 0; i--) {
    const layer = chain[i];
    const local = localPath(layer, rel);
    if (local === '') continue;
    const result = layer.matcher.test(isDir ? `${local}/` : local);
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}

/**
 * `layer` made to let in the directory it sees as `local` (relative to its own directory): when
 * its rules exclude that directory, a copy with a trailing `!/local/`, so that its verdicts on
 * paths below depend on their own names only, as in git. Otherwise `layer` itself.
 */
export function admitLocal(layer: IgnoreLayer, local: string): IgnoreLayer {
  if (local === '' || !layer.matcher.test(`${local}/`).ignored) return layer;
  const patterns = [...layer.patterns, `!/${escapePattern(local)}/`];
  return { ...layer, patterns, matcher: newMatcher(patterns) };
}

/**
 * Call on entering directory `rel`, once it is known to be let in (by a deeper layer's `!rule`,
 * or because it was named on the command line): every layer that excludes it is patched with
 * `admitLocal`. Returns `chain` itself when none did (the usual case).
 */
export function admitDir(chain: IgnoreChain, rel: string): IgnoreChain {
  let out: IgnoreLayer[] | null = null;
  for (let i = 0; i < chain.length; i++) {
    const admitted = admitLocal(chain[i], localPath(chain[i], rel));
    if (admitted === chain[i]) continue;
    out ??= [...chain];
    out[i] = admitted;
  }
  return out ?? chain;
}
