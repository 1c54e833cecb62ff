/**
 * The free-threading verdict on three small projects: one whose CPU-bound Python already runs on
 * threads over data of a size the code shows (free-threading would help: the hot path is named),
 * the same loops over data of unknown size (unclear: listed, to be measured), and one whose
 * threads wait on I/O (it would not), each with its dependencies judged from the requirements file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO, auditFiles, readTree } from './helpers/fixtures.js';

const PROJECTS = join(REPO, 'fixtures', 'projects');

test('free-threading would help: CPU-bound Python on a thread pool, dependencies ready', async () => {
  const run = await auditFiles(readTree(join(PROJECTS, 'free-threading-helps')));
  const r = run.readiness!;
  assert.equal(r.wouldHelp.answer, 'yes');
  assert.deepEqual(run.findings.map((f) => `${f.rule} ${f.file}:${f.line}`), ['GA201 imaging/tiles.py:19']);
  assert.deepEqual(r.wouldHelp.hotPaths.map((h) => `${h.qualname} ${h.file}:${h.line} ${h.via}`), [
    'imaging.tiles.render_tile imaging/tiles.py:5 concurrent.futures.ThreadPoolExecutor().map',
  ]);
  assert.deepEqual(r.dependencies.map((d) => `${d.name} ${d.status}`), ['numpy ready']);
  assert.equal(r.path.action, 'adopt-free-threading');
  assert.equal(r.score, 100);
});

test('free-threading may help: the loops on threads look CPU-bound, but nothing shows their data is large', async () => {
  const run = await auditFiles(readTree(join(PROJECTS, 'free-threading-unclear')));
  const r = run.readiness!;
  assert.equal(r.wouldHelp.answer, 'unclear');
  assert.match(r.wouldHelp.reason, /^1 function on threads looks CPU-bound, but its work could not be shown to be large enough to matter/);
  assert.deepEqual(r.wouldHelp.hotPaths.map((h) => `${h.qualname} ${h.file}:${h.line} ${h.via}`), [
    'imaging.tiles.render_tile imaging/tiles.py:5 concurrent.futures.ThreadPoolExecutor().map',
  ]);
  // No finding either: GA201 needs the same proof.
  assert.deepEqual(run.findings.map((f) => f.rule), []);
});

test('free-threading would not help: the threads wait on the network', async () => {
  const run = await auditFiles(readTree(join(PROJECTS, 'free-threading-no-help')));
  const r = run.readiness!;
  assert.equal(r.wouldHelp.answer, 'no');
  assert.match(r.wouldHelp.reason, /waits on I\/O/);
  assert.deepEqual(r.wouldHelp.hotPaths, []);
  assert.equal(r.path.action, 'not-needed');
  assert.deepEqual(r.dependencies.map((d) => `${d.name} ${d.status}`), ['requests pure-python']);
});
