/**
 * The free-threading package catalogue and build-tool minimums shipped in rules/: they load and
 * pass their schemas, and the catalogue is what `npm run packages` makes from the shared data
 * (when a shared/ folder is above the repository).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadBuildTools, loadPackageCatalogue } from '../src/readiness/dependencies/catalogue.js';
import { buildPackageCatalogue, CATALOGUE_PATH, findSharedData, renderCatalogue } from '../scripts/packages.js';

describe('the package catalogue', () => {
  test('loads and validates; build tools load', () => {
    const catalogue = loadPackageCatalogue();
    assert.ok(catalogue.packages.size > 400);
    assert.equal(catalogue.packages.get('numpy')?.firstVersion, '2.1.0');
    assert.equal(catalogue.packages.get('orjson')?.status, 'not-ready');
    assert.deepEqual(loadBuildTools('pypi').map((t) => `${t.package}>=${t.minimum} ${t.check}`), [
      'cython>=3.1.0 B03', 'pybind11>=2.13.0 B04', 'nanobind>=2.2.0 B05', 'cffi>=2.0.0 B10',
      'numpy>=2.1.0 B11-build-capped', 'mypy>=1.20.0 B11-build-capped', 'swig>=4.4.0 B11-build-capped',
    ]);
    assert.deepEqual(loadBuildTools('crates').map((t) => t.package), ['pyo3']);
  });

  const shared = findSharedData();
  test('the shipped catalogue is what `npm run packages` makes from shared/freethreading-packages.json', { skip: shared ? false : 'no shared/ folder above the repository' }, () => {
    const expected = renderCatalogue(buildPackageCatalogue(JSON.parse(readFileSync(shared!, 'utf8'))));
    assert.equal(readFileSync(CATALOGUE_PATH, 'utf8'), expected, 'rules/free-threading-packages.json is stale: run npm run packages');
  });
});
