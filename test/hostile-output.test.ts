/**
 * End-to-end tests of the built command on hostile and broken input (gil-audit runs in CI on pull
 * requests from strangers): file names and source lines that carry terminal escapes or markup,
 * output that cannot be written, broken baselines, ignore patterns and configuration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { REPO } from './helpers/fixtures.js';
import type { AuditRun } from '../src/model/types.js';
import { render } from '../src/report/index.js';
import { tempDir } from './helpers/temp.js';

const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');
const SAMPLE = join(REPO, 'fixtures', 'sample');
const ESC = '\x1b';

function cli(args: string[], cwd = REPO) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GIL_AUDIT_NO_CACHE: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A file name with an escape sequence and a right-to-left override in it. */
const ESC_NAME = `esc${ESC}[31m\u202ered.py`;
/** A file name that git allows: a line break, then an HTML tag that runs a script. */
const HTML_NAME = 'x\n<img src=x onerror=alert(1)>.py';
/** A file name with an OSC sequence (set the window title), in a file that does not parse. */
const BROKEN_NAME = `broken${ESC}]0;t\x07.py`;

/** A project whose file names and flagged lines try to drive a terminal or a browser. */
function hostileTree(): string {
  const dir = tempDir('hostile');
  // Retitle the window, clear the screen, reverse the text, and an 8-bit CSI.
  writeFileSync(join(dir, ESC_NAME), `import time\n\nasync def f():\n    x = "${ESC}]0;pwned\x07${ESC}[2J\u202e\u009b"; time.sleep(1)\n`);
  writeFileSync(join(dir, HTML_NAME), 'import time\n\nasync def g():\n    s = "</code><script>alert(1)</script>"; time.sleep(1)\n');
  writeFileSync(join(dir, BROKEN_NAME), 'def (:\n');
  return dir;
}

/** Control and bidirectional characters in `text` other than line breaks and tabs, escaped for a message. */
function controls(text: string): string[] {
  const found = text.match(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g) ?? [];
  return [...new Set(found)].map((c) => `U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The hostile project, made once; its output in each format, made once (`-j 2`). */
let hostile: string | undefined;
const outputs = new Map<string, ReturnType<typeof cli>>();
function hostileOutput(format: string) {
  hostile ??= hostileTree();
  let r = outputs.get(format);
  if (r === undefined) outputs.set(format, (r = cli([hostile, '--no-color', '-f', format, '-j', '2'])));
  return r;
}

test('hostile names: no control or bidi character reaches text, github, markdown or html output raw', () => {
  for (const format of ['text', 'github', 'markdown', 'html']) {
    const r = hostileOutput(format);
    assert.equal(r.code, 1, `${format}: ${r.stderr}`);
    assert.deepEqual(controls(r.stdout), [], `${format} output`);
    assert.deepEqual(controls(r.stderr), [], `${format} stderr`);
    // Still there, and readable.
    if (format !== 'github') assert.ok(r.stdout.includes('\\x1b]0;pwned\\x07\\x1b[2J\\u202e\\x9b'), `${format}: the flagged line, escaped`);
  }
  const text = hostileOutput('text').stdout;
  assert.match(text, /^esc\\x1b\[31m\\u202ered\.py:4:\d+: GA101 /m);
  assert.match(text, /^x\\n<img src=x onerror=alert\(1\)>\.py:4:\d+: GA101 /m, 'a line break in a file name does not start a new line');
  assert.match(text, /broken\\x1b\]0;t\\x07\.py:/);
});

test('hostile names: JSON and SARIF escape them and keep the names exact', () => {
  const json = hostileOutput('json');
  assert.deepEqual(controls(json.stdout), []);
  const report = JSON.parse(json.stdout) as AuditRun;
  assert.deepEqual(report.findings.map((f) => f.file).sort(), [ESC_NAME, HTML_NAME].sort());
  assert.deepEqual(report.errors.map((e) => e.file), [BROKEN_NAME]);
  const sarif = hostileOutput('sarif');
  assert.deepEqual(controls(sarif.stdout), []);
  assert.deepEqual(controls(sarif.stderr), []);
  assert.ok(sarif.stdout.includes('\\u202e'), 'the override is written as an escape');
});

test('hostile names: markup in a file name or source line stays text in markdown and html', () => {
  const md = hostileOutput('markdown').stdout;
  assert.ok(!md.includes('<img'), 'no raw <img in the markdown');
  const outsideFences = md.replace(/^(`{3,})python\n[\s\S]*?\n\1$/gm, '');
  assert.ok(!outsideFences.includes('<script'), 'the flagged line holds the only <script, in its fenced block');
  assert.ok(md.includes('&#60;img src&#61;x onerror&#61;alert&#40;1&#41;&#62;'), 'the name is shown, as character references');
  const html = hostileOutput('html').stdout;
  assert.ok(!html.includes('<img'), 'no <img element');
  assert.ok(!/<script/i.test(html), 'no <script element');
  const tags = html.match(/<[A-Za-z][^>]*>/g) ?? [];
  assert.deepEqual(tags.filter((t) => /\son\w+\s*=|javascript:/i.test(t)), [], 'no tag with an event handler');
  assert.ok(html.includes('&lt;/code&gt;&lt;script&gt;alert(1)&lt;/script&gt;'), 'the flagged line is shown as text');
});

