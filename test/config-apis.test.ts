/**
 * The configuration's `blocking-apis` and `offload-wrappers`, end to end through the built
 * command: read from gil-audit.yaml and from `[tool.gil-audit]`, applied to findings, and
 * rejected with exit 2 and the field named when malformed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers/fixtures.js';
import type { AuditRun } from '../src/model/types.js';
import { tempDir } from './helpers/temp.js';

const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GIL_AUDIT_NO_CACHE: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SOURCE = `import vendor_sdk
from helpers import fetch_all


async def refresh(device):
    state = vendor_sdk.poll_device(device)
    future = fetch_all(device)
    return state, future
`;
const HELPERS = `import requests
from mylib.threads import run_in_worker


@run_in_worker
def fetch_all(device):
    return requests.get(f"https://api/{device}").json()
`;

function project(settings: { yaml?: string; toml?: string }): string {
  const dir = tempDir('apis');
  writeFileSync(join(dir, 'service.py'), SOURCE);
  writeFileSync(join(dir, 'helpers.py'), HELPERS);
  if (settings.yaml !== undefined) writeFileSync(join(dir, 'gil-audit.yaml'), settings.yaml);
  if (settings.toml !== undefined) writeFileSync(join(dir, 'pyproject.toml'), settings.toml);
  return dir;
}

function findings(dir: string): string[] {
  const r = cli([dir, '--select', 'GA1', '-f', 'json', '--fail-on', 'never', '-q']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as AuditRun).findings.map((f) => `${f.file}:${f.line} ${f.rule}${f.rule === 'GA114' ? ` ${f.recommendation}` : ''}`);
}

test('blocking-apis from gil-audit.yaml: GA114 with the configured suggestion as the fix', () => {
  const dir = project({ yaml: 'blocking-apis:\n  - "vendor_sdk.poll_* -> vendor_sdk.aio.poll_device"\n' });
  assert.deepEqual(findings(dir), ['service.py:6 GA114 vendor_sdk.aio.poll_device', 'service.py:7 GA110']);
});

test('offload-wrappers: a function decorated with a configured wrapper runs off the loop', () => {
  // Without configuration the decorator is unknown, so the call is taken as running the function.
  assert.deepEqual(findings(project({})), ['service.py:7 GA110']);
  const wrapped = project({ toml: '[tool.gil-audit]\noffload-wrappers = ["mylib.threads.run_in_*"]\n' });
  assert.deepEqual(findings(wrapped), []);
});

test('malformed blocking-apis and offload-wrappers exit 2 naming the field', () => {
  const bad = project({ yaml: 'blocking-apis:\n  - pattern: "a b"\n' });
  const r = cli([bad, '-q']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /gil-audit\.yaml:[\s\S]*blocking-apis\[0\]/);
  const unknown = project({ yaml: 'blocking-apis:\n  - pattern: x\n    fix: y\n' });
  assert.equal(cli([unknown, '-q']).code, 2);
  const wrapper = project({ toml: '[tool.gil-audit]\noffload-wrappers = [3]\n' });
  const w = cli([wrapper, '-q']);
  assert.equal(w.code, 2);
  assert.match(w.stderr, /offload-wrappers\[0\]/);
});
