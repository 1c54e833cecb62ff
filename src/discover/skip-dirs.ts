/**
 * The directories the walk never enters on its own: virtualenvs, installed packages, caches,
 * version-control metadata and build output.
 *
 * Stage: discover. Input: a directory's name (and, for virtualenvs, its entry names).
 * Output: whether to skip it. A directory named on the command line is never skipped; the
 * walker, not this module, enforces that.
 */

const SKIPPED_NAMES = new Set([
  'site-packages',
  'dist-packages',
  'node_modules',
  '__pycache__',
  '.git',
  '.hg',
  '.svn',
  '.tox',
  '.nox',
  '.venv',
  'venv',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  'build',
  'dist',
  '.eggs',
]);

/** A file whose presence marks a directory as a virtualenv (PEP 405). */
export const VENV_MARKER = 'pyvenv.cfg';

/** True when a directory with this name is skipped whatever it holds. */
export function isSkippedDirName(name: string): boolean {
  return SKIPPED_NAMES.has(name) || name.endsWith('.egg-info');
}
