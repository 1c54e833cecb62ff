/**
 * Reads Pipfile (`[packages]`, `[dev-packages]` and other categories) and the lock files:
 * Pipfile.lock (JSON), poetry.lock and uv.lock (`[[package]]` name and version), and PEP 751
 * pylock.toml (`[[packages]]`). A lock's packages are the resolved set, direct and transitive;
 * the project's own packages (editable, virtual or directory sources) are left out.
 *
 * Stage: readiness.
 */
import type { Declared, ManifestReading } from './declared.js';
import { declareTableEntry } from './declare.js';
import { jsonKeyPlaces } from './json-places.js';
import { pathKey } from './toml-places.js';
import { normaliseName } from './text.js';
import { readToml, stringSpan, tableAt, type TomlDoc } from './toml.js';

/** Pipfile: each category's `name = "spec"` / `name = { version = … }` entries. */
export function readPipfile(text: string): ManifestReading {
  const reading: ManifestReading = { declared: [], errors: [] };
  const doc = readToml(text);
  if ('error' in doc) {
    reading.errors.push(doc.error);
    return reading;
  }
  for (const [category, table] of Object.entries(doc.data)) {
    if (['source', 'requires', 'scripts', 'pipenv'].includes(category)) continue;
    if (!table || typeof table !== 'object' || Array.isArray(table)) continue;
    const group = category === 'packages' ? 'runtime' : 'dev';
    for (const [name, value] of Object.entries(table as Record<string, unknown>)) {
      declareTableEntry(doc, [category, name], name, value, group, 'pep440', reading);
    }
  }
  return reading;
}

/** poetry.lock, uv.lock (`[[package]]`) or pylock.toml (`[[packages]]`). */
export function readTomlLock(text: string, kind: 'poetry-lock' | 'uv-lock' | 'pylock'): ManifestReading {
  const reading: ManifestReading = { declared: [], errors: [] };
  const doc = readToml(text);
  if ('error' in doc) {
    reading.errors.push(doc.error);
    return reading;
  }
  const key = kind === 'pylock' ? 'packages' : 'package';
  const list = doc.data[key];
  if (list === undefined) return reading;
  if (!Array.isArray(list)) {
    reading.errors.push(`\`${key}\` is not an array of tables; regenerate the lock file`);
    return reading;
  }
  list.forEach((pkg, i) => {
    if (!pkg || typeof pkg !== 'object') return;
    const table = pkg as Record<string, unknown>;
    if (typeof table.name !== 'string') return;
    if (isProjectItself(doc, [key, i], kind)) return;
    const version = typeof table.version === 'string' ? table.version : '';
    reading.declared.push(locked(table.name, version, stringSpan(doc, [key, i, 'name'], 0, table.name.length)));
  });
  return reading;
}

/** The project or a workspace member: uv's editable / virtual / directory sources, Poetry's directory source, pylock's directory. */
function isProjectItself(doc: TomlDoc, path: (string | number)[], kind: 'poetry-lock' | 'uv-lock' | 'pylock'): boolean {
  const source = tableAt(doc.data, [...path, 'source']);
  if (kind === 'uv-lock') return !!source && ['editable', 'virtual', 'directory'].some((k) => k in source);
  if (kind === 'poetry-lock') return source?.type === 'directory';
  return tableAt(doc.data, [...path, 'directory']) !== undefined;
}

/** Pipfile.lock: each category's resolved `name: { version: "==…" }` entries. */
export function readPipfileLock(text: string): ManifestReading {
  const reading: ManifestReading = { declared: [], errors: [] };
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    reading.errors.push(`not valid JSON: ${(error as Error).message}; regenerate it with \`pipenv lock\``);
    return reading;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    reading.errors.push('not a JSON object; regenerate it with `pipenv lock`');
    return reading;
  }
  const places = jsonKeyPlaces(text);
  for (const [category, table] of Object.entries(data)) {
    if (category === '_meta' || !table || typeof table !== 'object' || Array.isArray(table)) continue;
    for (const [name, entry] of Object.entries(table as Record<string, unknown>)) {
      const info = (entry ?? {}) as Record<string, unknown>;
      if ('path' in info || info.editable === true) continue;
      const version = typeof info.version === 'string' ? info.version.replace(/^==/, '') : '';
      const span = places.get(pathKey([category, name])) ?? { line: 1, column: 1, endLine: 1, endColumn: 1 };
      reading.declared.push(locked(name, version, span));
    }
  }
  return reading;
}

function locked(name: string, version: string, span: Declared['span']): Declared {
  return {
    name: normaliseName(name),
    requirement: version ? `${name}==${version}` : name,
    span,
    group: 'lock',
    specifier: version ? `==${version}` : '',
    dialect: 'pep440',
  };
}
