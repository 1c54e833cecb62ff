/**
 * Which files are test code: files under a test directory, `test_*.py`, `*_test.py`, `conftest.py`.
 *
 * Stage: findings. Test code is audited like any other, but its findings are kept apart from the
 * headline numbers, the hot paths and the exit code unless the user asks for them (`--tests`).
 */

/** What to do with findings in test code: keep them apart (default), count them, or drop them. */
export type TestsMode = 'separate' | 'include' | 'exclude';
export const TESTS_MODES: readonly TestsMode[] = ['separate', 'include', 'exclude'];

const TEST_DIR = /^(tests?|testing|[A-Za-z0-9]+_tests?|__tests__)$/;
const TEST_FILE = /^(test_.*|.*_tests?|conftest)\.pyi?$/;

/** Whether an audit-relative path (`/`-separated) is test code. */
export function isTestPath(rel: string): boolean {
  const parts = rel.split('/');
  const file = parts.pop() ?? '';
  return TEST_FILE.test(file) || parts.some((dir) => TEST_DIR.test(dir));
}
