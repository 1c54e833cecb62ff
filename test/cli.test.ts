/**
 * End-to-end tests of the built command: formats, exit codes, schema, determinism, bad input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { REPO, annotations, compare, readTree } from './helpers/fixtures.js';
import { loadRules } from '../src/rules/registry.js';
import { loadCatalogue } from '../src/classify/catalogue.js';
import { ruleMarkdown } from '../src/cli/rules-command.js';
import type { AuditRun } from '../src/model/types.js';
import { tempDir } from './helpers/temp.js';

const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');
const SAMPLE = join(REPO, 'fixtures', 'sample');

function cli(args: string[], cwd = REPO) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GIL_AUDIT_NO_CACHE: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('sample project: JSON report validates against the published schema', () => {
  const r = cli([SAMPLE, '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as AuditRun & { version: string };
  const schema = JSON.parse(readFileSync(join(REPO, 'src', 'schema', 'report.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
  assert.equal(report.tool.name, 'gil-audit');
  const sorted = [...report.findings].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : 1)));
  assert.deepEqual(report.findings.map((f) => `${f.file}:${f.line}`), sorted.map((f) => `${f.file}:${f.line}`));
});

test('sample project: findings are exactly the annotated ones, for every rule that exists', () => {
  const r = cli([SAMPLE, '--format', 'json']);
  const report = JSON.parse(r.stdout) as AuditRun;
  const rules = new Set(loadRules().map((x) => x.id));
  const expectations = [...readTree(SAMPLE)].flatMap(([file, source]) => annotations(file, source));
  const { missing, noisy } = compare(report, expectations, rules);
  assert.deepEqual({ missing, noisy }, { missing: [], noisy: [] });
  // Direct and transitive findings are both present.
  assert.ok(report.findings.some((f) => f.rule === 'GA110' && f.chain.length >= 4), 'a transitive finding with a chain of 3+ hops');
  assert.ok(report.findings.some((f) => f.rule === 'GA101'));
});

for (const format of ['text', 'json', 'markdown', 'sarif', 'html']) {
  test(`sample project: ${format} output is byte-identical across runs`, () => {
    const a = cli([SAMPLE, '--format', format, '--jobs', '2']);
    const b = cli([SAMPLE, '--format', format, '--jobs', '1']);
    assert.equal(a.code, 1);
    assert.ok(a.stdout.length > 200);
    assert.equal(a.stdout, b.stdout);
  });
}

test('text format: path:line:col: RULE message, relative to the root given', () => {
  const r = cli([SAMPLE]);
  assert.match(r.stdout, /^app\/clients\/erp\.py:49:17: GA101 /m);
  assert.match(r.stdout, /^app\/api\/catalog\.py:\d+:\d+: GA110 /m);
});

test('exit codes follow --fail-on', () => {
  assert.equal(cli([SAMPLE, '--fail-on', 'never', '-q']).code, 0);
  assert.equal(cli([SAMPLE, '--fail-on', 'error', '-q']).code, 1);
  assert.equal(cli([SAMPLE, '--select', 'GA105', '--fail-on', 'warning', '-q']).code, 0, 'GA105 is a note');
  assert.equal(cli([SAMPLE, '--select', 'GA105', '--fail-on', 'note', '-q']).code, 1);
});

test('--select and --ignore take ids and prefixes', () => {
  const only = JSON.parse(cli([SAMPLE, '-f', 'json', '--select', 'GA101']).stdout) as AuditRun;
  assert.deepEqual([...new Set(only.findings.map((f) => f.rule))], ['GA101']);
  const without = JSON.parse(cli([SAMPLE, '-f', 'json', '--ignore', 'GA11']).stdout) as AuditRun;
  assert.ok(without.findings.every((f) => !f.rule.startsWith('GA11')));
  assert.ok(without.findings.length > 0);
});

test('-o writes the report to a file', () => {
  const dir = tempDir('out');
  const out = join(dir, 'report.md');
  const r = cli([SAMPLE, '-f', 'markdown', '-o', out]);
  assert.equal(r.stdout, '');
  assert.match(readFileSync(out, 'utf8'), /^# Concurrency audit of catalog-service\n/);
  assert.match(r.stderr, /markdown report written to/);
});

test('--title names the report; the cover has the project and the commit with its commit date (never the clock)', () => {
  const r = cli([SAMPLE, '-f', 'json', '--title', 'Q4 audit: <catalog>']);
  const cover = (JSON.parse(r.stdout) as AuditRun).cover!;
  assert.equal(cover.title, 'Q4 audit: <catalog>');
  assert.equal(cover.project, 'catalog-service');
  const git = (...args: string[]) => spawnSync('git', args, { cwd: REPO, encoding: 'utf8' }).stdout.trim();
  if (git('rev-parse', '--show-toplevel') === REPO) {
    assert.deepEqual(cover.revision, { commit: git('rev-parse', 'HEAD'), date: git('log', '-1', '--format=%cI'), modified: git('status', '--porcelain', '--untracked-files=no', '--', 'fixtures/sample') !== '' });
  }
  const html = cli([SAMPLE, '-f', 'html', '--title', 'Q4 audit: <catalog>']).stdout;
  assert.ok(html.includes('<title>Q4 audit: &lt;catalog&gt;</title>') && html.includes('<h1 id="q4-audit-catalog">Q4 audit: &lt;catalog&gt;</h1>'));
  // Text output has no cover, so a pre-commit run spends nothing on git.
  assert.ok(!cli([SAMPLE, '-f', 'text', '--title', 'x']).stdout.includes('Concurrency audit'));
});

test('usage errors exit 2 with a message that names the fix', () => {
  const missing = cli(['no/such/dir']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no\/such\/dir/);
  const badFormat = cli([SAMPLE, '--format', 'xml']);
  assert.equal(badFormat.code, 2);
  assert.match(badFormat.stderr, /format/);
  const badRule = cli([SAMPLE, '--select', 'GA999']);
  assert.equal(badRule.code, 2);
  assert.match(badRule.stderr, /GA999.*gil-audit rules/);
  assert.equal(cli(['explain', 'GA000']).code, 2);
});

test('rules lists every rule; explain prints the long form', () => {
  const list = cli(['rules']);
  assert.equal(list.code, 0);
  for (const rule of loadRules()) assert.match(list.stdout, new RegExp(`^${rule.id}  ${rule.name}`, 'm'));
  const json = JSON.parse(cli(['rules', '--format', 'json']).stdout) as { id: string; equivalents: string[] }[];
  assert.equal(json.length, loadRules().length);
  const explain = cli(['explain', 'GA101']);
  assert.equal(explain.code, 0);
  for (const section of ['What it does', 'Why is this bad?', 'Example', 'Use instead', 'References']) assert.match(explain.stdout, new RegExp(`^${section.replace('?', '\\?')}$`, 'm'));
  assert.equal(cli(['explain', 'blocking-sleep-in-async-function']).code, 0);
  assert.match(cli(['explain', 'GA102']).stdout, /^APIs \(rules\/catalogue\/\*\.yaml\)\n[\s\S]*urllib\.request\.urlopen {2}\[ASYNC210\]/m);
});

test('explain takes a flake8-async or Ruff code and shows the matching rule', () => {
  const peer = cli(['explain', 'ASYNC251']);
  assert.equal(peer.code, 0);
  assert.match(peer.stdout, /^GA101 blocking-sleep-in-async-function$/m);
  assert.equal(peer.stderr, 'ASYNC251 corresponds to GA101\n');
  assert.match(cli(['explain', 'ruff:ASYNC210']).stdout, /^GA102 blocking-http-call-in-async-function$/m);
  const unknown = cli(['explain', 'ASYNC999']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no rule 'ASYNC999'/);
});

test('bad input: every file is reported or analysed, and the run goes on', () => {
  const dir = tempDir('bad');
  mkdirSync(join(dir, 'pkg'));
  const good = 'import time\n\nasync def handler():\n    time.sleep(1)\n';
  writeFileSync(join(dir, 'pkg', 'good.py'), good);
  writeFileSync(join(dir, 'pkg', 'syntax.py'), 'import time\nasync def broken(:\n    pass\n\nasync def fine():\n    time.sleep(2)\n');
  writeFileSync(join(dir, 'pkg', 'latin.py'), Buffer.concat([Buffer.from('import time\nasync def f():\n    s = "caf'), Buffer.from([0xe9]), Buffer.from('"\n    time.sleep(1)\n')]));
  writeFileSync(join(dir, 'pkg', 'declared.py'), Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\nimport time\nasync def f():\n    s = "caf'), Buffer.from([0xe9]), Buffer.from('"\n    time.sleep(1)\n')]));
  writeFileSync(join(dir, 'pkg', 'binary.py'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3]));
  writeFileSync(join(dir, 'pkg', 'huge.py'), `x = 1\n${'# padding line to make the file large\n'.repeat(40000)}`);
  const depth = 3000;
  writeFileSync(join(dir, 'pkg', 'deep.py'), `import time\nasync def deep():\n    x = ${'('.repeat(depth)}1${')'.repeat(depth)}\n    y = ${'['.repeat(depth)}${']'.repeat(depth)}\n    time.sleep(3)\n`);
  const r = cli([dir, '-f', 'json', '--max-file-size', '1']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as AuditRun;
  const at = report.findings.map((f) => `${f.file}:${f.line} ${f.rule}`);
  assert.deepEqual(at, ['pkg/declared.py:5 GA101', 'pkg/deep.py:5 GA101', 'pkg/good.py:4 GA101', 'pkg/latin.py:4 GA101', 'pkg/syntax.py:6 GA101']);
  const errors = new Map(report.errors.map((e) => [e.file, e.message]));
  assert.match(errors.get('pkg/syntax.py') ?? '', /syntax error/);
  assert.match(errors.get('pkg/latin.py') ?? '', /invalid UTF-8.*line 3/);
  assert.match(errors.get('pkg/binary.py') ?? '', /binary/);
  assert.match(errors.get('pkg/huge.py') ?? '', /MB.*--max-file-size/);
  assert.ok(!errors.has('pkg/declared.py'), 'a declared latin-1 file is not an error');
  assert.ok(!errors.has('pkg/good.py'));
});

test('reports/ holds the current sample reports (regenerate with npm run reports)', () => {
  for (const [format, file] of [['markdown', 'sample.md'], ['json', 'sample.json'], ['sarif', 'sample.sarif'], ['html', 'sample.html']]) {
    const r = cli(['fixtures/sample', '--root', 'fixtures/sample', '--fail-on', 'never', '-q', '-f', format]);
    assert.equal(r.stdout, readFileSync(join(REPO, 'reports', file), 'utf8'), `reports/${file} is stale: run npm run reports`);
  }
});

test('sample project: CPU-bound thread pool and CPU-heavy coroutine are reported with their remedies', () => {
  const report = JSON.parse(cli([SAMPLE, '-f', 'json']).stdout) as AuditRun;
  const ga201 = report.findings.find((f) => f.rule === 'GA201');
  assert.ok(ga201, 'GA201 on the CPU-bound thread pool');
  assert.equal(`${ga201.file}:${ga201.line}`, 'app/jobs/reports.py:78');
  assert.match(ga201.recommendation, /ProcessPoolExecutor/);
  const ga111 = report.findings.find((f) => f.rule === 'GA111');
  assert.ok(ga111, 'GA111 on the CPU-heavy coroutine');
  assert.equal(`${ga111.file}:${ga111.line}`, 'app/api/catalog.py:75');
  assert.match(ga111.recommendation, /task queue/);
  const score = report.functions?.find((f) => f.qualname === 'app.jobs.reports._score_chunk');
  assert.equal(score?.classification, 'cpu-gil');
  assert.ok(score?.entryPoints.some((e) => e.kind === 'thread-pool'));
  const md = cli([SAMPLE, '-f', 'markdown', '--fail-on', 'never']).stdout;
  assert.match(md, /## Hot paths/);
  assert.match(md, /### Threads that fight the GIL[\s\S]*_score_chunk/);
});

test('configuration: [tool.gil-audit] in pyproject.toml and gil-audit.yaml, flags win, broken files exit 2', () => {
  const dir = tempDir('cfg');
  writeFileSync(join(dir, 'a.py'), 'import os, time\n\nasync def f():\n    time.sleep(1)\n    os.path.exists("x")\n');
  writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "x"\n\n[tool.gil-audit]\nignore = ["GA105"]\nfail-on = "never"\n');
  const configured = cli([dir, '-f', 'json']);
  assert.equal(configured.code, 0, 'fail-on from the file');
  assert.deepEqual((JSON.parse(configured.stdout) as AuditRun).findings.map((f) => f.rule), ['GA101']);
  assert.equal(cli([dir, '-q', '--fail-on', 'error']).code, 1, 'a flag wins over the file');
  assert.deepEqual((JSON.parse(cli([dir, '-f', 'json', '--no-config']).stdout) as AuditRun).findings.map((f) => f.rule), ['GA101', 'GA105']);
  writeFileSync(join(dir, 'pyproject.toml'), '[tool.gil-audit]\nignor = ["GA105"]\n');
  const unknownKey = cli([dir, '-q']);
  assert.equal(unknownKey.code, 2);
  assert.match(unknownKey.stderr, /pyproject\.toml \[tool\.gil-audit\].*'ignor'/);
  writeFileSync(join(dir, 'pyproject.toml'), '[tool.gil-audit\n');
  assert.match(cli([dir, '-q']).stderr, /pyproject\.toml: invalid TOML/);
  writeFileSync(join(dir, 'gil-audit.yaml'), 'fail-on: sometimes\n');
  const badValue = cli([dir, '-q']);
  assert.equal(badValue.code, 2);
  assert.match(badValue.stderr, /gil-audit\.yaml: fail-on: must be equal to one of the allowed values: error, warning, note, never/);
});

test('baseline: accepted findings are not reported; a new identical call is', () => {
  const dir = tempDir('base');
  const file = join(dir, 'a.py');
  writeFileSync(file, 'import time\n\nasync def f():\n    time.sleep(1)\n');
  const baseline = join(dir, 'baseline.json');
  assert.equal(cli([dir, '--write-baseline', baseline, '-q']).code, 0);
  assert.equal(cli([dir, '--baseline', baseline, '-q']).code, 0);
  writeFileSync(file, '# moved down a line\nimport time\n\nasync def f():\n    time.sleep(1)\n    time.sleep(2)\n');
  const r = JSON.parse(cli([dir, '--baseline', baseline, '-f', 'json']).stdout) as AuditRun;
  assert.deepEqual(r.findings.map((f) => `${f.line} ${f.rule}`), ['6 GA101']);
  writeFileSync(baseline, '{"nope": 1}');
  const broken = cli([dir, '--baseline', baseline, '-q']);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /not a gil-audit baseline/);
});

test('github format: one workflow command per finding, escaped', () => {
  const r = cli([SAMPLE, '-f', 'github', '--fail-on', 'never']);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines.every((l) => /^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=GA\d{3} [a-z-]+::/.test(l)), lines.find((l) => !l.startsWith('::')));
  // Paths are relative to the repository root (this checkout), where GitHub looks for them.
  assert.ok(lines.some((l) => l.startsWith('::error file=fixtures/sample/app/clients/erp.py,line=49,col=17,') && l.includes('title=GA101 blocking-sleep-in-async-function::')));
  const fromSample = cli([SAMPLE, '-f', 'github', '--fail-on', 'never', '--root', SAMPLE]).stdout;
  assert.ok(fromSample.split('\n').some((l) => l.startsWith('::error file=app/clients/erp.py,line=49,col=17,')));
  assert.ok(lines.some((l) => l.includes('GA110') && l.includes('%0AChain: ')), 'the chain of a transitive finding');
});

test('docs/rules holds one generated page per rule, current (regenerate with npm run docs)', () => {
  const rules = loadRules();
  const catalogue = loadCatalogue();
  // The command prints what ruleMarkdown makes (checked on one rule; the rest in-process, for time).
  assert.equal(cli(['explain', rules[0].id, '--format', 'markdown']).stdout, ruleMarkdown(rules[0], catalogue));
  for (const rule of rules) {
    const page = ruleMarkdown(rule, catalogue);
    assert.match(page, new RegExp(`^# ${rule.id} ${rule.name}$`, 'm'));
    for (const section of ['What it does', 'Why is this bad?', 'Example', 'Use instead', 'References']) assert.ok(page.includes(`## ${section}`), `${rule.id} page lacks ${section}`);
    assert.equal(readFileSync(join(REPO, 'docs', 'rules', `${rule.id}-${rule.name}.md`), 'utf8'), page, `docs/rules/${rule.id}-${rule.name}.md is stale: run npm run docs`);
  }
});
