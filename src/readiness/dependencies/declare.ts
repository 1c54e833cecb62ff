/**
 * Turns a requirement found in a structured manifest (a PEP 508 string in a TOML array, a Poetry
 * or Pipfile table entry) into a Declared dependency with the place of its name.
 *
 * Stage: readiness.
 */
import type { Dependency } from '../types.js';
import { atLine, type Declared, type ManifestReading } from './declared.js';
import { parseRequirement } from './pep508.js';
import { normaliseName } from './text.js';
import { keySpan, stringSpan, type TomlDoc } from './toml.js';
import type { TomlPath } from './toml-places.js';
import type { Dialect } from './versions.js';

/** A PEP 508 string at `path`; a string that is not one becomes an error of `reading`. */
export function declarePep508(doc: TomlDoc, path: TomlPath, value: unknown, group: Dependency['group'], reading: ManifestReading): void {
  if (typeof value !== 'string') return; // `{include-group = …}` and other tables
  const parsed = parseRequirement(value);
  const span = stringSpan(doc, path);
  if ('error' in parsed) {
    reading.errors.push(atLine(span.line, `\`${value}\` is not a requirement (${parsed.error}); fix the string`));
    return;
  }
  reading.declared.push({
    name: normaliseName(parsed.name),
    requirement: value.trim(),
    span: stringSpan(doc, path, parsed.nameStart, parsed.nameEnd),
    group,
    specifier: parsed.specifier,
    dialect: 'pep440',
    marker: parsed.marker,
    direct: parsed.url !== undefined,
  });
}

/** Each PEP 508 string of an array at `path`. */
export function declareArray(doc: TomlDoc, path: TomlPath, value: unknown, group: Dependency['group'], reading: ManifestReading): void {
  if (!Array.isArray(value)) return;
  value.forEach((item, i) => declarePep508(doc, [...path, i], item, group, reading));
}

/**
 * A `name = "spec"` / `name = { version = "spec", … }` table entry (Poetry, Pipfile). Entries
 * installed from git, a path or a URL have no version to judge; Poetry's list of constraints
 * (`[{version = …, python = …}, …]`) counts as one entry with the loosest of them.
 */
export function declareTableEntry(
  doc: TomlDoc, path: TomlPath, key: string, value: unknown, group: Dependency['group'], dialect: Dialect, reading: ManifestReading,
): void {
  const entries = Array.isArray(value) ? value : [value];
  const specs: string[] = [];
  let direct = false;
  let optional = false;
  const markers: string[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') specs.push(entry.trim());
    else if (entry && typeof entry === 'object') {
      const table = entry as Record<string, unknown>;
      if (typeof table.version === 'string') specs.push(table.version.trim());
      else if (['git', 'path', 'url', 'file'].some((k) => k in table)) direct = true;
      else specs.push('*');
      if (table.optional === true) optional = true;
      const marker = [typeof table.markers === 'string' ? table.markers : '', typeof table.python === 'string' ? pythonMarker(table.python) : '']
        .filter(Boolean).join(' and ');
      markers.push(marker);
    }
  }
  const specifier = specs.length === 0 || specs.includes('*') || specs.includes('') ? '' : specs.join(' || ');
  const shown = direct ? `${key} (from a URL, path or VCS)` : specifier ? `${key} = "${specs.join('" || "')}"` : `${key} = "*"`;
  reading.declared.push({
    name: normaliseName(key),
    requirement: shown,
    span: keySpan(doc, path),
    group: optional && group === 'runtime' ? 'optional' : group,
    specifier: dialect === 'pep440' && specs.length > 1 ? '' : specifier,
    dialect,
    // A marker counts only when every alternative has one.
    marker: markers.length === entries.length && markers.every(Boolean) ? markers.join(' or ') : undefined,
    direct,
  } satisfies Declared);
}

/** Poetry's `python = "<3.13"` on a dependency, as an environment marker. */
function pythonMarker(constraint: string): string {
  const m = /^\s*(<=?)\s*([0-9]+\.[0-9]+(?:\.[0-9]+)?)\s*$/.exec(constraint);
  return m ? `python_version ${m[1]} "${m[2]}"` : '';
}
