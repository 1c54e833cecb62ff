/**
 * A TOML manifest read twice: values through smol-toml (which also says what is wrong with a
 * broken file), places through toml-places, joined by path.
 *
 * Stage: readiness.
 */
import { parse, TomlError } from 'smol-toml';
import type { Span } from '../../facts/types.js';
import { pathKey, tomlPlaces, type TomlPath, type TomlPlaces } from './toml-places.js';

/** A parsed TOML document and the places of its keys and strings. */
export interface TomlDoc {
  data: Record<string, unknown>;
  places: TomlPlaces;
}

/** The document, or what is wrong with it (`line 3: …`). */
export function readToml(text: string): TomlDoc | { error: string } {
  let data: Record<string, unknown>;
  try {
    data = parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const first = error.message.split('\n')[0].replace(/^Invalid TOML document:\s*/i, '');
      return { error: `line ${error.line}: not valid TOML: ${first}; fix the syntax` };
    }
    return { error: `not valid TOML: ${(error as Error).message}` };
  }
  return { data, places: tomlPlaces(text) };
}

/** The value at a path, or undefined. */
export function valueAt(data: unknown, path: TomlPath): unknown {
  let here = data;
  for (const step of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string | number, unknown>)[step];
  }
  return here;
}

/** A table (plain object) at a path, or undefined. */
export function tableAt(data: unknown, path: TomlPath): Record<string, unknown> | undefined {
  const v = valueAt(data, path);
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) ? (v as Record<string, unknown>) : undefined;
}

/**
 * The place of characters [start, end) of the string value at `path` (the whole string when they
 * cannot be told apart from escapes), else of its key, else of the nearest table header.
 */
export function stringSpan(doc: TomlDoc, path: TomlPath, start?: number, end?: number): Span {
  const place = doc.places.strings.get(pathKey(path));
  if (place) {
    if (place.verbatim && start !== undefined && end !== undefined) {
      const { line, column } = place.content;
      return { line, column: column + start, endLine: line, endColumn: column + end };
    }
    return place.span;
  }
  return keySpan(doc, path);
}

/** The place of the key naming the value at `path`, else of the nearest enclosing place known. */
export function keySpan(doc: TomlDoc, path: TomlPath): Span {
  for (let n = path.length; n > 0; n--) {
    const prefix = path.slice(0, n);
    const key = doc.places.keys.get(pathKey(prefix)) ?? doc.places.tables.get(pathKey(prefix));
    if (key) return key;
  }
  return { line: 1, column: 1, endLine: 1, endColumn: 1 };
}
