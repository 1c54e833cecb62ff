/**
 * Test code apart: findings in test files are audited but kept out of the counts, hot paths and
 * exit code by default (`--tests separate`), counted with `include`, dropped with `exclude`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditFiles } from './helpers/fixtures.js';
import { isTestPath } from '../src/findings/test-code.js';

// Rows of a query (proven data, with the columns of each row as its elements): about 150,000 operations.
const crunch = (def: string, end: string) =>
  `${def}\n    result = await session.execute(QUERY)\n    total = 0\n    for row in result.all():\n        for v in row:\n            total += v * v % 7 + v // 3\n    ${end}\n`;
const files = new Map([
  ['app/jobs.py', crunch('async def crunch(session):', 'return total')],
  ['tests/test_jobs.py', crunch('async def test_crunch(session):', 'assert total')],
  ['app/conftest.py', 'async def fixture_rows(session):\n    result = await session.execute(QUERY)\n    return [[v * 2 + 1 for v in row if v % 3 and v // 7 != v % 11] for row in result.all()]\n'],
]);

test('test files are recognised by directory and name', () => {
  for (const path of ['tests/a.py', 'Tests/oss-fuzz/fuzzers.py', 'pkg/Test/a.py', 'pkg/test/a.py', 'pkg/testing/a.py', 'pkg/unit_tests/a.py', 'pkg/test_views.py', 'pkg/views_test.py', 'conftest.py']) {
    assert.equal(isTestPath(path), true, path);
  }
  for (const path of ['pkg/latest.py', 'pkg/contest.py', 'pkg/attestation.py', 'testdata_loader.py', 'pkg/protests.py', 'Latest/a.py', 'pkg/Contests/a.py']) {
    assert.equal(isTestPath(path), false, path);
  }
});

test('by default, findings in test code are kept apart from the counts and hot paths', async () => {
  const run = await auditFiles(files, { select: ['GA111'] });
  assert.deepEqual(run.findings.map((f) => f.file), ['app/jobs.py']);
  assert.equal(run.summary.findings, 1);
  assert.equal(run.summary.testFindings, 2);
  assert.deepEqual(run.testFindings?.map((f) => [f.file, f.test]), [['app/conftest.py', true], ['tests/test_jobs.py', true]]);
  assert.ok((run.functions ?? []).every((f) => !f.file.startsWith('tests/') && !f.file.endsWith('conftest.py')));
});

test('--tests include counts them like the rest; --tests exclude drops them', async () => {
  const included = await auditFiles(files, { select: ['GA111'], tests: 'include' });
  assert.deepEqual(included.findings.map((f) => f.file), ['app/conftest.py', 'app/jobs.py', 'tests/test_jobs.py']);
  assert.equal(included.summary.findings, 3);
  assert.equal(included.testFindings, undefined);
  const excluded = await auditFiles(files, { select: ['GA111'], tests: 'exclude' });
  assert.deepEqual(excluded.findings.map((f) => f.file), ['app/jobs.py']);
  assert.equal(excluded.testFindings, undefined);
  assert.equal(excluded.summary.testFindings, undefined);
});
