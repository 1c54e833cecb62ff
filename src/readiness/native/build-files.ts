/**
 * Native build files: Cargo.toml (the pyo3 version), CMakeLists.txt (nanobind
 * modules and their `FREE_THREADED` keyword, stable-ABI settings, f2py commands), meson.build
 * (`limited_api:`, f2py commands), setup.py, setup.cfg and pyproject.toml (stable-ABI settings,
 * project-wide Cython directives), and Makefiles whose `cython` commands pass a directive
 * (`cython -X freethreading_compatible=True`), for checklist B02, B05, B06, B07 and B08.
 *
 * Stage: readiness. Careful line and token scans over text whose comments are blanked.
 */
import type { Span } from '../../facts/types.js';
import type { ReadinessProblem } from '../types.js';
import { blankHashComments } from './hash-comments.js';
import { problem } from './problem.js';
import { Lines } from '../lines.js';
import { matchingClose, splitArgs } from './text.js';

/** What the build files of a project say about its native modules. */
export interface BuildFacts {
  /** A project-wide `freethreading_compatible=True` Cython directive (setup.py, meson, CMake, pyproject.toml). */
  cythonDirective?: { file: string; line: number };
  /** `cythonize(...)` calls in setup.py. */
  cythonizeCalls: { file: string; span: Span; what: string }[];
  /** `nanobind_add_module(...)` commands. */
  nanobind: { name: string; file: string; span: Span; declares: boolean }[];
  /** f2py invocations. */
  f2py: { name: string; file: string; span: Span; declares: boolean }[];
  /** The pyo3 requirement of each Cargo.toml that names one with a version (a workspace's too), by the folder holding it. */
  pyo3: { dir: string; version: string }[];
  problems: ReadinessProblem[];
}

export function emptyBuildFacts(): BuildFacts {
  return { cythonizeCalls: [], nanobind: [], f2py: [], pyo3: [], problems: [] };
}

/**
 * Whether the PyO3 that builds a Rust source at `file` declares its modules free-threaded when
 * `gil_used` is left unset: PyO3 0.28 made `gil_used = false` the default of `#[pymodule]` (its
 * macro backend reads an unset option as false from 0.28 on, as true before), so every version the
 * nearest Cargo.toml's requirement allows (`"0.28"`, `">=0.28"`, `"=0.29.1"`) must be 0.28 or later.
 */
export function pyo3DefaultsGilFree(file: string, facts: BuildFacts): boolean {
  let best: { dir: string; version: string } | undefined;
  for (const crate of facts.pyo3) {
    const inside = crate.dir === '' || file.startsWith(`${crate.dir}/`);
    if (inside && (!best || crate.dir.length > best.dir.length)) best = crate;
  }
  const m = best ? /^\s*(?:[\^~=]|>=)?\s*(\d+)\.(\d+)/.exec(best.version) : null;
  return m !== null && (Number(m[1]) > 0 || Number(m[2]) >= 28);
}

const CYTHON_DIRECTIVE = /['"]?freethreading_compatible['"]?\s*\]?\s*[:=]\s*['"]?(?:true|yes|1)\b/i;
const FREE_THREADING_GUARD = /Py_GIL_DISABLED|_is_gil_enabled|GIL_DISABLED/;
const F2PY_FLAG = /(?<!no-)--freethreading-compatible/;

/** Reads one build file into `facts`; returns false when the file is not a build file it knows. */
export function readBuildFile(file: string, text: string, facts: BuildFacts): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1);
  switch (base) {
    case 'Cargo.toml':
      cargo(file, text, facts);
      return true;
    case 'CMakeLists.txt':
      cmake(file, text, facts);
      return true;
    case 'meson.build':
      meson(file, text, facts);
      return true;
    case 'setup.py':
      setupPy(file, text, facts);
      return true;
    case 'setup.cfg':
      setupCfg(file, text, facts);
      return true;
    case 'pyproject.toml':
      pyproject(file, text, facts);
      return true;
    case 'Makefile':
    case 'GNUmakefile':
    case 'makefile':
      makefile(file, text, facts);
      return true;
    default:
      return false;
  }
}

