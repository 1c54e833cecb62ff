/**
 * End-to-end fixture projects (`fixtures/projects/<name>/`): each is audited with every rule on,
 * as a whole project, and must produce exactly the event-loop findings (GA1xx) its `# expect:`
 * comments name, on the lines they name, and none on its `# ok:` lines or anywhere else.
 * Projects without annotations pin other outputs and have their own tests
 * (free-threading-* : test/readiness-verdict.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, annotations, auditFiles, compare, readTree } from './helpers/fixtures.js';
import { loadRules } from '../src/rules/registry.js';

const PROJECTS = join(REPO, 'fixtures', 'projects');
const loopRules = new Set(loadRules().filter((r) => r.id.startsWith('GA1')).map((r) => r.id));

for (const name of existsSync(PROJECTS) ? readdirSync(PROJECTS).sort() : []) {
  if (!statSync(join(PROJECTS, name)).isDirectory()) continue;
  if (name.startsWith('free-threading-')) continue;
  test(`project ${name}: every GA1xx finding is annotated, every expectation found`, async () => {
    const files = readTree(join(PROJECTS, name));
    const expectations = [...files].flatMap(([file, source]) => (file.endsWith('.py') ? annotations(file, source) : []));
    assert.ok(expectations.some((e) => e.kind === 'expect'), `fixtures/projects/${name} has no '# expect:' annotation`);
    assert.ok(expectations.some((e) => e.kind === 'ok'), `fixtures/projects/${name} has no '# ok:' annotation`);
    const run = await auditFiles(files);
    assert.deepEqual(compare(run, expectations, loopRules), { missing: [], noisy: [] });
  });
}
