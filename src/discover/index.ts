/**
 * Entry point of the discover stage: finds the Python files, dependency manifests and native
 * sources an audit reads.
 *
 * Stage: discover (first stage). Inputs: the paths given on the command line and
 * `DiscoverOptions`. Output: a `DiscoverResult` whose lists are sorted by rel path; throws
 * `DiscoverError` for a path that does not exist.
 */

import path from 'node:path';
import { collect, compareRel } from './collect.js';
import { kindsOf } from './file-kinds.js';
import { chainAbove, repositoryChain } from './git-context.js';
import { makeLayer, parsePatterns, withLayer, type IgnoreChain } from './ignore-rules.js';
import { resolveTargets } from './roots.js';
import { trackedFiles } from './tracked.js';
import type { DiscoverOptions, DiscoverProblem, DiscoverResult } from './types.js';
import { walk, type Candidate, type WalkStart } from './walk.js';

export { DiscoverError } from './types.js';
export type { DiscoverOptions, DiscoverProblem, DiscoverResult, SourceFile } from './types.js';

/**
 * `--exclude` patterns as gitignore rules at the root: a leading `./` is dropped, an absolute
 * path inside the root becomes an anchored pattern, and on Windows `\` separates directories
 * (elsewhere it escapes, as in `.gitignore`).
 */
function excludeChain(patterns: readonly string[], root: string): IgnoreChain {
  const rules: string[] = [];
  for (const raw of patterns) {
    for (const line of parsePatterns(raw)) {
      let rule = path.sep === '\\' ? line.replace(/\\/g, '/') : line;
      if (path.isAbsolute(line) && (line === root || line.startsWith(root + path.sep))) {
        const rel = path.relative(root, line).split(path.sep).join('/');
        rule = rel === '' ? '' : `/${rel}${line.endsWith(path.sep) ? '/' : ''}`;
      }
      while (rule.startsWith('./')) rule = rule.slice(2);
      if (rule !== '') rules.push(rule);
    }
  }
  return withLayer([], makeLayer(rules, ''));
}

/**
 * Walks `paths` (default: the current directory) and returns what an audit reads. Directories
 * and files named in `paths` are never skipped; below them, `.gitignore` files, `--exclude`
 * patterns, virtualenvs, installed packages, caches and build output are.
 */
export async function discover(paths: string[], options: DiscoverOptions = {}): Promise<DiscoverResult> {
  const respectGitignore = options.respectGitignore ?? true;
  const problems: DiscoverProblem[] = [];
  const targets = await resolveTargets(paths, process.cwd(), problems);
  const { root } = targets;

  const aboveRoot = respectGitignore ? await repositoryChain(root, problems) : [];
  const starts: WalkStart[] = [];
  for (const dir of targets.dirs) {
    const gitignore = respectGitignore ? await chainAbove(root, dir.rel, aboveRoot, problems) : [];
    starts.push({ abs: dir.abs, rel: dir.rel, real: dir.real, gitignore });
  }

  const candidates: Candidate[] = [];
  for (const file of targets.files) {
    const name = path.basename(file.abs);
    const kinds = kindsOf(name, path.dirname(file.abs).split(path.sep).join('/'));
    if (kinds.length === 0) {
      const message =
        'skipped: not a .py or .pyi file, nor a manifest or native source; give Python files or their directories';
      problems.push({ file: file.rel, message });
      continue;
    }
    candidates.push({ abs: file.abs, rel: file.rel, real: file.real, viaSymlink: false, kinds });
  }
  const explicit = new Set(candidates.map((c) => c.rel));
  const allowedReals = [targets.rootReal, ...targets.dirs.map((d) => d.real)];
  const walked = await walk(starts, {
    respectGitignore,
    exclude: excludeChain(options.exclude ?? [], root),
    allowedReals,
    problems,
  });
  if (options.trackedOnly) {
    const tracked = trackedFiles(root);
    if (tracked instanceof Set) candidates.push(...walked.filter((c) => tracked.has(c.rel)));
    else {
      problems.push({ file: '.', message: tracked.problem });
      candidates.push(...walked);
    }
  } else candidates.push(...walked);

  const collected = await collect(candidates, explicit, problems);
  problems.sort((a, b) => compareRel(a.file, b.file) || compareRel(a.message, b.message));
  return { root, ...collected, errors: problems, allowedReals: [...allowedReals, ...targets.files.map((f) => f.real)] };
}
