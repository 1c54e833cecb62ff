/**
 * The package's own data files (rules, catalogue, work model, package status), read through a
 * bundle made at build time (`npm run build` runs scripts/shipped-data.ts).
 *
 * Stage: config. The bundle holds each shipped file's parsed and validated data, keyed by a digest
 * of the file's text and of its schema's. While a file's text is the one the bundle was made from,
 * its data comes from the bundle: a JSON parse, with no YAML parser and no schema compiled, which
 * is most of a small run's start-up. A file changed since (a rule being written, a mutation run)
 * or outside the package is parsed and validated as it always was.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { compileSchema, packagePath } from './schema.js';

/** Data by package-relative path, with its schema and the digest it was made from. */
export type ShippedBundle = Record<string, { schema: string; digest: string; data: unknown }>;

/** Where the build writes the bundle (shipped with the compiled code). */
export const BUNDLE_PATH = packagePath('dist', 'src', 'shipped-data.json');

let bundle: ShippedBundle | undefined;
/** Set while the build script records the bundle. */
let recording: ShippedBundle | undefined;
const schemaTexts = new Map<string, string>();

/** The digest of a data file's text under the schema `src/schema/<schema>`. */
export function dataDigest(text: string, schema: string): string {
  let schemaText = schemaTexts.get(schema);
  if (schemaText === undefined) {
    schemaText = readFileSync(packagePath('src', 'schema', schema), 'utf8');
    schemaTexts.set(schema, schemaText);
  }
  return createHash('sha256').update(schemaText).update('\0').update(text).digest('hex');
}

/**
 * The validated data of the data file `file` whose text is `text`: from the bundle when it holds
 * this very text, else `parse(text)` checked against `src/schema/<schema>` (a ConfigError naming
 * `label` when it breaks it).
 */
export function validatedData(file: string, text: string, schema: string, label: string, parse: (text: string) => unknown): unknown {
  const key = bundleKey(file);
  if (key !== undefined && recording === undefined) {
    bundle ??= readBundle();
    const hit = bundle[key];
    if (hit !== undefined && hit.digest === dataDigest(text, schema)) return hit.data;
  }
  const data = parse(text);
  compileSchema(schema)(data, label);
  // A copy, before any loader can change what it was given.
  if (key !== undefined && recording !== undefined) recording[key] = { schema, digest: dataDigest(text, schema), data: JSON.parse(JSON.stringify(data)) as unknown };
  return data;
}

/** Runs `load` (which loads every shipped data file) and returns the bundle of what it read. */
export function recordShippedData(load: () => void): ShippedBundle {
  recording = {};
  try {
    load();
    return recording;
  } finally {
    recording = undefined;
  }
}

/** The bundle the build wrote; none (every file parsed) when it is missing or unreadable. */
function readBundle(): ShippedBundle {
  try {
    const parsed = JSON.parse(readFileSync(BUNDLE_PATH, 'utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as ShippedBundle) : {};
  } catch {
    return {};
  }
}

/** `file` relative to the package root, with `/`; undefined outside the package. */
function bundleKey(file: string): string | undefined {
  const rel = relative(packagePath(), file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}
