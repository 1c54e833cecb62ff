/**
 * Loads the gitignore rules already in force where a walk starts: those of the git repository
 * holding the root, and those of the directories between the root and a starting directory.
 *
 * Stage: discover. Inputs: the absolute audit root, a starting directory's path relative to
 * it. Outputs: `IgnoreChain`s, plus problems met reading ignore files. Rules from above the
 * root (the repository's `.git/info/exclude` and the `.gitignore` files from its top down to
 * the root's parent) see paths through a `prefix`. With no enclosing repository they are
 * absent: the walk still honours every `.gitignore` inside the root.
 */

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describeFsError, isMissing } from './fs-errors.js';
import {
  admitDir,
  admitLocal,
  makeLayer,
  parsePatternLines,
  patternMessage,
  patternProblem,
  withLayer,
  type IgnoreChain,
  type IgnoreLayer,
} from './ignore-rules.js';
import type { DiscoverProblem } from './types.js';

/** `to` relative to `from`, `/`-separated. */
export function slashRelative(from: string, to: string): string {
  return path.relative(from, to).split(path.sep).join('/');
}

/**
 * Reads a gitignore-format file's rules: [] when it does not exist, null (after recording a
 * problem under `shownAs`) when it cannot be read. A rule the matcher cannot use is left out,
 * and recorded as a problem naming its line.
 */
export async function readPatternFile(
  abs: string,
  shownAs: string,
  problems: DiscoverProblem[],
): Promise<string[] | null> {
  try {
    const rules: string[] = [];
    for (const { line, pattern } of parsePatternLines(await fsp.readFile(abs, 'utf8'))) {
      const problem = patternProblem(pattern);
      if (problem === undefined) rules.push(pattern);
      else problems.push({ file: shownAs, message: `line ${line}: ${patternMessage(pattern, problem)}; fix or remove it` });
    }
    return rules;
  } catch (err) {
    if (isMissing(err)) return [];
    problems.push({
      file: shownAs,
      message: `cannot read ignore file: ${describeFsError(err)}; its rules were not applied; check its permissions`,
    });
    return null;
  }
}

/** The closest directory at or above `dir` holding a `.git` entry, and whether that is a directory. */
async function findRepositoryTop(dir: string): Promise<{ top: string; gitDir: boolean } | null> {
  for (let current = dir; ; ) {
    try {
      const st = await fsp.stat(path.join(current, '.git'));
      return { top: current, gitDir: st.isDirectory() };
    } catch {
      // not here: go up
    }
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/**
 * Rules of the repository around `root` that the walk cannot see itself, shallowest first:
 * `.git/info/exclude`, then the `.gitignore` of each directory from the repository's top down
 * to the root's parent. Each directory on the way is admitted (see `admitDir`): the root was
 * named on the command line, so nothing above it can exclude it.
 */
export async function repositoryChain(root: string, problems: DiscoverProblem[]): Promise<IgnoreChain> {
  const repo = await findRepositoryTop(root);
  if (repo === null) return [];
  // Directories from the top down to the root, inclusive.
  const dirs: string[] = [];
  for (let d = root; ; d = path.dirname(d)) {
    dirs.unshift(d);
    if (d === repo.top) break;
  }
  // Layers are built with base '' and no prefix, each seeing paths from its own directory
  // (`owners[i]`); the prefix is set once the root is reached.
  const layers: IgnoreLayer[] = [];
  const owners: string[] = [];
  const add = (layer: IgnoreLayer | null, owner: string): void => {
    if (layer === null) return;
    layers.push(layer);
    owners.push(owner);
  };
  if (repo.gitDir) {
    const exclude = path.join(repo.top, '.git', 'info', 'exclude');
    add(makeLayer((await readPatternFile(exclude, slashRelative(root, exclude), problems)) ?? [], ''), repo.top);
  }
  for (const dir of dirs) {
    for (let i = 0; i < layers.length; i++) layers[i] = admitLocal(layers[i], slashRelative(owners[i], dir));
    if (dir === root) break; // the walk reads the root's own .gitignore
    const file = path.join(dir, '.gitignore');
    add(makeLayer((await readPatternFile(file, slashRelative(root, file), problems)) ?? [], ''), dir);
  }
  return layers.map((layer, i) => ({ ...layer, prefix: slashRelative(owners[i], root) }));
}

/**
 * The chain in force at the parent of directory `rel` (relative to `root`), starting from
 * `chain` (the rules in force above the root): each directory from the root down to that
 * parent is admitted (the start was named on the command line) and its `.gitignore` added.
 */
export async function chainAbove(
  root: string,
  rel: string,
  chain: IgnoreChain,
  problems: DiscoverProblem[],
): Promise<IgnoreChain> {
  if (rel === '') return chain;
  const parts = rel.split('/');
  let out = chain;
  for (let depth = 0; depth < parts.length; depth++) {
    const dirRel = parts.slice(0, depth).join('/');
    out = admitDir(out, dirRel);
    const fileRel = dirRel === '' ? '.gitignore' : `${dirRel}/.gitignore`;
    const patterns = await readPatternFile(path.join(root, ...fileRel.split('/')), fileRel, problems);
    out = withLayer(out, makeLayer(patterns ?? [], dirRel));
  }
  return out;
}
