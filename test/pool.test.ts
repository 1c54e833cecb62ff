/**
 * The parse pool's life cycle: a single batch runs on the main thread; otherwise every worker
 * gets work before any gets a second batch, and the workers end by themselves (a worker terminated during a call into the native parser, for
 * instance while it is still starting up, aborts the whole process).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { REPO, readTree } from './helpers/fixtures.js';
import { runPool, type PoolFile } from '../src/facts/pool.js';

/** The first `count` Python files of the sample project, in name order. */
function sampleFiles(count: number): PoolFile[] {
  const dir = join(REPO, 'fixtures', 'sample');
  const files = [...readTree(dir).keys()].filter((rel) => rel.endsWith('.py')).sort().map((rel) => ({ abs: join(dir, rel), rel }));
  assert.ok(files.length >= count, `the sample project has ${files.length} Python files`);
  return files.slice(0, count);
}

test('the pool ends its workers without terminating them, and gives each worker a batch first', async () => {
  const terminate = Worker.prototype.terminate;
  const postMessage = Worker.prototype.postMessage;
  let terminated = 0;
  const batchesByWorker = new Map<Worker, number>();
  Worker.prototype.terminate = function (this: Worker) {
    terminated++;
    return terminate.call(this);
  };
  Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
    if (typeof message === 'object' && message !== null && 'files' in message) batchesByWorker.set(this, (batchesByWorker.get(this) ?? 0) + 1);
    return (postMessage as (...args: unknown[]) => void).call(this, message, ...rest);
  };
  try {
    // 17 files are two batches of 16 and 1: one for each of the two workers.
    const files = sampleFiles(17);
    for (let round = 0; round < 5; round++) {
      const facts = await runPool(files, 'facts', { jobs: 2 });
      assert.deepEqual(facts.map((f) => f.path), files.map((f) => f.rel));
    }
  } finally {
    Worker.prototype.terminate = terminate;
    Worker.prototype.postMessage = postMessage;
  }
  assert.equal(terminated, 0);
  assert.deepEqual([...batchesByWorker.values()], Array(10).fill(1));
});

test('a single batch runs on the main thread, with no worker, and gives the same facts', async () => {
  const postMessage = Worker.prototype.postMessage;
  let posted = 0;
  Worker.prototype.postMessage = function (this: Worker, ...args: unknown[]) {
    posted++;
    return (postMessage as (...a: unknown[]) => void).apply(this, args);
  };
  let one;
  try {
    one = await runPool(sampleFiles(3), 'facts', { jobs: 2 });
  } finally {
    Worker.prototype.postMessage = postMessage;
  }
  assert.equal(posted, 0);
  // The same files in a run of two batches (through workers) have the same facts.
  const many = await runPool(sampleFiles(17), 'facts', { jobs: 2 });
  assert.deepEqual(one, many.slice(0, 3));
  assert.deepEqual(await runPool([], 'facts', { jobs: 2 }), []);
});