function noteDirective(file: string, code: string, lines: Lines, facts: BuildFacts): void {
  const m = CYTHON_DIRECTIVE.exec(code);
  if (m && !facts.cythonDirective) facts.cythonDirective = { file, line: lines.lineOf(m.index) };
}

/** `[dependencies] pyo3 = "0.22"` (or an inline table, or a `[dependencies.pyo3]` table): its version and features. */
function cargo(file: string, text: string, facts: BuildFacts): void {
  if (!text.includes('pyo3')) return;
  const code = blankHashComments(text, 'toml').code.split('\n');
  const lines = new Lines(text);
  let table = '';
  for (let i = 0; i < code.length; i++) {
    const line = code[i].trim();
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header) {
      table = header[1].replace(/\s+/g, '').replace(/["']/g, '');
      continue;
    }
    const inDeps = /(?:^|\.)(?:dependencies|dev-dependencies)$/.test(table);
    const pyo3Table = /(?:^|\.)dependencies\.pyo3$/.test(table);
    let value: { text: string; first: number; last: number } | undefined;
    if (inDeps) {
      const m = /^pyo3\s*=\s*(.*)$/.exec(line);
      if (m) value = gather(code, i, m[1]);
    } else if (pyo3Table) {
      const m = /^(version|features)\s*=\s*(.*)$/.exec(line);
      if (m) value = gather(code, i, `${m[1]} = ${m[2]}`);
    }
    if (!value) continue;
    const version = /^\s*"([^"]+)"/.exec(value.text)?.[1] ?? /\bversion\s*=\s*"([^"]+)"/.exec(value.text)?.[1];
    if (version && !table.includes('dev-dependencies')) facts.pyo3.push({ dir: file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '', version });
    if (version && pyo3Before023(version)) {
      const n = lineWith(code, value.first, value.last, version);
      facts.problems.push(problem('B06-pyo3-version', file, lines.lineSpan(n), 'pyo3', { crate: 'pyo3', version }));
    }
    // pyo3's `abi3` features force nothing: on a free-threaded interpreter PyO3 (0.23 and later;
    // older ones are reported for their version) ignores them, with a warning, and builds a
    // version-specific module (shared/FREE-THREADING.md §1.4).
    i = value.last;
  }
}

/** A TOML value starting on line `i`, gathered over lines until its brackets close. */
function gather(code: string[], i: number, start: string): { text: string; first: number; last: number } {
  let text = start;
  let last = i;
  const depth = (s: string) => (s.match(/[[{]/g)?.length ?? 0) - (s.match(/[\]}]/g)?.length ?? 0);
  while (depth(text) > 0 && last + 1 < code.length && last - i < 50) text += '\n' + code[++last];
  return { text, first: i, last };
}

function lineWith(code: string[], first: number, last: number, needle: string): number {
  for (let n = first; n <= last; n++) if (code[n].includes(needle)) return n + 1;
  return first + 1;
}

/** A Cargo requirement whose highest allowed version is below 0.23 (`0.22`, `^0.21.2`, `~0.20`, `=0.22.0`). */
function pyo3Before023(requirement: string): boolean {
  const m = /^\s*[\^~=]?\s*0\.(\d+)/.exec(requirement);
  return m !== null && Number(m[1]) < 23 && !/^\s*>/.test(requirement);
}

/**
 * A Makefile: the directive counts on a line that runs Cython (`cython -X
 * freethreading_compatible=True …`, `$(CYTHON) …`), not in a comment or in a quoted message.
 * Every other line is blanked (offsets kept), so that `noteDirective` sees the commands alone.
 */
function makefile(file: string, text: string, facts: BuildFacts): void {
  const { code, masked } = blankHashComments(text, 'toml');
  const maskedLines = masked.split('\n');
  const commands = code.split('\n').map((line, i) => (/\bcython(?:ize)?\b/i.test(maskedLines[i]) ? line : ' '.repeat(line.length))).join('\n');
  noteDirective(file, commands, new Lines(text), facts);
}

/** `nanobind_add_module(name ... FREE_THREADED ...)`, stable-ABI settings, f2py commands, Cython arguments. */
function cmake(file: string, text: string, facts: BuildFacts): void {
  const { code, masked } = blankHashComments(text, 'cmake');
  const lines = new Lines(text);
  noteDirective(file, code, lines, facts);
  for (const m of masked.matchAll(/\bnanobind_add_module\s*\(/gi)) {
    const open = m.index + m[0].length - 1;
    const close = matchingClose(masked, open);
    if (close < 0) continue;
    const args = code.slice(open + 1, close).trim().split(/\s+/);
    const name = args[0] ?? '';
    facts.nanobind.push({ name, file, span: lines.span(m.index, open), declares: args.includes('FREE_THREADED') });
  }
  if (!FREE_THREADING_GUARD.test(code)) {
    for (const m of masked.matchAll(/\b(?:Python3?_add_library|python_add_library)\s*\(/gi)) {
      const open = m.index + m[0].length - 1;
      const close = matchingClose(masked, open);
      if (close < 0) continue;
      const sabi = /\bUSE_SABI\b/.exec(masked.slice(open, close));
      if (sabi) {
        const at = open + sabi.index;
        facts.problems.push(problem('B08', file, lines.span(at, at + sabi[0].length), 'USE_SABI', { setting: '`USE_SABI`' }));
      }
    }
    limitedApiMacro(file, code, lines, facts);
  }
  f2pyCommands(file, code, lines, facts);
}

/** `Py_LIMITED_API` defined by a build file (`-DPy_LIMITED_API=…`, a compile definition, `define_macros`). */
function limitedApiMacro(file: string, code: string, lines: Lines, facts: BuildFacts): void {
  for (const m of code.matchAll(/\bPy_LIMITED_API\b/g)) {
    facts.problems.push(problem('B08', file, lines.span(m.index, m.index + m[0].length), 'Py_LIMITED_API', { setting: '`Py_LIMITED_API`' }));
  }
}

/**
 * f2py invocations (`-m numpy.f2py`) in a build file; each is covered when the file passes
 * `--freethreading-compatible` anywhere (build files usually keep f2py's flags in one variable).
 */
function f2pyCommands(file: string, code: string, lines: Lines, facts: BuildFacts): void {
  if (!code.includes('numpy.f2py')) return;
  const declares = F2PY_FLAG.test(code);
  const seen = new Set<number>();
  // Run as a module (`-m numpy.f2py`, in a list or a command line); imports and `-c` snippets are not invocations.
  for (const m of code.matchAll(/(?<![\w-])-m['"]?\s*,?\s*['"]?(numpy\.f2py)\b/g)) {
    const n = lines.lineOf(m.index);
    if (seen.has(n)) continue;
    seen.add(n);
    // The module is named after `-m` in the same command, when it is written there.
    const after = m.index + m[0].length;
    const around = code.slice(after, Math.min(code.length, after + 400));
    const name = /-m['"]?\s*[, ]\s*['"]?([A-Za-z_]\w*)\b/.exec(around)?.[1] ?? 'f2py';
    const at = m.index + m[0].length - m[1].length;
    facts.f2py.push({ name, file, span: lines.span(at, at + m[1].length), declares });
  }
}

/** `limited_api: '3.9'` in meson.build, f2py commands, `-X freethreading_compatible=true`. */
function meson(file: string, text: string, facts: BuildFacts): void {
  const { code, masked } = blankHashComments(text, 'meson');
  const lines = new Lines(text);
  noteDirective(file, code, lines, facts);
  if (!FREE_THREADING_GUARD.test(code)) {
    for (const m of masked.matchAll(/\blimited_api\s*:\s*'/g)) {
      const value = /^'([^']*)'/.exec(code.slice(m.index + m[0].length - 1))?.[1] ?? '';
      facts.problems.push(problem('B08', file, lines.span(m.index, m.index + m[0].length + value.length + 1), 'limited_api', { setting: `\`limited_api: '${value}'\`` }));
    }
  }
  f2pyCommands(file, code, lines, facts);
}

/** setup.py: `cythonize(...)` calls and directives, `py_limited_api=True`, `Py_LIMITED_API` macros, f2py commands. */
function setupPy(file: string, text: string, facts: BuildFacts): void {
  const { code, masked } = blankHashComments(text, 'python');
  const lines = new Lines(text);
  noteDirective(file, code, lines, facts);
  for (const m of masked.matchAll(/\bcythonize\s*\(/g)) {
    const open = m.index + m[0].length - 1;
    const close = matchingClose(masked, open);
    const first = close < 0 ? undefined : splitArgs(masked, open, close)[0];
    const what = first ? code.slice(first.start, first.end).trim().replace(/\s+/g, ' ') : '';
    facts.cythonizeCalls.push({ file, span: lines.span(m.index, open), what: what.length > 60 ? `${what.slice(0, 57)}...` : what });
  }
  if (!FREE_THREADING_GUARD.test(code)) {
    for (const m of masked.matchAll(/\bpy_limited_api\s*=\s*True\b/g)) {
      facts.problems.push(problem('B08', file, lines.span(m.index, m.index + m[0].length), 'py_limited_api', { setting: '`py_limited_api=True`' }));
    }
    for (const m of code.matchAll(/['"]py_limited_api['"]\s*:\s*['"](cp3\d+)['"]/g)) {
      facts.problems.push(problem('B08', file, lines.span(m.index, m.index + m[0].length), 'py_limited_api', { setting: `\`py_limited_api: ${m[1]}\`` }));
    }
    for (const m of code.matchAll(/['"]Py_LIMITED_API['"]/g)) {
      facts.problems.push(problem('B08', file, lines.span(m.index, m.index + m[0].length), 'Py_LIMITED_API', { setting: '`Py_LIMITED_API`' }));
    }
  }
  f2pyCommands(file, code, lines, facts);
}

/** setup.cfg: `[bdist_wheel] py_limited_api = cp38`. */
function setupCfg(file: string, text: string, facts: BuildFacts): void {
  const lines = new Lines(text);
  let section = '';
  for (let n = 1; n <= lines.count; n++) {
    const line = lines.lineText(n);
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) {
      section = header[1].trim();
      continue;
    }
    const m = /^\s*py[_-]limited[_-]api\s*=\s*(cp3\d+)\b/.exec(line);
    if (m && section === 'bdist_wheel') facts.problems.push(problem('B08', file, lines.lineSpan(n), 'py_limited_api', { setting: `\`py_limited_api = ${m[1]}\`` }));
  }
}

/** pyproject.toml: project-wide Cython directives, meson-python `limited-api = true`. */
function pyproject(file: string, text: string, facts: BuildFacts): void {
  const { code } = blankHashComments(text, 'toml');
  const lines = new Lines(text);
  noteDirective(file, code, lines, facts);
  const rows = code.split('\n');
  let table = '';
  for (let i = 0; i < rows.length; i++) {
    const line = rows[i].trim();
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header) {
      table = header[1].replace(/\s+/g, '');
      continue;
    }
    // maturin's `features = ["pyo3/abi3-py39"]` forces nothing either (see cargo).
    if (table === 'tool.meson-python' && /^limited-api\s*=\s*true\b/.test(line)) {
      facts.problems.push(problem('B08', file, lines.lineSpan(i + 1), 'limited-api', { setting: '`limited-api = true`' }));
    }
  }
}
