/**
 * The cover of a report: the project's name, the git revision audited and what the audit left out.
 *
 * Stage: findings. Input: the audit root, the repository root and the settings in force. Output:
 * a `ReportCover`. The date is the commit's, never the clock's, so the same tree gives the same
 * report; outside a git repository (or when the repository root given is not a repository's top)
 * there is no revision.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parse } from 'smol-toml';
import type { ReportCover } from '../model/types.js';

export interface CoverInput {
  /** The audited folder, absolute. */
  root: string;
  /** The repository root (`--root`, else the closest folder above holding `.git`), absolute. */
  repository: string;
  title?: string;
  excluded: string[];
  gitignore: boolean;
  trackedOnly: boolean;
  tests: ReportCover['tests'];
}

/** `[project].name` (or `[tool.poetry].name`) of a pyproject.toml, when it has one. */
function pyprojectName(file: string): string | undefined {
  try {
    const data = parse(readFileSync(file, 'utf8')) as { project?: { name?: unknown }; tool?: { poetry?: { name?: unknown } } };
    const name = data.project?.name ?? data.tool?.poetry?.name;
    return typeof name === 'string' && name.trim() !== '' ? name.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** The project's name: from the closest pyproject.toml at or above the root, up to the repository root; else the root's folder name. */
export function projectName(root: string, repository: string): string {
  for (let dir = root; ; dir = dirname(dir)) {
    const file = join(dir, 'pyproject.toml');
    if (existsSync(file)) {
      const name = pyprojectName(file);
      if (name !== undefined) return name;
    }
    if (dir === repository || dirname(dir) === dir || relative(repository, dir).startsWith('..')) break;
  }
  return basename(root) || root;
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 }).trim();
  } catch {
    return undefined;
  }
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The commit at HEAD of the repository whose top is `repository`, its commit date, and whether
 * tracked files under `root` differ from it; undefined when `repository` is not a git top.
 */
export function revision(root: string, repository: string): ReportCover['revision'] {
  const top = git(repository, ['rev-parse', '--show-toplevel']);
  if (top === undefined || real(top) !== real(repository)) return undefined;
  const head = git(repository, ['log', '-1', '--format=%H%n%cI', 'HEAD']);
  if (head === undefined) return undefined;
  const [commit, date] = head.split('\n');
  if (!/^[0-9a-f]{40,64}$/.test(commit ?? '') || date === undefined) return undefined;
  const status = git(repository, ['status', '--porcelain', '--untracked-files=no', '--', relative(repository, root) || '.']);
  return { commit, date, modified: status !== undefined && status !== '' };
}

/** The cover for an audit of `root`. */
export function reportCover(input: CoverInput): ReportCover {
  const project = projectName(input.root, input.repository);
  const rev = revision(input.root, input.repository);
  const title = input.title?.trim();
  return {
    title: title ? title : `Concurrency audit of ${project}`,
    project,
    ...(rev ? { revision: rev } : {}),
    excluded: [...input.excluded],
    gitignore: input.gitignore,
    trackedOnly: input.trackedOnly,
    tests: input.tests,
  };
}
