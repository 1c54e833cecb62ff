/**
 * The benchmark's project generator: the same size writes the same bytes, about the lines asked
 * for, and Python that the audit reads without errors and reports blocking calls in, directly and
 * through helpers in other modules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTree } from './helpers/fixtures.js';
import { runCli } from './helpers/cli.js';
import { generateProject } from '../bench/generate.js';

const LINES = 20_000;

test('the generator writes the same project twice, of about the lines asked for, that audits without errors and with findings', (t) => {
  const [a, b] = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'gil-audit-generate-')));
  t.after(() => [a, b].forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  const made = generateProject(a, LINES);
  assert.deepEqual(generateProject(b, LINES), made);
  const tree = readTree(a);
  assert.deepEqual(readTree(b), tree);
  assert.equal(tree.size, made.files);
  assert.ok(tree.has('synth/__init__.py') && tree.has('synth/web.py') && tree.has('synth/p0/s0/__init__.py'));

  const lines = [...tree.values()].reduce((n, text) => n + text.split('\n').length - 1, 0);
  assert.equal(lines, made.lines);
  assert.ok(Math.abs(lines - LINES) <= LINES * 0.05, `${lines} lines for ${LINES} asked`);

  const result = runCli([a, '--no-cache', '-f', 'json', '--fail-on', 'never', '-q'], a);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { errors: unknown[]; summary: { files: number; byRule: Record<string, number> } };
  assert.deepEqual(report.errors, []);
  assert.equal(report.summary.files, made.files);
  assert.ok(report.summary.byRule.GA101 >= 1, JSON.stringify(report.summary.byRule));
  assert.ok(report.summary.byRule.GA110 >= 1, JSON.stringify(report.summary.byRule));
});
