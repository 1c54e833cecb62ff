/**
 * Which files are test code: files under a test directory (`tests/`, `Tests/`...), `test_*.py`, `*_test.py`, `conftest.py`.
 *
 * Stage: discover. Later stages keep test code apart: its callers do not make production code
 * hot, and its findings are reported in their own section (findings/test-code.ts).
 */

/** In any case: some projects name the folder `Tests/` (Pillow). */
const TEST_DIR = /^(tests?|testing|[A-Za-z0-9]+_tests?|__tests__)$/i;
const TEST_FILE = /^(test_.*|.*_tests?|conftest)\.pyi?$/;

/** Whether an audit-relative path (`/`-separated) is test code. */
export function isTestPath(rel: string): boolean {
  const parts = rel.split('/');
  const file = parts.pop() ?? '';
  return TEST_FILE.test(file) || parts.some((dir) => TEST_DIR.test(dir));
}
