/**
 * The build's bundle of the package's data files (src/config/shipped-data.ts): it covers every
 * rule, catalogue and model file, each entry is exactly what parsing and validating the file gives
 * today, and a file whose text changed is parsed again rather than served from the bundle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { REPO, readTree } from './helpers/fixtures.js';
import { BUNDLE_PATH, dataDigest, validatedData, type ShippedBundle } from '../src/config/shipped-data.js';

const bundle = JSON.parse(readFileSync(BUNDLE_PATH, 'utf8')) as ShippedBundle;

test('the bundle holds every shipped data file, each as parsing and validating it gives now', () => {
  assert.deepEqual(Object.keys(bundle).sort(), [...readTree(join(REPO, 'rules')).keys()].filter((rel) => /\.(yaml|json)$/.test(rel)).map((rel) => `rules/${rel}`).sort());
  for (const [rel, entry] of Object.entries(bundle)) {
    const text = readFileSync(join(REPO, rel), 'utf8');
    assert.equal(entry.digest, dataDigest(text, entry.schema), `${rel}: the bundle is stale (npm run build)`);
    assert.deepEqual(entry.data, rel.endsWith('.json') ? JSON.parse(text) : YAML.parse(text), rel);
  }
});

test('a shipped file whose text changed is parsed and validated, not taken from the bundle', () => {
  const rel = Object.keys(bundle).find((r) => r.startsWith('rules/async-blocking/'))!;
  const file = join(REPO, rel);
  const text = readFileSync(file, 'utf8');
  let parsed = 0;
  const parse = (source: string) => {
    parsed++;
    return YAML.parse(source) as unknown;
  };
  assert.deepEqual(validatedData(file, text, bundle[rel].schema, rel, parse), bundle[rel].data);
  assert.equal(parsed, 0, 'unchanged: from the bundle');
  const changed = text.replace(/^summary: .*$/m, 'summary: Checks for a changed text');
  const data = validatedData(file, changed, bundle[rel].schema, rel, parse) as { summary: string };
  assert.equal(parsed, 1);
  assert.equal(data.summary, 'Checks for a changed text');
  // A changed schema counts as a change too.
  assert.notEqual(dataDigest(text, bundle[rel].schema), dataDigest(text, 'catalogue.schema.json'));
  // Still validated: a broken file is an error naming it.
  assert.throws(() => validatedData(file, text.replace(/^severity: .*$/m, 'severity: loud'), bundle[rel].schema, rel, parse), new RegExp(`^ConfigError: ${rel.replace(/\./g, '\\.')}: `));
});
