/**
 * Writes dist/src/shipped-data.json: the parsed and validated data of every data file the package
 * ships (see src/config/shipped-data.ts), by loading each through its own loader. Run by
 * `npm run build`.
 */
import { writeFileSync } from 'node:fs';
import { BUNDLE_PATH, recordShippedData } from '../src/config/shipped-data.js';
import { loadRules } from '../src/rules/registry.js';
import { loadCatalogue } from '../src/classify/catalogue.js';
import { loadWorkModel } from '../src/classify/work-model.js';
import { loadBuildTools, loadPackageCatalogue } from '../src/readiness/dependencies/catalogue.js';

const bundle = recordShippedData(() => {
  loadRules();
  loadCatalogue();
  loadWorkModel();
  loadPackageCatalogue();
  loadBuildTools();
});
writeFileSync(BUNDLE_PATH, JSON.stringify(bundle));
