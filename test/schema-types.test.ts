/** The generated types of rule, catalogue, work-model and configuration files match their JSON Schemas. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OUTPUT, schemaTypes } from '../scripts/schema-types.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

test(`${OUTPUT} is what npm run schema-types generates from src/schema/`, async () => {
  const committed = readFileSync(`${REPO}${OUTPUT}`, 'utf8');
  assert.ok(committed === (await schemaTypes()), `${OUTPUT} is stale: run \`npm run schema-types\` after changing a schema`);
});
