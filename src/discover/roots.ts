/**
 * Turns the paths given on the command line into the audit root, the directories to walk and
 * the files named directly.
 *
 * Stage: discover. Inputs: the paths as typed and the current directory. Outputs: the root
 * (absolute), `WalkStart`-ready directories and named files, each with its path relative to
 * the root; throws `DiscoverError` for a path that does not exist.
 *
 * Root: a single directory is its own root. Otherwise (one file, or several paths) the root
 * is the current directory, or, when some path lies outside it, the deepest directory holding
 * every path, so that no relative path starts with `..`.
 */

import { promises as fsp, type Stats } from 'node:fs';
import path from 'node:path';
import { describeFsError, isMissing } from './fs-errors.js';
import { slashRelative } from './git-context.js';
import { DiscoverError, type DiscoverProblem } from './types.js';

export interface GivenPath {
  /** As typed. */
  given: string;
  abs: string;
  /** Relative to the root, `/`-separated ('' for the root itself). */
  rel: string;
  /** Real path (symlinks resolved). */
  real: string;
  isDir: boolean;
}

export interface ResolvedTargets {
  root: string;
  /** Real path of the root. */
  rootReal: string;
  /** Directories and regular files given, each once, sorted by rel. */
  dirs: GivenPath[];
  files: GivenPath[];
}

interface Checked {
  given: string;
  abs: string;
  stats: Stats;
}

async function check(given: string, cwd: string, problems: DiscoverProblem[]): Promise<Checked | null> {
  const abs = path.resolve(cwd, given);
  try {
    return { given, abs, stats: await fsp.stat(abs) };
  } catch (err) {
    if (isMissing(err)) {
      const dangling = await fsp.lstat(abs).then((st) => st.isSymbolicLink(), () => false);
      throw new DiscoverError(
        dangling
          ? `path '${given}' does not exist: it is a symlink to a missing target; fix the link or give its target`
          : `path '${given}' does not exist; check the spelling (relative paths are resolved from ${cwd})`,
      );
    }
    problems.push({
      file: given,
      message: `cannot read path: ${describeFsError(err)}; check the permissions of it and of the directories above it`,
    });
    return null;
  }
}

/** True when `child` is `parent` or lies below it. */
function isUnder(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The deepest directory holding every one of `dirs`. */
function commonAncestor(dirs: readonly string[]): string {
  let common = dirs[0];
  for (const dir of dirs.slice(1)) {
    while (!isUnder(dir, common)) common = path.dirname(common);
  }
  return common;
}

/** Resolves `paths` (default `.`) against `cwd`; problems with readable-but-unusable paths are recorded. */
export async function resolveTargets(
  paths: readonly string[],
  cwd: string,
  problems: DiscoverProblem[],
): Promise<ResolvedTargets> {
  const checked: Checked[] = [];
  for (const given of paths.length === 0 ? ['.'] : paths) {
    const c = await check(given, cwd, problems);
    if (c !== null) checked.push(c);
  }
  let root: string;
  if (paths.length <= 1 && checked.length === 1 && checked[0].stats.isDirectory()) {
    root = checked[0].abs;
  } else if (checked.every((c) => isUnder(c.abs, cwd))) {
    root = cwd;
  } else {
    root = commonAncestor(checked.map((c) => (c.stats.isDirectory() ? c.abs : path.dirname(c.abs))));
  }
  const rootReal = await fsp.realpath(root);
  const dirs = new Map<string, GivenPath>();
  const files = new Map<string, GivenPath>();
  for (const c of checked) {
    const isDir = c.stats.isDirectory();
    if (!isDir && !c.stats.isFile()) {
      problems.push({
        file: c.given,
        message: 'not a regular file or directory; give Python files or directories holding them',
      });
      continue;
    }
    const rel = slashRelative(root, c.abs);
    const real = await fsp.realpath(c.abs);
    (isDir ? dirs : files).set(rel, { given: c.given, abs: c.abs, rel, real, isDir });
  }
  const byRel = (a: GivenPath, b: GivenPath): number => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0);
  return { root, rootReal, dirs: [...dirs.values()].sort(byRel), files: [...files.values()].sort(byRel) };
}
