/**
 * Line scans of configuration that sets up the interpreter or the wheel build: Dockerfiles,
 * compose files, CI workflows, tox.ini, pytest.ini, setup.cfg, pyproject.toml and `.env` files.
 * Finds `PYTHON_GIL=0` and `-X gil=0` (the GIL forced off, checklist B12), warning filters that
 * hide the "GIL has been enabled" RuntimeWarning (B12), the ineffective `PYTHONGIL` spelling
 * (B13), cibuildwheel selectors in CI environment variables (B09), and free-threaded Python
 * versions in CI (B15, a signal).
 *
 * Stage: readiness. Text in comments is ignored; values computed at run time
 * (`${{ matrix.gil }}`) are not judged.
 */
import type { ReadinessProblem } from '../types.js';
import { buildLeavesOutFreeThreaded, selectorPatterns, skippedFreeThreaded } from './cibuildwheel.js';
import { b09 } from './pyproject.js';
import { Lines } from '../lines.js';

/** What a configuration scan finds. */
export interface SettingsScan {
  problems: ReadinessProblem[];
  /** Free-threaded Python versions named in CI configuration (`3.14t`), by line. */
  ciLegs: { line: number; version: string }[];
}

const GIL_OFF_ENV = /\bPYTHON_GIL\b["']?(?:\s*[:=]\s*|\s+)["']?0(?![\w.])/g;
const GIL_OFF_FLAG = /-X\s*(?:["']\s*,\s*["'])?gil\s*=\s*0(?![\w.])/g;
const MISSPELLED = /\bPYTHONGIL\b/g;
/** A warning filter (`ignore:<message>…`) whose message part matches the GIL re-enabled warning. */
const HIDDEN_WARNING = /\bignore:[^\n"']*?(?:global interpreter lock|GIL\)? has been enabled|has not declared that it can run safely)[^\n"'\]]*/gi;
/** A human-readable label (a CI step's `name:`, a `description =`): its words set nothing. */
const LABEL = /^\s*(?:-\s+)?["']?(?:name|description|title|summary|label|help)["']?\s*[:=]/i;
const CIBW = /\b(CIBW_(SKIP|BUILD)(?:_(?:LINUX|MACOS|WINDOWS|IOS|ANDROID|PYODIDE))?)\b["']?\s*([:=])\s*(.*)$/;
const FREE_THREADED_VERSION = /\b(?:3\.(1[3-9]|[2-9][0-9])t|py3(1[3-9]|[2-9][0-9])t)\b/g;

/**
 * Scans `text`. `ci` says whether the file configures CI (workflows, tox), where cibuildwheel
 * variables and free-threaded versions are looked for.
 */
export function scanSettings(rel: string, text: string, ci: boolean): SettingsScan {
  const scan: SettingsScan = { problems: [], ciLegs: [] };
  if (!/PYTHON_?GIL|gil\s*=|ignore:|CIBW_|[0-9]t\b/i.test(text)) return scan;
  const loc = new Lines(text);
  for (let n = 1; n <= loc.count; n++) {
    const line = withoutComment(loc.lineText(n));
    if (!line.trim() || LABEL.test(line)) continue;
    const base = loc.lineStart(n);
    const span = (from: number, to: number) => loc.span(base + from, base + to);
    for (const m of line.matchAll(GIL_OFF_ENV)) {
      scan.problems.push({ check: 'B12', file: rel, span: span(m.index, m.index + m[0].length), subject: 'PYTHON_GIL', values: { setting: m[0] } });
    }
    for (const m of line.matchAll(GIL_OFF_FLAG)) {
      scan.problems.push({ check: 'B12', file: rel, span: span(m.index, m.index + m[0].length), subject: '-X gil', values: { setting: m[0] } });
    }
    for (const m of line.matchAll(MISSPELLED)) {
      scan.problems.push({ check: 'B13', file: rel, span: span(m.index, m.index + m[0].length), subject: 'PYTHONGIL', values: { setting: line.slice(m.index).trim().split(/[\s"',]/)[0] } });
    }
    for (const m of line.matchAll(HIDDEN_WARNING)) {
      const setting = m[0].replace(/[\s,]+$/, '');
      scan.problems.push({ check: 'B12-warning-filter', file: rel, span: span(m.index, m.index + setting.length), subject: 'warning filter', values: { setting } });
    }
    if (!ci) continue;
    for (const m of line.matchAll(FREE_THREADED_VERSION)) scan.ciLegs.push({ line: n, version: m[1] ? `3.${m[1]}t` : `3.${m[2]}t` });
    const cibw = CIBW.exec(line);
    // `CIBW_BUILD=... cibuildwheel --print-build-identifiers` lists builds and makes none, and a
    // step or job that runs only for pull requests does not make the released wheels.
    if (cibw && !PRINT_ONLY.test(line) && !pullRequestOnly(loc, n)) cibuildwheelVariable(rel, loc, n, line, cibw, scan);
  }
  return scan;
}

/** `CIBW_SKIP: "*t-*"`, `CIBW_BUILD=cp31{2,3,4}-*`, or a YAML block scalar continued on the lines below. */
function cibuildwheelVariable(rel: string, loc: Lines, n: number, line: string, m: RegExpExecArray, scan: SettingsScan): void {
  const key = m[2] === 'SKIP' ? 'skip' : 'build';
  let value = m[4].trim();
  const valueAt = line.length - m[4].length + (m[4].length - m[4].trimStart().length);
  const quoted = /^(["'])(.*?)\1/.exec(value);
  if (quoted) value = quoted[2];
  else if (m[3] === '=') value = value.split(/\s/)[0];
  else if (/^[|>][-+]?$/.test(value) || value === '') {
    value = blockBelow(loc, n, indentOf(line)).map((next) => withoutComment(next).trim()).join(' ');
  }
  if (!value || value.includes('${') || value.includes('$(')) return;
  const span = loc.span(loc.lineStart(n) + valueAt, loc.lineStart(n) + line.length);
  const patterns = selectorPatterns(value);
  if (key === 'skip') {
    for (const pattern of patterns) {
      const builds = skippedFreeThreaded(pattern);
      if (builds.length > 0) scan.problems.push(b09(rel, span, 'skip', pattern, builds));
    }
  } else {
    const builds = buildLeavesOutFreeThreaded(patterns);
    if (builds.length > 0) scan.problems.push(b09(rel, span, 'build', patterns.join(' '), builds));
  }
}

const PRINT_ONLY = /\bcibuildwheel\b[^\n]*--print-build-identifiers\b/;
/** A GitHub Actions condition that holds only for pull-request events. */
const PULL_REQUEST_ONLY = /github\.event_name\s*==\s*["']pull_request(?:_target)?["']/;

/**
 * Whether line `n` of a CI workflow lies in a step or job whose `if:` holds only for pull
 * requests (`github.event_name == 'pull_request'`, with no `||`): such a step does not build the
 * wheels that are released.
 */
function pullRequestOnly(loc: Lines, n: number): boolean {
  let indent = indentOf(loc.lineText(n));
  for (let k = n - 1; k >= 1 && indent > 0; k--) {
    const text = withoutComment(loc.lineText(k));
    if (!text.trim() || indentOf(text) >= indent) continue;
    // An enclosing block: a job (`build:`) or a step (`- name: ...`), whose keys sit one level in.
    indent = indentOf(text);
    if (pullRequestCondition(loc, k, indent)) return true;
  }
  return false;
}

/** Whether the block opened at line `k` (indented `indent`) has an `if:` key that holds only for pull requests. */
function pullRequestCondition(loc: Lines, k: number, indent: number): boolean {
  // A step's first key shares the dash's line (`- if: ...`): read it as if the dash were a space.
  const first = withoutComment(loc.lineText(k)).replace(/^(\s*)- /, '$1  ');
  let keyIndent = first.trimStart().startsWith('- ') || indentOf(first) === indent ? undefined : indentOf(first);
  for (let j = keyIndent === undefined ? k + 1 : k; j <= loc.count; j++) {
    const line = j === k ? first : withoutComment(loc.lineText(j));
    if (!line.trim()) continue;
    if (j > k && indentOf(line) <= indent) break;
    keyIndent ??= indentOf(line);
    if (indentOf(line) !== keyIndent || !/^\s*if\s*:/.test(line)) continue;
    let condition = line.replace(/^\s*if\s*:/, '');
    if (/^\s*[|>][-+]?\s*$/.test(condition)) condition = blockBelow(loc, j, keyIndent).join('\n');
    return PULL_REQUEST_ONLY.test(condition) && !condition.includes('||');
  }
  return false;
}

/** A YAML block scalar's lines: those after line `n` up to the first (not blank) indented `indent` or less. */
function blockBelow(loc: Lines, n: number, indent: number): string[] {
  const lines: string[] = [];
  for (let k = n + 1; k <= loc.count; k++) {
    const next = loc.lineText(k);
    if (next.trim() && indentOf(next) <= indent) break;
    lines.push(next);
  }
  return lines;
}

/** How many spaces (or tabs) a line starts with. */
function indentOf(text: string): number {
  return text.length - text.trimStart().length;
}

/** The line up to a `#` comment (at its start or after whitespace), or empty for an INI `;` comment line. */
function withoutComment(line: string): string {
  if (/^\s*;/.test(line)) return '';
  const hash = line.search(/(^|\s)#/);
  return hash === -1 ? line : line.slice(0, hash);
}
