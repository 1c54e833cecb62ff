/**
 * What the packaging and CI declare about free-threading (checklist B14, B15): carried into the
 * JSON `readiness.signals` (valid against the report schema) and shown in the Markdown chapter,
 * where an absent classifier or CI leg is named only for a project that has a package or CI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import AjvModule from 'ajv';
import { auditFiles } from './helpers/fixtures.js';
import { render } from '../src/report/index.js';
import { readinessChapter } from '../src/report/markdown-readiness.js';

const Ajv = AjvModule.default;
const SCHEMA_URL = new URL('../../src/schema/report.schema.json', import.meta.url);
const CODE = 'def main():\n    return 1\n';

const PYPROJECT_DECLARED = `[project]
name = "fastlib"
version = "1.0"
classifiers = [
    "Programming Language :: Python :: 3",
    "Programming Language :: Python :: Free Threading :: 2 - Beta",
]
`;
const WORKFLOW_FT = `name: ci
on: [push]
jobs:
  test:
    strategy:
      matrix:
        python: ["3.13", "3.14", "3.14t"]
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: \${{ matrix.python }}
`;

function section(lines: string[]): string[] {
  const start = lines.indexOf('### Declared support');
  if (start < 0) return [];
  const end = lines.indexOf('', start + 2);
  return lines.slice(start, end);
}

test('declared support: the classifier and the free-threaded CI leg, with their places', async () => {
  const run = await auditFiles(new Map([
    ['fastlib/core.py', CODE], ['pyproject.toml', PYPROJECT_DECLARED], ['.github/workflows/ci.yml', WORKFLOW_FT],
  ]));
  assert.deepEqual(run.readiness!.signals, {
    classifiers: [{ file: 'pyproject.toml', line: 6, value: 'Programming Language :: Python :: Free Threading :: 2 - Beta' }],
    ciLegs: [{ file: '.github/workflows/ci.yml', line: 7, version: '3.14t' }],
    declaresPackage: true,
    hasCi: true,
  });
  assert.deepEqual(section(readinessChapter(run)), [
    '### Declared support',
    '',
    '- Trove classifier: `Programming Language :: Python :: Free Threading :: 2 - Beta` (`pyproject.toml:6`).',
    '- Free-threaded CI: 3.14t (first named at `.github/workflows/ci.yml:7`).',
  ]);
  const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(schema);
  const report: unknown = JSON.parse(render('json', run, {}));
  assert.ok(validate(report), ajv.errorsText(validate.errors));
});

test('declared support: a package without the classifier and CI without a free-threaded leg are named', async () => {
  const run = await auditFiles(new Map([
    ['fastlib/core.py', CODE],
    ['pyproject.toml', '[project]\nname = "fastlib"\nversion = "1.0"\n'],
    ['.github/workflows/ci.yml', WORKFLOW_FT.replace(', "3.14t"', '')],
  ]));
  assert.deepEqual(section(readinessChapter(run)), [
    '### Declared support',
    '',
    '- Trove classifier: none. Once the package is tested on a free-threaded build, say so with `Programming Language :: Python :: Free Threading :: 1 - Unstable` (or a higher level).',
    '- Free-threaded CI: none. No `3.13t` or `3.14t` in the CI matrix, so nothing tests the code without the GIL.',
  ]);
});

test('declared support: nothing is said for code with neither a package nor CI', async () => {
  const run = await auditFiles(new Map([['app.py', CODE], ['requirements.txt', 'requests==2.32.0\n']]));
  assert.deepEqual(section(readinessChapter(run)), []);
});
