/**
 * Reads pyproject.toml: `[build-system] requires`, `[project]` dependencies and
 * optional-dependencies, `[dependency-groups]`, Poetry's `[tool.poetry]` dependency tables, PDM and
 * uv dev dependencies; the cibuildwheel `build` / `skip` selectors; and free-threading trove
 * classifiers. (Interpreter settings in it are found by settings.ts, as in other files.)
 *
 * Stage: readiness.
 */
import type { ReadinessProblem } from '../types.js';
import { buildLeavesOutFreeThreaded, selectorPatterns, skippedFreeThreaded } from './cibuildwheel.js';
import type { ManifestReading } from './declared.js';
import { declareArray, declareTableEntry } from './declare.js';
import { readToml, stringSpan, keySpan, tableAt, valueAt, type TomlDoc } from './toml.js';
import type { TomlPath } from './toml-places.js';

/** A packaging manifest's reading: dependencies, plus problems and signals found in it. */
export interface PackagingReading extends ManifestReading {
  problems: ReadinessProblem[];
  /** Free-threading trove classifiers, where declared. */
  classifiers: { line: number; value: string }[];
  /** The file declares a package (a name in `[project]`, `[tool.poetry]`, `[metadata]`, `setup()`). */
  declaresPackage: boolean;
}

/** The trove classifier prefix that declares free-threading support (B14). */
export const FREE_THREADING_CLASSIFIER = 'Programming Language :: Python :: Free Threading';

/** Reads pyproject.toml; a file that is not TOML gives one error and nothing else. */
export function readPyproject(rel: string, text: string): PackagingReading {
  const reading: PackagingReading = { declared: [], errors: [], problems: [], classifiers: [], declaresPackage: false };
  const doc = readToml(text);
  if ('error' in doc) {
    reading.errors.push(doc.error);
    return reading;
  }
  const { data } = doc;
  declareArray(doc, ['build-system', 'requires'], valueAt(data, ['build-system', 'requires']), 'build', reading);
  declareArray(doc, ['project', 'dependencies'], valueAt(data, ['project', 'dependencies']), 'runtime', reading);
  for (const [extra, list] of Object.entries(tableAt(data, ['project', 'optional-dependencies']) ?? {})) {
    declareArray(doc, ['project', 'optional-dependencies', extra], list, 'optional', reading);
  }
  for (const [group, list] of Object.entries(tableAt(data, ['dependency-groups']) ?? {})) {
    declareArray(doc, ['dependency-groups', group], list, group === 'build' ? 'build' : 'dev', reading);
  }
  for (const [group, list] of Object.entries(tableAt(data, ['tool', 'pdm', 'dev-dependencies']) ?? {})) {
    declareArray(doc, ['tool', 'pdm', 'dev-dependencies', group], list, 'dev', reading);
  }
  declareArray(doc, ['tool', 'uv', 'dev-dependencies'], valueAt(data, ['tool', 'uv', 'dev-dependencies']), 'dev', reading);
  declareArray(doc, ['tool', 'uv', 'constraint-dependencies'], valueAt(data, ['tool', 'uv', 'constraint-dependencies']), 'lock', reading);
  const poetryTables: [TomlPath, 'runtime' | 'dev'][] = [
    [['tool', 'poetry', 'dependencies'], 'runtime'],
    [['tool', 'poetry', 'dev-dependencies'], 'dev'],
  ];
  for (const group of Object.keys(tableAt(data, ['tool', 'poetry', 'group']) ?? {})) {
    poetryTables.push([['tool', 'poetry', 'group', group, 'dependencies'], 'dev']);
  }
  for (const [path, group] of poetryTables) {
    for (const [name, value] of Object.entries(tableAt(data, path) ?? {})) {
      if (name.toLowerCase() === 'python') continue;
      declareTableEntry(doc, [...path, name], name, value, group, 'poetry', reading);
    }
  }

  reading.declaresPackage = typeof valueAt(data, ['project', 'name']) === 'string' || typeof valueAt(data, ['tool', 'poetry', 'name']) === 'string';
  for (const path of [['project', 'classifiers'], ['tool', 'poetry', 'classifiers']]) {
    const list = valueAt(data, path);
    if (!Array.isArray(list)) continue;
    list.forEach((value, i) => {
      if (typeof value === 'string' && value.startsWith(FREE_THREADING_CLASSIFIER)) reading.classifiers.push({ line: stringSpan(doc, [...path, i]).line, value });
    });
  }
  cibuildwheel(rel, doc, reading);
  return reading;
}

/** `[tool.cibuildwheel]` (and its per-platform tables): `skip` patterns or a `build` selection that leave out free-threaded wheels. */
function cibuildwheel(rel: string, doc: TomlDoc, reading: PackagingReading): void {
  const base: TomlPath = ['tool', 'cibuildwheel'];
  const tables: TomlPath[] = [base, ...['linux', 'macos', 'windows', 'ios', 'android', 'pyodide'].map((p) => [...base, p])];
  for (const table of tables) {
    const settings = tableAt(doc.data, table);
    if (!settings) continue;
    const skip = settings.skip;
    const skipList = Array.isArray(skip) ? skip : [skip];
    skipList.forEach((item, i) => {
      const at = Array.isArray(skip) ? [...table, 'skip', i] : [...table, 'skip'];
      for (const pattern of selectorPatterns(item)) {
        const builds = skippedFreeThreaded(pattern);
        if (builds.length === 0) continue;
        reading.problems.push(b09(rel, stringSpan(doc, at), 'skip', pattern, builds));
      }
    });
    if (settings.build !== undefined) {
      const patterns = selectorPatterns(settings.build);
      const builds = buildLeavesOutFreeThreaded(patterns);
      if (builds.length > 0) reading.problems.push(b09(rel, keySpan(doc, [...table, 'build']), 'build', patterns.join(' '), builds));
    }
  }
}

/** A B09 problem: cibuildwheel leaves out free-threaded wheels. */
export function b09(file: string, span: ReadinessProblem['span'], key: string, pattern: string, builds: string[]): ReadinessProblem {
  return { check: 'B09', file, span, subject: `cibuildwheel.${key}`, values: { key, pattern, builds: builds.join(', ') } };
}