/** Audited text that tries everything at once: terminal escapes, a tag, links, a code span, a heading. */
const PAYLOAD = `x${ESC}]0;t\x07\u202e <img src=x onerror=alert(1)> [l](javascript:alert(1)) ![i](javascript:x) \`<script>alert(1)</script>\` |\n# h`;

/** A run whose every audited string is `PAYLOAD` (reporters in-process: no file system can hold all of these). */
function payloadRun(): AuditRun {
  const P = PAYLOAD;
  return {
    tool: { name: 'gil-audit', version: '0.0.0-test' },
    roots: [P],
    summary: { files: 1, lines: 1, functions: 1, asyncFunctions: 1, findings: 2, bySeverity: { error: 1, warning: 0, note: 1 }, byRule: { GA101: 1, GA201: 1 }, errors: 1 },
    rules: {},
    findings: [
      { rule: 'GA101', name: 'blocking-sleep-in-async-function', severity: 'error', confidence: 'high', file: P, line: 1, column: 1, endLine: 1, endColumn: 3, message: P, recommendation: P, equivalents: [], chain: [{ function: P, file: P, line: 1 }, { function: P, file: '', line: 0 }], function: P, fingerprint: '0', snippet: P },
      { rule: 'GA201', name: 'cpu-bound-call-in-thread', severity: 'note', confidence: 'low', file: P, line: 2, column: 1, endLine: 2, endColumn: 2, message: P, recommendation: P, equivalents: [], chain: [{ function: P, file: P, line: 1 }, { function: P, file: P, line: 2 }, { function: P, file: '', line: 0 }], function: P, fingerprint: '1', snippet: '' },
    ],
    errors: [{ file: P, message: P }],
    functions: [
      { qualname: P, file: P, line: 1, isAsync: false, classification: 'cpu-gil', confidence: 'high', evidence: [{ kind: 'cpu-gil', reason: P, file: P, line: 1 }], entryPoints: [{ kind: 'thread', file: P, line: 1, via: P }], hotness: 50, remedy: P },
      { qualname: P, file: P, line: 1, isAsync: false, classification: 'io', confidence: 'high', evidence: [], entryPoints: [{ kind: 'thread-pool', file: P, line: 1, via: P }], hotness: 10, remedy: P },
    ],
  };
}

