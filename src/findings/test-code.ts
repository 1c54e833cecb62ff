/**
 * What becomes of findings in test code (discover/test-paths.ts says which files those are).
 *
 * Stage: findings. Test code is audited like any other, but its findings are kept apart from the
 * headline numbers, the hot paths and the exit code unless the user asks for them (`--tests`).
 */

/** What to do with findings in test code: keep them apart (default), count them, or drop them. */
export type TestsMode = 'separate' | 'include' | 'exclude';
export const TESTS_MODES: readonly TestsMode[] = ['separate', 'include', 'exclude'];

export { isTestPath } from '../discover/test-paths.js';
