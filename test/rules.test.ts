/**
 * Fixture-driven rule tests: each `fixtures/<category>/<ID>-<name>*.py` (or a directory of that
 * name holding a small project: manifests, C, Rust, Cython files) runs its one rule and must
 * produce exactly the (line, rule) pairs its `expect:` comments name, and nothing on its `ok:`
 * lines or anywhere else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, annotations, auditFiles, compare, loadFixture, readTree, type Fixture } from './helpers/fixtures.js';
import { loadRules } from '../src/rules/registry.js';

const rules = loadRules();
const fixtureRoot = join(REPO, 'fixtures');
const categories = readdirSync(fixtureRoot).filter((d) => d !== 'sample' && d !== 'projects' && d !== 'classify');

for (const category of categories) {
  for (const name of readdirSync(join(fixtureRoot, category)).filter((n) => n.endsWith('.py') || statSync(join(fixtureRoot, category, n)).isDirectory()).sort()) {
    const id = /^(GA\d{3})/.exec(name)?.[1];
    test(`${category}/${name}`, async () => {
      assert.ok(id, `fixture ${name} must start with a rule id`);
      assert.ok(rules.some((r) => r.id === id), `fixture ${name} names ${id}, which is not a rule`);
      const fixture = loadAny(join(fixtureRoot, category, name), name);
      const positives = fixture.expectations.filter((e) => e.kind === 'expect' && e.rule === id);
      const negatives = fixture.expectations.filter((e) => e.kind === 'ok' && e.rule === id);
      assert.ok(positives.length > 0, `${name} needs at least one '# expect: ${id}'`);
      assert.ok(negatives.length > 0, `${name} needs at least one '# ok: ${id}'`);
      const run = await auditFiles(fixture.files, { select: [id!] });
      const { missing, noisy } = compare(run, fixture.expectations, new Set([id!]));
      assert.deepEqual({ missing, noisy }, { missing: [], noisy: [] });
    });
  }
}

/** A `.py` fixture (possibly split into files), or a directory holding a small project. */
function loadAny(path: string, name: string): Fixture {
  if (!statSync(path).isDirectory()) return loadFixture(path, name);
  const files = readTree(path);
  return { files, expectations: [...files].flatMap(([file, source]) => annotations(file, source)) };
}

test('every rule has metadata, a fixture with positive and negative cases, and its implementation', () => {
  for (const rule of rules) {
    if (rule.engine === 'ts') {
      assert.ok(existsSync(join(REPO, 'src', 'rules', 'impl', `${rule.name}.ts`)), `rule ${rule.id} (engine: ts) has no src/rules/impl/${rule.name}.ts`);
    }
    const dir = join(fixtureRoot, rule.category);
    const has = existsSync(dir) && readdirSync(dir).some((n) => n.startsWith(`${rule.id}-${rule.name}`));
    assert.ok(has, `rule ${rule.id} has no fixture fixtures/${rule.category}/${rule.id}-${rule.name}.py`);
  }
});

for (const rule of rules) {
  test(`${rule.id} examples: the bad one is reported, the good one is not`, async () => {
    const file = rule.examples.file ?? 'example.py';
    const config: [string, string][] = rule.examples.config ? [['gil-audit.yaml', rule.examples.config]] : [];
    const bad = await auditFiles(new Map([[file, rule.examples.bad], ...config]), { select: [rule.id] });
    assert.ok(bad.findings.some((f) => f.rule === rule.id), `examples.bad of ${rule.id} gives no ${rule.id} finding`);
    const good = await auditFiles(new Map([[file, rule.examples.good], ...config]), { select: [rule.id] });
    assert.deepEqual(good.findings.filter((f) => f.rule === rule.id).map((f) => `${f.line}: ${f.message}`), []);
  });
}