test('hostile text in every field: no raw control character, tag, script or script link in any text-like format', () => {
  const run = payloadRun();
  for (const format of ['text', 'github', 'markdown', 'html'] as const) {
    assert.deepEqual(controls(render(format, run)), [], format);
  }
  const md = render('markdown', run).replace(/^(`{3,})python\n[\s\S]*?\n\1$/gm, '');
  assert.ok(!/<img|<script/.test(md), 'markdown outside code fences');
  assert.doesNotMatch(md, /^# h/m, 'no heading injected');
  const html = render('html', run);
  assert.ok(!/<img|<script/i.test(html), 'html');
  assert.deepEqual((html.match(/<[A-Za-z][^>]*>/g) ?? []).filter((t) => /\son\w+\s*=|javascript:/i.test(t)), [], 'html tags');
  assert.ok(html.includes('onerror=alert(1)&gt; l i <code>'), 'a script link and an image are shown as their text');
});

test('hostile names: every format is byte-identical run to run', () => {
  for (const format of ['text', 'json', 'markdown', 'sarif', 'html', 'github']) {
    const a = hostileOutput(format);
    const b = cli([hostile!, '--no-color', '-f', format, '-j', '1']);
    assert.equal(a.stdout, b.stdout, format);
    assert.ok(a.stdout.length > 100, format);
  }
});

/** One line on stderr, no stack trace: what a user sees for an error they can fix. */
function oneLine(stderr: string): void {
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
  assert.doesNotMatch(stderr, /internal error|^\s+at /m, stderr);
}

test('output errors: a full disk under standard output is exit 2 with one line, not a crash', { skip: !existsSync('/dev/full') && 'no /dev/full' }, () => {
  const full = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(process.execPath, [CLI, SAMPLE, '-q'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', full, 'pipe'], env: { ...process.env, GIL_AUDIT_NO_CACHE: '1' } });
    assert.equal(r.status, 2, r.stderr);
    oneLine(r.stderr);
    assert.match(r.stderr, /cannot write the report to standard output: ENOSPC \(no space left on device\); free some disk space/);
  } finally {
    closeSync(full);
  }
});

test('output errors: --write-baseline into a folder or a missing folder is exit 2 naming the file, as -o is', () => {
  const dir = tempDir('write');
  const intoDir = cli([SAMPLE, '-q', '--write-baseline', dir]);
  assert.equal(intoDir.code, 2, intoDir.stderr);
  oneLine(intoDir.stderr);
  assert.ok(intoDir.stderr.includes(`cannot write the baseline to '${dir}': EISDIR (is a directory); give a file name, not a folder`), intoDir.stderr);
  const missing = join(dir, 'no', 'baseline.json');
  const noParent = cli([SAMPLE, '-q', '--write-baseline', missing]);
  assert.equal(noParent.code, 2, noParent.stderr);
  oneLine(noParent.stderr);
  assert.ok(noParent.stderr.includes(`cannot write the baseline to '${missing}': ENOENT (no such file or directory); create its folder first`), noParent.stderr);
  const report = cli([SAMPLE, '-q', '-o', missing]);
  assert.equal(report.code, 2);
  assert.ok(report.stderr.includes(`cannot write the report to '${missing}': ENOENT`), report.stderr);
  mkdirSync(join(dir, 'no'));
  assert.equal(cli([SAMPLE, '-q', '--write-baseline', missing]).code, 0);
  assert.match(readFileSync(missing, 'utf8'), /^\{\n  "version": 1,/);
});

test('baseline: a broken baseline is exit 2 naming the file and the fix; a BOM is fine', () => {
  const dir = tempDir('baseline');
  const file = join(dir, 'b.json');
  const cases: [string, RegExp][] = [
    ['null\n', /not a gil-audit baseline .*\(top level\): must be object/],
    ['[]', /not a gil-audit baseline .*must be object/],
    ['', /not a gil-audit baseline: not valid JSON/],
    ['{"version": 2, "fingerprints": []}', /baseline version 2 is not one this gil-audit reads \(version 1\)/],
    ['{"version": 1, "fingerprints": [1]}', /fingerprints\[0\]: must be string/],
    ['{"version": 1}', /must have required property 'fingerprints'/],
  ];
  for (const [text, reason] of cases) {
    writeFileSync(file, text);
    const r = cli([SAMPLE, '-q', '--baseline', file]);
    assert.equal(r.code, 2, `${JSON.stringify(text)}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /internal error|^\s+at /m, r.stderr);
    assert.ok(r.stderr.includes(`${file}: `), r.stderr);
    assert.match(r.stderr, reason);
    assert.ok(r.stderr.trimEnd().endsWith(`regenerate it with --write-baseline ${file}`), r.stderr);
  }
  assert.equal(cli([SAMPLE, '-q', '--write-baseline', file]).code, 0);
  writeFileSync(file, `\ufeff${readFileSync(file, 'utf8')}`);
  const r = cli([SAMPLE, '-q', '--baseline', file, '-f', 'json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((JSON.parse(r.stdout) as AuditRun).findings, []);
});

test('ignore patterns: a 32 KB line in a .gitignore, --exclude or the configuration is a warning, and the run goes on', () => {
  const dir = tempDir('patterns');
  mkdirSync(join(dir, 'sub'));
  const blocking = 'import time\n\nasync def f():\n    time.sleep(1)\n';
  for (const name of ['a.py', 'b.py', 'c.py', 'sub/kept.py', 'sub/skipped.py']) writeFileSync(join(dir, name), blocking);
  const huge = (c: string) => c.repeat(32 * 1024);
  // The good rule before the huge one still applies.
  writeFileSync(join(dir, 'sub', '.gitignore'), `skipped.py\n${huge('a')}\n`);
  writeFileSync(join(dir, 'gil-audit.yaml'), `exclude:\n  - "${huge('c')}"\n  - c.py\n`);
  const r = cli([dir, '-f', 'json', '--exclude', huge('b'), '--exclude', 'b.py']);
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error|SyntaxError|^\s+at /m, r.stderr);
  const report = JSON.parse(r.stdout) as AuditRun;
  assert.deepEqual(report.findings.map((f) => f.file), ['a.py', 'sub/kept.py']);
  const gitignore = report.errors.find((e) => e.file === 'sub/.gitignore');
  assert.match(gitignore?.message ?? '', /^line 2: pattern 'a{40}…' \(32768 characters\) cannot be used \(Regular expression too large\); it was not applied/);
  // The configuration file is named by its path (absolute here: it is outside the working directory).
  assert.ok(r.stderr.includes(`gil-audit: warning: ${join(dir, 'gil-audit.yaml')}: exclude[0]: pattern '${'c'.repeat(40)}…' (32768 characters) cannot be used`), r.stderr);
  assert.match(r.stderr, /^gil-audit: warning: --exclude: pattern 'b{40}…' \(32768 characters\) cannot be used/m);
});

test('configuration: an unknown rule id names the file and the key', () => {
  const dir = tempDir('rules');
  writeFileSync(join(dir, 'a.py'), 'import time\n\nasync def f():\n    time.sleep(1)\n');
  writeFileSync(join(dir, 'pyproject.toml'), '[tool.gil-audit]\nselect = ["GA1", "GA888"]\n');
  const toml = cli([dir, '-q']);
  assert.equal(toml.code, 2);
  oneLine(toml.stderr);
  assert.match(toml.stderr, /pyproject\.toml \[tool\.gil-audit\]: select\[1\]: 'GA888' matches no rule; run 'gil-audit rules' to list them/);
  writeFileSync(join(dir, 'gil-audit.yaml'), 'ignore: [GA88]\n');
  const yaml = cli([dir, '-q', '--select', 'GA1']);
  assert.equal(yaml.code, 2);
  assert.match(yaml.stderr, /gil-audit\.yaml: ignore\[0\]: 'GA88' matches no rule/);
  const flag = cli([dir, '-q', '--select', 'GA887', '--ignore', 'GA1']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--select: 'GA887' matches no rule/, 'a flag wins, and is named as the flag');
});

test('sarif: a backslash is part of a POSIX file name, and URIs are percent-encoded relative references', { skip: process.platform === 'win32' && 'backslash separates on Windows' }, () => {
  const dir = tempDir('sarif');
  const names = ['back\\slash #1 ?%.py', 'café ü.py', 'C:x.py'];
  for (const name of names) writeFileSync(join(dir, name), 'import time\n\nasync def f():\n    time.sleep(1)\n');
  writeFileSync(join(dir, 'bad [x].py'), 'def (:\n');
  const log = JSON.parse(cli([dir, '-f', 'sarif']).stdout) as Sarif.Log;
  const run = log.runs[0];
  const uris = (run.results ?? []).map((r) => r.locations?.[0].physicalLocation?.artifactLocation?.uri);
  assert.deepEqual(uris.sort(), ['C%3Ax.py', 'back%5Cslash%20%231%20%3F%25.py', 'caf%C3%A9%20%C3%BC.py']);
  const notes = run.invocations?.[0].toolExecutionNotifications ?? [];
  const all = [
    ...uris,
    ...notes.map((n) => n.locations?.[0].physicalLocation?.artifactLocation?.uri),
    ...(run.results ?? []).flatMap((r) => r.codeFlows?.[0].threadFlows[0].locations.map((l) => l.location?.physicalLocation?.artifactLocation?.uri) ?? []),
  ];
  assert.ok(all.includes('bad%20%5Bx%5D.py'), JSON.stringify(all));
  for (const uri of all) {
    // RFC 3986 relative-path reference: pchar and '/' only, no scheme before the first '/'.
    assert.match(uri ?? '', /^(?:[A-Za-z0-9\-._~!$&'()*+,;=@/]|%[0-9A-F]{2})(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*$/, String(uri));
    assert.ok(names.includes(decodeURIComponent(uri!)) || uri === 'bad%20%5Bx%5D.py', String(uri));
  }
});
