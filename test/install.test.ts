/**
 * An installation whose native parser was not built (no compiler when `npm ci` ran, or a build
 * deleted since): the audit stops with one clear error naming the file and the fix, not a stack
 * trace from a worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO } from './helpers/fixtures.js';
import { tempDir } from './helpers/temp.js';

test('without the native parser built, the audit fails with the file and the fix', () => {
  // A copy of the installed package without build/: compiled code, rules, schemas, dependencies.
  const root = tempDir('unbuilt');
  cpSync(join(REPO, 'dist', 'src'), join(root, 'dist', 'src'), { recursive: true });
  cpSync(join(REPO, 'package.json'), join(root, 'package.json'));
  mkdirSync(join(root, 'src'));
  for (const dir of ['rules', 'node_modules', join('src', 'schema')]) symlinkSync(join(REPO, dir), join(root, dir));
  const r = spawnSync(process.execPath, [join(root, 'dist', 'src', 'cli', 'main.js'), join(REPO, 'fixtures', 'sample'), '--no-cache', '-f', 'json'], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim(), 'gil-audit: error: the native Python parser build/Release/python_flat.node is missing; install again with `npm ci` (node-gyp builds it, with python3, make and a C compiler)');
});
