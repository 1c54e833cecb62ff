/**
 * End-to-end tests of the built command's settings and Ruff-style options: where configuration
 * is found (the closest folder up to the repository root), what its paths mean from there, TOML
 * given to --config, per-file-ignores, severity overrides, the option aliases, --statistics,
 * --show-settings, FORCE_COLOR, and SARIF/github paths relative to the repository root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as Sarif from 'sarif';
import { REPO } from './helpers/fixtures.js';
import type { AuditRun } from '../src/model/types.js';
import { tempDir } from './helpers/temp.js';

const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');

/** Runs the CLI with no colour variables unless `env` sets them. */
function cli(args: string[], cwd: string, env: Record<string, string> = { NO_COLOR: '1' }) {
  const base = { ...process.env };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  base.GIL_AUDIT_NO_CACHE = '1';
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...base, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Two blocking sleeps (GA101, error), a path call (GA105, note) and an open (GA104, warning). */
const BLOCKING = 'import os, time\n\nasync def f():\n    time.sleep(1)\n    time.sleep(2)\n    os.path.exists("x")\n    open("f")\n';

/** A temporary folder (real path) holding `files`; a path ending in `/` is a directory. */
function tree(files: Record<string, string>): string {
  const dir = realpathSync(tempDir('conf'));
  for (const [rel, text] of Object.entries(files)) {
    if (rel.endsWith('/')) mkdirSync(join(dir, rel), { recursive: true });
    else {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
  }
  return dir;
}

function findings(stdout: string): string[] {
  return (JSON.parse(stdout) as AuditRun).findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity}`);
}

test('config walk-up: the closest settings file up to the repository root applies', () => {
  const dir = tree({
    // Above the repository: never read (it would be an error).
    'gil-audit.yaml': 'fail-on: sometimes\n',
    'repo/.git/': '',
    'repo/pyproject.toml': '[tool.gil-audit]\nignore = ["GA105"]\nfail-on = "never"\n',
    // A pyproject.toml without [tool.gil-audit] does not stop the walk.
    'repo/services/pyproject.toml': '[project]\nname = "services"\n',
    'repo/services/api/app/a.py': BLOCKING,
  });
  const api = join(dir, 'repo', 'services', 'api');
  const r = cli([api, '-f', 'json'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(findings(r.stdout), ['app/a.py:4 GA101 error', 'app/a.py:5 GA101 error', 'app/a.py:7 GA104 warning']);
  // The same from inside the folder, with no path given.
  assert.deepEqual(findings(cli(['-f', 'json'], api).stdout), findings(r.stdout));
  // A closer file wins, and its errors name it by its path.
  writeFileSync(join(dir, 'repo', 'services', 'gil-audit.yml'), 'select: [GA104]\n');
  assert.deepEqual(findings(cli([api, '-f', 'json'], dir).stdout), ['app/a.py:7 GA104 warning']);
  writeFileSync(join(dir, 'repo', 'services', 'gil-audit.yml'), 'select: [GA999]\n');
  const bad = cli([api], join(dir, 'repo'));
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, "gil-audit: error: services/gil-audit.yml: select[0]: 'GA999' matches no rule; run 'gil-audit rules' to list them\n");
  const outside = cli([api], api);
  assert.equal(outside.stderr, `gil-audit: error: ${join(dir, 'repo', 'services', 'gil-audit.yml')}: select[0]: 'GA999' matches no rule; run 'gil-audit rules' to list them\n`);
  // --no-config still ignores every file.
  assert.equal(findings(cli([api, '-f', 'json', '--no-config'], dir).stdout).length, 4);
});

test('config walk-up: without a repository the walk goes on up; an invalid pyproject.toml on the way is an error naming it', () => {
  const dir = tree({ 'gil-audit.yaml': 'select: [GA105]\n', 'proj/a.py': BLOCKING });
  assert.deepEqual(findings(cli([join(dir, 'proj'), '-f', 'json'], dir).stdout), ['a.py:6 GA105 note']);
  const broken = tree({ 'pyproject.toml': '[tool.gil-audit\n', 'proj/a.py': BLOCKING });
  const r = cli(['proj'], broken);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'gil-audit: error: pyproject.toml: invalid TOML: Invalid TOML document: illegal character in key; fix the file or pass --no-config\n');
});

test('config walk-up: baseline and anchored excludes keep their meaning from the file\'s folder', () => {
  const dir = tree({
    'repo/.git/': '',
    'repo/pyproject.toml': [
      '[tool.gil-audit]',
      'baseline = "ci/baseline.json"',
      'exclude = ["services/api/app/gen.py", "/services/*/tests/", "services/web/", "**/api/legacy/", "*_pb2.py", "!services/api/app/keep_pb2.py"]',
      '',
    ].join('\n'),
    'repo/services/api/app/a.py': BLOCKING,
    'repo/services/api/app/gen.py': BLOCKING,
    'repo/services/api/app/x_pb2.py': BLOCKING,
    'repo/services/api/app/keep_pb2.py': BLOCKING,
    'repo/services/api/legacy/old.py': BLOCKING,
    'repo/services/api/tests/test_a.py': BLOCKING,
  });
  const repo = join(dir, 'repo');
  const settings = JSON.parse(cli(['services/api', '--show-settings'], repo).stdout) as Record<string, unknown>;
  assert.equal(settings.baseline, join(repo, 'ci', 'baseline.json'));
  assert.deepEqual(settings.exclude, ['/app/gen.py', '/tests/', '/legacy/', '/**/api/legacy/', '*_pb2.py', '!/app/keep_pb2.py']);
  mkdirSync(join(repo, 'ci'));
  // The baseline is written where the file says, whatever the working directory.
  assert.equal(cli(['services/api', '--write-baseline', join(repo, 'ci', 'baseline.json'), '-q', '--no-config'], repo).code, 0);
  assert.equal(cli(['.', '-q'], join(repo, 'services', 'api')).code, 0, 'every finding is in the baseline');
  writeFileSync(join(repo, 'ci', 'baseline.json'), '{"version": 1, "fingerprints": []}\n');
  const r = cli(['services/api', '-f', 'json', '--select', 'GA101', '--tests', 'include'], repo);
  assert.deepEqual([...new Set((JSON.parse(r.stdout) as AuditRun).findings.map((f) => f.file))], ['app/a.py', 'app/keep_pb2.py']);
});

test('--config takes TOML: its [tool.gil-audit] table, else the whole document; errors say invalid TOML', () => {
  const dir = tree({ 'a.py': BLOCKING, 'ruff-like.toml': 'select = ["GA101"]\nfail-on = "error"\n', 'py.toml': '[project]\nname = "x"\n[tool.gil-audit]\nselect = ["GA105"]\n', 'bad.toml': 'select = [\n', 'wrong.toml': 'select = "GA1"\n' });
  assert.deepEqual(findings(cli(['.', '-f', 'json', '--config', 'ruff-like.toml'], dir).stdout), ['a.py:4 GA101 error', 'a.py:5 GA101 error']);
  assert.deepEqual(findings(cli(['.', '-f', 'json', '--config', 'py.toml'], dir).stdout), ['a.py:6 GA105 note']);
  const bad = cli(['.', '--config', 'bad.toml'], dir);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'gil-audit: error: bad.toml: invalid TOML: Invalid TOML document: invalid value\n');
  const wrong = cli(['.', '--config', 'wrong.toml'], dir);
  assert.equal(wrong.code, 2);
  assert.equal(wrong.stderr, 'gil-audit: error: wrong.toml: select: must be array\n');
});

test('per-file-ignores: the rules named are dropped in matching files; an unknown code names the file and key', () => {
  const dir = tree({
    'app/a.py': BLOCKING,
    'scripts/b.py': BLOCKING,
    'gil-audit.yaml': 'per-file-ignores:\n  "scripts/": [GA1]\n  "app/*.py": [GA105, GA104]\n',
  });
  const r = cli(['.', '-f', 'json'], dir);
  assert.deepEqual(findings(r.stdout), ['app/a.py:4 GA101 error', 'app/a.py:5 GA101 error']);
  assert.deepEqual((JSON.parse(r.stdout) as AuditRun).summary.bySeverity, { error: 2, warning: 0, note: 0 });
  writeFileSync(join(dir, 'gil-audit.yaml'), 'per-file-ignores:\n  "scripts/": [GA1, GA188]\n');
  const bad = cli(['.'], dir);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, `gil-audit: error: gil-audit.yaml: per-file-ignores["scripts/"][1]: 'GA188' matches no rule; run 'gil-audit rules' to list them\n`);
  writeFileSync(join(dir, 'gil-audit.yaml'), 'per-file-ignores:\n  "scripts/": GA1\n');
  assert.equal(cli(['.'], dir).stderr, 'gil-audit: error: gil-audit.yaml: per-file-ignores["scripts/"]: must be array\n');
});

test('severity overrides: the longest prefix wins, before counts, exit code and reports', () => {
  const dir = tree({ 'a.py': BLOCKING, 'gil-audit.yaml': 'severity:\n  GA1: note\n  GA104: error\n' });
  const r = cli(['.', '-f', 'json'], dir);
  assert.equal(r.code, 1, 'GA104 is an error now');
  assert.deepEqual(findings(r.stdout), ['a.py:4 GA101 note', 'a.py:5 GA101 note', 'a.py:6 GA105 note', 'a.py:7 GA104 error']);
  assert.deepEqual((JSON.parse(r.stdout) as AuditRun).summary.bySeverity, { error: 1, warning: 0, note: 3 });
  const sarif = JSON.parse(cli(['.', '-f', 'sarif'], dir).stdout) as Sarif.Log;
  assert.deepEqual((sarif.runs[0].results ?? []).map((x) => `${x.ruleId} ${x.level}`), ['GA101 note', 'GA101 note', 'GA105 note', 'GA104 error']);
  assert.equal(cli(['.', '-q', '--ignore', 'GA104'], dir).code, 0, 'only notes are left');
  assert.match(cli(['.'], dir).stdout, /^Found 4 findings \(1 error, 0 warnings, 3 notes\) in 1 file\.$/m);
  writeFileSync(join(dir, 'gil-audit.yaml'), 'severity:\n  GA19: note\n');
  assert.equal(cli(['.'], dir).stderr, "gil-audit: error: gil-audit.yaml: severity: 'GA19' matches no rule; run 'gil-audit rules' to list them\n");
  writeFileSync(join(dir, 'gil-audit.yaml'), 'severity:\n  GA101: fatal\n  ga1: note\n');
  assert.equal(cli(['.'], dir).stderr, [
    'gil-audit: error: gil-audit.yaml: ',
    "  severity: key 'ga1': must match pattern \"^GA[0-9]{0,3}$\"",
    '  severity.GA101: must be equal to one of the allowed values: error, warning, note',
    '',
  ].join('\n'));
});

test("Ruff's option names: --output-format, --exit-zero, --extend-select", () => {
  const dir = tree({ 'a.py': BLOCKING });
  assert.equal(cli(['.', '--output-format', 'json'], dir).stdout, cli(['.', '-f', 'json'], dir).stdout);
  const disagree = cli(['.', '--output-format', 'json', '-f', 'sarif'], dir);
  assert.equal(disagree.code, 2);
  assert.equal(disagree.stderr, 'gil-audit: error: --format sarif and --output-format json disagree; give one of them\n');
  assert.equal(cli(['.', '-q'], dir).code, 1);
  assert.equal(cli(['.', '-q', '--exit-zero'], dir).code, 0);
  assert.equal(cli(['.', '-q', '--exit-zero', '--fail-on', 'note'], dir).code, 0);
  // With nothing selected every rule runs: nothing to extend.
  assert.equal(cli(['.', '-f', 'json', '--extend-select', 'GA105'], dir).stdout, cli(['.', '-f', 'json'], dir).stdout);
  assert.deepEqual(findings(cli(['.', '-f', 'json', '--select', 'GA104', '--extend-select', 'GA105'], dir).stdout), ['a.py:6 GA105 note', 'a.py:7 GA104 warning']);
  writeFileSync(join(dir, 'gil-audit.yaml'), 'select: [GA104]\n');
  assert.deepEqual(findings(cli(['.', '-f', 'json', '--extend-select', 'GA105'], dir).stdout), ['a.py:6 GA105 note', 'a.py:7 GA104 warning']);
  const unknown = cli(['.', '--extend-select', 'GA77'], dir);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, "gil-audit: error: --extend-select: 'GA77' matches no rule; run 'gil-audit rules' to list them\n");
});

test('--statistics: one line per rule, most findings first, exit code as usual', () => {
  const dir = tree({ 'a.py': BLOCKING });
  const r = cli(['.', '--statistics'], dir);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '2\tGA101\tblocking-sleep-in-async-function\n1\tGA104\tblocking-file-io-in-async-function\n1\tGA105\tblocking-path-call-in-async-function\n');
  assert.equal(r.stderr, '');
  assert.deepEqual(JSON.parse(cli(['.', '--statistics', '-f', 'json'], dir).stdout), [
    { code: 'GA101', name: 'blocking-sleep-in-async-function', count: 2 },
    { code: 'GA104', name: 'blocking-file-io-in-async-function', count: 1 },
    { code: 'GA105', name: 'blocking-path-call-in-async-function', count: 1 },
  ]);
  const none = cli(['.', '--statistics', '--select', 'GA2'], dir);
  assert.deepEqual([none.code, none.stdout], [0, '']);
  assert.equal(cli(['.', '--statistics', '--exit-zero'], dir).code, 0);
});

test('--show-settings: the resolved settings as JSON, without auditing', () => {
  const dir = tree({
    '.git/': '',
    'pyproject.toml': '[tool.gil-audit]\nselect = ["GA1"]\nexclude = ["svc/gen/"]\ntests = "include"\nseverity = { GA105 = "warning" }\nper-file-ignores = { "scripts/" = ["GA101"] }\n',
    // Auditing it would fail: it is never read.
    'svc/a.py': BLOCKING,
  });
  const r = cli(['svc', '--show-settings', '--extend-select', 'GA2', '--ignore', 'GA113', '--exit-zero'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.deepEqual(JSON.parse(r.stdout), {
    config: 'pyproject.toml [tool.gil-audit]',
    'config-file': join(dir, 'pyproject.toml'),
    root: join(dir, 'svc'),
    'repository-root': dir,
    format: 'text',
    select: ['GA1', 'GA2'],
    ignore: ['GA113'],
    exclude: ['/gen/'],
    'fail-on': 'never',
    tests: 'include',
    severity: { GA105: 'warning' },
    'per-file-ignores': { 'scripts/': ['GA101'] },
    baseline: null,
    'max-file-size': 10,
    gitignore: true,
    'tracked-only': false,
    'blocking-apis': [],
    'offload-wrappers': [],
    'cache-dir': null,
  });
  const none = JSON.parse(cli(['svc', '--show-settings', '--no-config'], dir).stdout) as Record<string, unknown>;
  assert.deepEqual([none.config, none.select, none.exclude], [null, null, []]);
});

test('FORCE_COLOR colours text output that is not a terminal; NO_COLOR and --no-color still win', () => {
  const dir = tree({ 'a.py': BLOCKING });
  const ESC = '\x1b[';
  assert.ok(cli(['.'], dir, {}).stdout.length > 0);
  assert.ok(!cli(['.'], dir, {}).stdout.includes(ESC), 'a pipe gets no colour by default');
  assert.ok(cli(['.'], dir, { FORCE_COLOR: '1' }).stdout.includes(ESC));
  assert.ok(cli(['.'], dir, { FORCE_COLOR: 'true' }).stdout.includes(ESC));
  for (const value of ['0', 'false', '']) assert.ok(!cli(['.'], dir, { FORCE_COLOR: value }).stdout.includes(ESC), `FORCE_COLOR=${value}`);
  assert.ok(!cli(['.'], dir, { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout.includes(ESC));
  assert.ok(!cli(['.', '--no-color'], dir, { FORCE_COLOR: '1' }).stdout.includes(ESC));
  assert.ok(cli(['.', '--color'], dir, { NO_COLOR: '1' }).stdout.includes(ESC), '--color still forces it');
  assert.ok(!cli(['.', '-f', 'json'], dir, { FORCE_COLOR: '1' }).stdout.includes(ESC), 'only the text format is coloured');
  const bad = cli(['.', '--select', 'GA999'], dir, { FORCE_COLOR: '0' });
  assert.ok(bad.stderr.startsWith('gil-audit: error:'), 'FORCE_COLOR=0 is no colour on stderr either');
});

test('SARIF and github paths are relative to the repository root (or --root); other formats to the audited folder', () => {
  const dir = tree({ 'mono/.git/': '', 'mono/services/api/app/a.py': BLOCKING, 'mono/services/api/bad.py': 'def (:\n' });
  const mono = join(dir, 'mono');
  const github = cli(['services/api', '-f', 'github', '--select', 'GA101'], mono).stdout.split('\n');
  assert.ok(github[0].startsWith('::error file=services/api/app/a.py,line=4,col=5,'), github[0]);
  assert.ok(github.some((l) => l.startsWith('::warning file=services/api/bad.py,title=')), github.join('\n'));
  const log = JSON.parse(cli(['services/api', '-f', 'sarif', '--select', 'GA101'], mono).stdout) as Sarif.Log;
  const run = log.runs[0];
  assert.deepEqual(run.results?.[0].locations?.[0].physicalLocation?.artifactLocation, { uri: 'services/api/app/a.py', uriBaseId: '%SRCROOT%' });
  assert.deepEqual(Object.keys(run.originalUriBaseIds ?? {}), ['%SRCROOT%']);
  assert.equal(run.invocations?.[0].toolExecutionNotifications?.[0].locations?.[0].physicalLocation?.artifactLocation?.uri, 'services/api/bad.py');
  assert.match(findings(cli(['services/api', '-f', 'json'], mono).stdout)[0], /^app\/a\.py:/);
  assert.match(cli(['services/api'], mono).stdout, /^app\/a\.py:4:5: GA101 /m);
  // --root overrides; it must hold the audited folder.
  const fromServices = JSON.parse(cli(['services/api', '-f', 'sarif', '--root', 'services'], mono).stdout) as Sarif.Log;
  assert.equal(fromServices.runs[0].results?.[0].locations?.[0].physicalLocation?.artifactLocation?.uri, 'api/app/a.py');
  assert.ok(cli(['.', '-f', 'github', '--root', '.'], join(mono, 'services', 'api')).stdout.startsWith('::error file=app/a.py,'));
  const notAbove = cli(['services/api', '--root', 'services/api/app'], mono);
  assert.equal(notAbove.code, 2);
  assert.equal(notAbove.stderr, `gil-audit: error: --root 'services/api/app' does not hold the audited folder ${join(mono, 'services', 'api')}; give a folder above it\n`);
});
