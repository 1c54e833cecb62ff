/**
 * Tests of the assessment the reports present: findings grouped by root cause (one blocking helper
 * is one group listing its call sites; one function's calls under one rule are one group), the
 * remedy of a `with` block, scores, risk, the action plan and thread verdicts; and of the cover
 * (project name, git revision from the commit, never the clock).
 *
 * Stage: findings (test). Input: hand-made findings and temporary git repositories. Output: node:test results.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AuditRun, ChainStep, Finding, FunctionReport } from '../src/model/types.js';
import { assess, threadVerdicts } from '../src/findings/groups.js';
import { projectName, reportCover } from '../src/findings/cover.js';

let seq = 0;
function finding(rule: string, file: string, line: number, fn: string, chain: [string, string, number][], extra: Partial<Finding> = {}): Finding {
  seq++;
  return {
    rule, name: 'x', severity: 'error', confidence: 'high', file, line, column: 1, endLine: line, endColumn: 9,
    message: `message ${seq}`, recommendation: `Use \`await asyncio.to_thread(${chain.at(-1)?.[0] ?? 'x'}, ...)\`.`, equivalents: [],
    chain: chain.map(([f, fl, l]): ChainStep => ({ function: f, file: fl, line: l })), function: fn, fingerprint: `fp${seq}`, snippet: 'x()',
    ...extra,
  };
}

function run(findings: Finding[], functions: FunctionReport[] = []): AuditRun {
  return {
    tool: { name: 'gil-audit', version: '0.0.0-test' }, roots: ['app'],
    summary: { files: 1, lines: 1, functions: 1, asyncFunctions: 1, findings: findings.length, bySeverity: { error: 0, warning: 0, note: 0 }, byRule: {}, errors: 0 },
    rules: {}, findings, errors: [], functions,
  };
}

describe('root-cause groups', () => {
  it('makes one group of one blocking helper, listing every call site that reaches it', () => {
    const helper = (caller: string, line: number) =>
      finding('GA110', 'app/api.py', line, caller, [[caller, 'app/api.py', line], ['app.db.load', 'app/db.py', 3], ['app.db._query', 'app/db.py', 9], ['sqlite3.connect', '', 0]]);
    const a = assess(run([helper('app.api.a', 10), helper('app.api.b', 20), helper('app.api.c', 30)]));
    assert.equal(a.groups.length, 1);
    const [g] = a.groups;
    assert.equal(g.kind, 'helper');
    assert.equal(g.title, '`app.db._query` calls `sqlite3.connect`, reached from 3 callers');
    assert.deepEqual(g.function, { qualname: 'app.db._query', file: 'app/db.py', line: 9 });
    assert.deepEqual(g.sites.map((s) => `${s.file}:${s.line} ${s.function}`), ['app/api.py:10 app.api.a', 'app/api.py:20 app.api.b', 'app/api.py:30 app.api.c']);
    assert.equal(g.api, 'sqlite3.connect');
  });

  it('makes one group of one function\'s calls under one rule, and separate groups for other rules or functions', () => {
    const f1 = finding('GA104', 'app/s.py', 5, 'app.s.read', [['app.s.read', 'app/s.py', 5], ['open', '', 0]], { severity: 'warning' });
    const f2 = finding('GA104', 'app/s.py', 6, 'app.s.read', [['app.s.read', 'app/s.py', 6], ['open().read', '', 0]], { severity: 'warning' });
    const f3 = finding('GA101', 'app/s.py', 7, 'app.s.read', [['app.s.read', 'app/s.py', 7], ['time.sleep', '', 0]]);
    const f4 = finding('GA104', 'app/t.py', 5, 'app.t.read', [['app.t.read', 'app/t.py', 5], ['open', '', 0]], { severity: 'warning' });
    const a = assess(run([f1, f2, f3, f4]));
    assert.deepEqual(a.groups.map((g) => `${g.id} ${g.rules.join(',')} ${g.sites.length} ${g.title}`), [
      `G1 GA101 1 ${f3.message}`,
      'G2 GA104 2 `app.s.read` calls `open` and `open().read`',
      `G3 GA104 1 ${f4.message}`,
    ]);
  });

  it('groups a chain outside the event loop by the function it is reported in, not by the end of the chain', () => {
    const shared = (fn: string, line: number) =>
      finding('GA453', 'app/v.py', line, fn, [[fn, 'app/v.py', line], ['app.util.sanitize', 'app/util.py', 4], ['app.util._cache', 'app/util.py', 9]], { severity: 'note' });
    const a = assess(run([shared('app.v.one', 3), shared('app.v.two', 8)]));
    assert.deepEqual(a.groups.map((g) => `${g.kind} ${g.function?.qualname} ${g.sites.length}`), ['function app.v.one 1', 'function app.v.two 1']);
  });

  it('makes one group of a dependency named in two manifests', () => {
    const dep = (file: string, line: number) => finding('GA401', file, line, 'orjson', [], { severity: 'note', message: 'Dependency `orjson` is not ready' });
    const a = assess(run([dep('pyproject.toml', 18), dep('requirements.txt', 7)]));
    assert.equal(a.groups.length, 1);
    assert.equal(a.groups[0].kind, 'subject');
    assert.deepEqual(a.groups[0].sites.map((s) => s.file), ['pyproject.toml', 'requirements.txt']);
  });

  it('tells a `with` block to move off the loop whole, not the call alone', () => {
    const f = finding('GA108', 'app/m.py', 37, 'app.m.healthz', [['app.m.healthz', 'app/m.py', 37], ['sqlite3.connect', '', 0]], {
      snippet: '    with sqlite3.connect(path) as conn:', recommendation: 'Use `aiosqlite`.',
    });
    const [g] = assess(run([f])).groups;
    assert.equal(
      g.remedy,
      '`sqlite3.connect` opens a `with` block here: move the whole block into a plain function and run that function in a worker thread ' +
        "(`await asyncio.to_thread(fn, ...)`), so the block's exit, and every call inside it, runs there too; offloading only the call would leave the exit on the event loop. Use `aiosqlite`.",
    );
    const plain = finding('GA108', 'app/m.py', 40, 'app.m.other', [['app.m.other', 'app/m.py', 40], ['sqlite3.connect', '', 0]], { snippet: 'conn = sqlite3.connect(path)', recommendation: 'Use `aiosqlite`.' });
    assert.equal(assess(run([plain])).groups[0].remedy, 'Use `aiosqlite`.');
  });
});

describe('scores, risk and the action plan', () => {
  it('takes a share of what is left per root cause, and rates and prioritises by the published rubric', () => {
    const direct = (i: number, severity: Finding['severity']) =>
      finding('GA101', 'app/a.py', i, `app.a.f${i}`, [[`app.a.f${i}`, 'app/a.py', i], ['time.sleep', '', 0]], { severity });
    const a = assess(run([direct(1, 'error'), direct(2, 'error'), direct(3, 'warning'), direct(4, 'note')]));
    // 100 × 0.85 × 0.85 × 0.94 × 0.98 = 66.55
    assert.deepEqual(a.areas[0], { area: 'event-loop', score: 67, rating: 'fair', groups: 4, basis: '4 root causes (4 findings): code that blocks the event loop.' });
    assert.deepEqual(a.areas[1], { area: 'gil', score: 100, rating: 'good', groups: 0, basis: 'No finding shows code that runs CPU-bound Python where the GIL serialises it.' });
    assert.deepEqual(a.risk, { level: 'high', reason: 'Event-loop score 67/100, 2 root causes of error severity.' });
    assert.deepEqual(a.actions.map((x) => `${x.group} ${x.priority} ${x.effort} ${x.impact}`), ['G1 now small high', 'G2 now small high', 'G3 next small medium', 'G4 later small low']);
  });

  it('has no risk without findings, and no free-threading area without a readiness verdict', () => {
    const a = assess(run([]));
    assert.equal(a.risk.level, 'none');
    assert.deepEqual(a.areas.map((x) => x.area), ['event-loop', 'gil']);
    assert.deepEqual(a.groups, []);
  });

  it('rates a root cause with many call sites one step higher', () => {
    const sites = Array.from({ length: 5 }, (_, i) =>
      finding('GA104', 'app/a.py', i + 1, `app.a.f${i}`, [[`app.a.f${i}`, 'app/a.py', i + 1], ['app.io.read', 'app/io.py', 2], ['app.io._open', 'app/io.py', 7], ['open', '', 0]], { severity: 'warning' }));
    const a = assess(run(sites));
    assert.deepEqual(a.actions.map((x) => `${x.priority} ${x.effort} ${x.impact}`), ['now medium high']);
    // 100 × (1 − (6 + 4) / 100)
    assert.equal(a.areas[0].score, 90);
  });
});

describe('thread verdicts', () => {
  const fn = (qualname: string, classification: FunctionReport['classification'], kinds: FunctionReport['entryPoints'][number]['kind'][]): FunctionReport => ({
    qualname, file: 'app/w.py', line: 1, isAsync: false, classification, confidence: 'high', evidence: [], hotness: 50, remedy: ' Use processes. ',
    entryPoints: kinds.map((kind, i) => ({ kind, file: 'app/main.py', line: 10 + i, via: 'threading.Thread' })),
  });

  it('says CPU-bound or mixed thread targets fight the GIL and I/O or GIL-releasing ones scale; others are not threads', () => {
    const verdicts = threadVerdicts([fn('a', 'cpu-gil', ['thread']), fn('b', 'io', ['thread-pool', 'main']), fn('c', 'mixed', ['to-thread']), fn('d', 'cpu-gil', ['request-handler']), fn('e', 'unknown', ['thread'])]);
    assert.deepEqual(verdicts.map((v) => `${v.qualname} ${v.verdict} ${v.startedAt.length} ${v.remedy}`), ['a fights-gil 1 Use processes.', 'b scales 1 Use processes.', 'c fights-gil 1 Use processes.']);
  });
});

describe('cover', () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd, encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_COMMITTER_DATE: '2026-01-02T03:04:05+00:00', GIT_AUTHOR_DATE: '2026-01-02T03:04:05+00:00' },
    }).trim();

  it('names the project from pyproject.toml, else the folder, and reads the commit and its date from git', () => {
    const repo = mkdtempSync(join(tmpdir(), 'gil-audit-cover-'));
    try {
      mkdirSync(join(repo, 'svc', 'api'), { recursive: true });
      writeFileSync(join(repo, 'svc', 'pyproject.toml'), '[project]\nname = "orders-service"\n');
      writeFileSync(join(repo, 'svc', 'api', 'app.py'), 'x = 1\n');
      assert.equal(projectName(join(repo, 'svc', 'api'), repo), 'orders-service');
      assert.equal(projectName(repo, repo), repo.split('/').at(-1));
      const base = { excluded: ['build/'], gitignore: true, trackedOnly: false, tests: 'separate' as const };
      assert.equal(reportCover({ root: repo, repository: repo, ...base }).revision, undefined, 'no git, no revision');
      git(repo, 'init', '-q');
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'first');
      const commit = git(repo, 'rev-parse', 'HEAD');
      const cover = reportCover({ root: join(repo, 'svc'), repository: repo, title: '  Q1 audit ', ...base });
      assert.deepEqual(cover, {
        title: 'Q1 audit', project: 'orders-service', revision: { commit, date: '2026-01-02T03:04:05+00:00', modified: false },
        excluded: ['build/'], gitignore: true, trackedOnly: false, tests: 'separate',
      });
      writeFileSync(join(repo, 'svc', 'api', 'app.py'), 'x = 2\n');
      assert.equal(reportCover({ root: join(repo, 'svc'), repository: repo, ...base }).revision?.modified, true);
      assert.equal(reportCover({ root: join(repo, 'svc'), repository: join(repo, 'svc'), ...base }).revision, undefined, 'a --root that is not the top of the repository has no revision');
      assert.equal(reportCover({ root: join(repo, 'svc'), repository: repo, ...base }).title, 'Concurrency audit of orders-service');
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
