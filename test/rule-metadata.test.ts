/**
 * The settings each rule declares in its YAML that reach users apart from its findings: severity,
 * confidence and the confidences it picks among by id (SARIF `driver.rules`, the JSON report's `rules`, the Markdown method section, the
 * docs page) and option defaults (the thresholds). Declarative blocking rules take their findings'
 * confidence from the catalogue entry, so no fixture pins the rule's own; this snapshot does.
 * `UPDATE_SNAPSHOTS=1 npm test` rewrites test/rule-metadata.txt (review the diff).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers/fixtures.js';
import { loadRules } from '../src/rules/registry.js';

const SNAPSHOT = join(REPO, 'test', 'rule-metadata.txt');

test('rule metadata: severity, confidences and option defaults', () => {
  const lines = loadRules()
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((r) => {
      const options = Object.entries(r.options ?? {}).map(([name, o]) => ` ${name}=${o.default}`).join('');
      const picked = Object.entries(r.confidences ?? {}).map(([id, c]) => ` ${id}:${c}`).join('');
      return `${r.id} ${r.name} [${r.severity}, ${r.confidence}${picked}]${options}`;
    });
  const actual = lines.join('\n') + '\n';
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    writeFileSync(SNAPSHOT, actual);
    return;
  }
  assert.equal(actual, readFileSync(SNAPSHOT, 'utf8'), 'rule metadata changed: if that is intended, run UPDATE_SNAPSHOTS=1 npm test and review the diff');
});
