/**
 * The pre-commit hook: the whole project is analysed, only tracked files count, findings are
 * reported only in the files pre-commit passes; and, when Debian's `pre-commit` is installed (CI
 * installs it), the hook installed from a copy of this repository blocks a commit and lets the fix through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO } from './helpers/fixtures.js';

const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');
const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GIL_AUDIT_NO_CACHE: '1', ...GIT_ENV, ...env } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function findings(out: string): string[] {
  return [...out.matchAll(/^(\S+\.py):(\d+):\d+: (GA\d+)/gm)].map((m) => `${m[1]}:${m[2]} ${m[3]}`);
}

/** A git repository: a coroutine calling a sleeping helper in another module, and an untracked scratch file. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gil-audit-hook-'));
  writeFileSync(join(dir, 'app.py'), 'from helpers import pause\n\n\nasync def handler():\n    pause()\n');
  writeFileSync(join(dir, 'helpers.py'), 'import time\n\n\ndef pause():\n    time.sleep(1)\n');
  writeFileSync(join(dir, 'scratch.py'), 'import time\n\n\nasync def experiment():\n    time.sleep(1)\n');
  assert.equal(run('git', ['init', '-q'], dir).code, 0);
  assert.equal(run('git', ['add', 'app.py', 'helpers.py'], dir).code, 0);
  return dir;
}

test('--tracked-only skips files git does not track', () => {
  const dir = project();
  assert.deepEqual(findings(run(process.execPath, [CLI, '.'], dir).out).sort(), ['app.py:5 GA110', 'scratch.py:5 GA101']);
  assert.deepEqual(findings(run(process.execPath, [CLI, '.', '--tracked-only'], dir).out), ['app.py:5 GA110']);
  rmSync(dir, { recursive: true, force: true });
});

test('--tracked-only outside a git repository warns and audits every file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gil-audit-nogit-'));
  writeFileSync(join(dir, 'a.py'), 'import time\n\n\nasync def a():\n    time.sleep(1)\n');
  const r = run(process.execPath, [CLI, '.', '--tracked-only'], dir, { GIT_CEILING_DIRECTORIES: dirname(dir) });
  assert.deepEqual(findings(r.out), ['a.py:5 GA101']);
  assert.match(r.out, /cannot list the files git tracks .*every file found is audited/);
  rmSync(dir, { recursive: true, force: true });
});

test('--report-only analyses the whole project but reports only the files given', () => {
  const dir = project();
  // The chain runs through helpers.py, which is analysed though only app.py is reported on.
  const app = run(process.execPath, [CLI, '.', '--tracked-only', '--report-only', 'app.py'], dir);
  assert.deepEqual(findings(app.out), ['app.py:5 GA110']);
  assert.equal(app.code, 1);
  const helpers = run(process.execPath, [CLI, '.', '--tracked-only', '--report-only', 'helpers.py'], dir);
  assert.deepEqual(findings(helpers.out), []);
  assert.equal(helpers.code, 0, helpers.out);
  rmSync(dir, { recursive: true, force: true });
});

const hasPreCommit = spawnSync('pre-commit', ['--version']).status === 0;

test('pre-commit: the hook installed from this repository blocks a blocking call and passes the fix', { skip: hasPreCommit ? false : 'pre-commit is not installed (apt-get install pre-commit)', timeout: 20 * 60_000 }, () => {
  const base = mkdtempSync(join(tmpdir(), 'gil-audit-precommit-'));
  // The hook repository: this working tree's files as they would be committed.
  const hookRepo = join(base, 'hook');
  mkdirSync(hookRepo);
  const listed = run('git', ['ls-files', '-co', '--exclude-standard', '-z'], REPO);
  assert.equal(listed.code, 0, listed.out);
  for (const rel of listed.out.split('\0').filter(Boolean)) {
    try {
      cpSync(join(REPO, rel), join(hookRepo, rel), { recursive: true });
    } catch {
      // A file listed but deleted in the working tree.
    }
  }
  assert.equal(run('git', ['init', '-q'], hookRepo).code, 0);
  assert.equal(run('git', ['add', '-A'], hookRepo).code, 0);
  assert.equal(run('git', ['commit', '-qm', 'snapshot'], hookRepo).code, 0);
  const rev = run('git', ['rev-parse', 'HEAD'], hookRepo).out.trim();

  const work = join(base, 'work');
  mkdirSync(work);
  const env = { PRE_COMMIT_HOME: join(base, 'cache') };
  assert.equal(run('git', ['init', '-q'], work).code, 0);
  writeFileSync(join(work, '.pre-commit-config.yaml'), `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: gil-audit\n`);
  const install = run('pre-commit', ['install', '--install-hooks'], work, env);
  assert.equal(install.code, 0, install.out);
  writeFileSync(join(work, 'app.py'), 'import time\n\n\nasync def handler():\n    time.sleep(1)\n');
  writeFileSync(join(work, 'scratch.py'), 'import time\n\n\nasync def experiment():\n    time.sleep(1)\n');
  run('git', ['add', '.pre-commit-config.yaml', 'app.py'], work);
  const blocked = run('git', ['commit', '-qm', 'blocking call'], work, env);
  assert.notEqual(blocked.code, 0, blocked.out);
  assert.deepEqual(findings(blocked.out), ['app.py:5 GA101']);
  writeFileSync(join(work, 'app.py'), 'import asyncio\n\n\nasync def handler():\n    await asyncio.sleep(1)\n');
  run('git', ['add', 'app.py'], work);
  const fixed = run('git', ['commit', '-qm', 'fixed'], work, env);
  assert.equal(fixed.code, 0, fixed.out);
  rmSync(base, { recursive: true, force: true });
});
