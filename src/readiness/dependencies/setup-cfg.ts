/**
 * Reads setup.cfg (INI, as setuptools does): `[options]` install_requires, setup_requires and
 * tests_require, `[options.extras_require]`, and `[metadata]` name and classifiers. A value
 * continues on the indented lines below its key; `file:` values point at other files, which are
 * read on their own when they are requirements files.
 *
 * Stage: readiness.
 */
import type { Dependency } from '../types.js';
import { atLine } from './declared.js';
import { parseRequirement } from './pep508.js';
import { FREE_THREADING_CLASSIFIER, type PackagingReading } from './pyproject.js';
import { Lines } from '../lines.js';
import { normaliseName } from './text.js';

interface IniValue {
  section: string;
  key: string;
  /** The value's lines (the rest of the key's line, then continuation lines), with their offsets. */
  lines: { text: string; offset: number; line: number }[];
}

/** Reads setup.cfg; lines it cannot read are errors naming them. */
export function readSetupCfg(text: string): PackagingReading {
  const reading: PackagingReading = { declared: [], errors: [], problems: [], classifiers: [], declaresPackage: false };
  const values = readIni(text, reading.errors);
  const loc = new Lines(text);
  for (const value of values) {
    const group = groupOf(value.section, value.key);
    if (group) {
      for (const item of value.lines) declareLine(item, group, loc, reading);
    }
    if (value.section === 'metadata' && value.key === 'name') reading.declaresPackage = true;
    if (value.section === 'metadata' && value.key === 'classifiers') {
      for (const item of value.lines) if (item.text.trim().startsWith(FREE_THREADING_CLASSIFIER)) reading.classifiers.push({ line: item.line, value: item.text.trim() });
    }
  }
  return reading;
}

function groupOf(section: string, key: string): Dependency['group'] | null {
  if (section === 'options') {
    if (key === 'install_requires') return 'runtime';
    if (key === 'setup_requires') return 'build';
    if (key === 'tests_require') return 'dev';
  }
  if (section === 'options.extras_require') return 'optional';
  return null;
}

function declareLine(item: IniValue['lines'][number], group: Dependency['group'], loc: Lines, reading: PackagingReading): void {
  // `pkg>=1  # why` ends at ` #`, as setuptools reads it.
  const hash = item.text.search(/\s#/);
  const body = (hash === -1 ? item.text : item.text.slice(0, hash)).replace(/^\s*#.*$/, '');
  const requirement = body.trim();
  if (!requirement || requirement.startsWith('file:')) return;
  const lead = body.length - body.trimStart().length;
  const parsed = parseRequirement(requirement);
  if ('error' in parsed) {
    reading.errors.push(atLine(item.line, `\`${requirement}\` is not a requirement (${parsed.error}); fix the line`));
    return;
  }
  const at = item.offset + lead;
  reading.declared.push({
    name: normaliseName(parsed.name),
    requirement,
    span: loc.span(at + parsed.nameStart, at + parsed.nameEnd),
    group,
    specifier: parsed.specifier,
    dialect: 'pep440',
    marker: parsed.marker,
    direct: parsed.url !== undefined,
  });
}

/** The key/value pairs of an INI file, with the place of every value line. */
function readIni(text: string, errors: string[]): IniValue[] {
  const loc = new Lines(text);
  const out: IniValue[] = [];
  let section = '';
  let current: IniValue | null = null;
  for (let n = 1; n <= loc.count; n++) {
    const raw = loc.lineText(n);
    const offset = loc.lineStart(n);
    if (/^\s*$/.test(raw)) continue;
    if (/^[#;]/.test(raw)) continue;
    if (/^\s/.test(raw)) {
      if (current && !/^\s*[#;]/.test(raw)) current.lines.push({ text: raw, offset, line: n });
      continue;
    }
    const header = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      section = header[1].trim();
      current = null;
      continue;
    }
    const pair = /^([^=:]+?)\s*[=:]\s?(.*)$/.exec(raw);
    if (!pair) {
      errors.push(atLine(n, `\`${raw.trim()}\` is neither a [section] nor a key = value line; fix the line`));
      current = null;
      continue;
    }
    const valueStart = raw.length - pair[2].length;
    current = { section, key: pair[1].trim().toLowerCase().replace(/-/g, '_'), lines: [] };
    if (pair[2].trim()) current.lines.push({ text: pair[2], offset: offset + valueStart, line: n });
    out.push(current);
  }
  return out;
}
