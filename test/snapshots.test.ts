/**
 * Per-fixture snapshots of everything a finding says: rule, place (line and column), severity,
 * confidence, message, chain and recommendation; and of every function profile the classification
 * fixtures produce (label, evidence, entry points, hotness, remedy). The rule tests pin where findings are; these
 * pin what they say, so a one-line change to a message, threshold, confidence or remedy fails a
 * test that names the rule. `UPDATE_SNAPSHOTS=1 npm test` rewrites them (review the diff).
 *
 * Also: `todo-expect` / `todo-ok` annotations are listed as "still todo" or "now passes", so a
 * fixed gap is noticed and its annotation promoted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO, annotations, auditFiles, loadFixture, readTree, type Fixture } from './helpers/fixtures.js';
import type { AuditRun } from '../src/model/types.js';

const FIXTURES = join(REPO, 'fixtures');
const SNAPSHOTS = join(REPO, 'test', 'snapshots');
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';
const RULE_FOLDERS = readdirSync(FIXTURES).filter((d) => d !== 'sample' && d !== 'classify' && d !== 'projects' && statSync(join(FIXTURES, d)).isDirectory());

/** A `.py` fixture (possibly split into files), or a directory holding a small project. */
function loadAny(path: string, name: string): Fixture {
  if (!statSync(path).isDirectory()) return loadFixture(path, name);
  const files = readTree(path);
  return { files, expectations: [...files].flatMap(([file, source]) => annotations(file, source)) };
}

/** Every finding in full, one block each, in report order. */
export function render(run: AuditRun): string {
  const out: string[] = [];
  for (const f of run.findings) {
    out.push(`${f.file}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.rule} ${f.name} [${f.severity}, ${f.confidence}]`);
    out.push(`  message: ${f.message}`);
    for (const step of f.chain) out.push(`  via: ${step.function}${step.file ? ` (${step.file}:${step.line})` : ''}`);
    out.push(`  fix: ${f.recommendation}`);
    if (f.equivalents.length > 0) out.push(`  equivalents: ${f.equivalents.join(', ')}`);
  }
  return out.join('\n') + '\n';
}

/** Every reported function's profile in full: label, confidence, evidence, entry points, hotness, remedy. */
export function renderFunctions(run: AuditRun): string {
  const out: string[] = [];
  for (const f of run.functions ?? []) {
    out.push(`${f.file}:${f.line} ${f.qualname}${f.isAsync ? ' (async)' : ''}: ${f.classification} [${f.confidence}] hotness ${f.hotness}`);
    for (const e of f.evidence) out.push(`  ${e.kind}: ${e.reason} (${e.file}:${e.line})${e.chain ? ` via ${e.chain.map((s) => s.function).join(' → ')}` : ''}`);
    for (const p of f.entryPoints) out.push(`  entry: ${p.kind} via ${p.via} (${p.file}:${p.line})`);
    if (f.remedy) out.push(`  remedy: ${f.remedy}`);
  }
  return out.join('\n') + '\n';
}

/** Compares with (or, under UPDATE_SNAPSHOTS=1, writes) one snapshot file. */
function checkSnapshot(file: string, actual: string, what: string): void {
  if (UPDATE) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `no snapshot ${file.slice(REPO.length)}: run UPDATE_SNAPSHOTS=1 npm test and review it`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${what} changed: if that is intended, run UPDATE_SNAPSHOTS=1 npm test and review the diff`);
}

const todos: string[] = [];

for (const name of readdirSync(join(FIXTURES, 'classify')).filter((n) => n.endsWith('.py')).sort()) {
  test(`snapshot: classify/${name}`, async () => {
    const fixture = loadFixture(join(FIXTURES, 'classify', name), name);
    const run = await auditFiles(fixture.files);
    checkSnapshot(join(SNAPSHOTS, 'classify', name.replace(/\.py$/, '.txt')), renderFunctions(run), `function profiles of classify/${name}`);
  });
}

for (const folder of RULE_FOLDERS) {
  for (const name of readdirSync(join(FIXTURES, folder)).sort()) {
    const path = join(FIXTURES, folder, name);
    const id = /^(GA\d{3})/.exec(name)?.[1];
    if (!id || (!name.endsWith('.py') && !statSync(path).isDirectory())) continue;
    test(`snapshot: ${folder}/${name}`, async () => {
      const fixture = loadAny(path, name);
      const run = await auditFiles(fixture.files, { select: [id] });
      const actual = render(run);
      const file = join(SNAPSHOTS, folder, `${name.replace(/\.py$/, '')}.txt`);
      for (const e of fixture.expectations.filter((x) => x.kind === 'todo-expect' || x.kind === 'todo-ok')) {
        const found = run.findings.some((f) => f.file === e.file && f.line === e.line && f.rule === e.rule);
        const passes = e.kind === 'todo-expect' ? found : !found;
        todos.push(`${passes ? 'now passes' : 'still todo'}: ${folder}/${name} ${e.file}:${e.line} ${e.kind} ${e.rule}`);
      }
      checkSnapshot(file, actual, `findings of ${folder}/${name}`);
    });
  }
}

test('every snapshot belongs to a fixture', () => {
  const stale: string[] = [];
  for (const folder of existsSync(SNAPSHOTS) ? readdirSync(SNAPSHOTS) : []) {
    for (const snap of readdirSync(join(SNAPSHOTS, folder))) {
      const stem = snap.replace(/\.txt$/, '');
      if (!existsSync(join(FIXTURES, folder, `${stem}.py`)) && !existsSync(join(FIXTURES, folder, stem))) stale.push(`${folder}/${snap}`);
    }
  }
  assert.deepEqual(stale, [], 'snapshots without a fixture: delete them');
});

test('todo annotations: still todo or now passes', (t) => {
  for (const line of todos.sort()) t.diagnostic(line);
  // A todo that now passes should become a real `expect`/`ok`: say so loudly, without failing the run.
  const fixed = todos.filter((l) => l.startsWith('now passes'));
  if (fixed.length > 0) t.diagnostic(`${fixed.length} todo annotation(s) now pass: promote them to expect/ok`);
});
