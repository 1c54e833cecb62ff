/**
 * A parse worker: runs the batches the pool sends through a BatchRunner (batch.ts) and posts
 * each response back.
 *
 * Stage: parse + facts. Input: batches of {abs, rel} from the pool; output: ModuleFacts per file as
 * JSON (or, in floor mode, only counts, for the benchmark's parse-only baseline).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BatchRunner, type BatchSettings } from './batch.js';
import type { WorkerClose, WorkerRequest } from './pool.js';

const runner = new BatchRunner((workerData ?? {}) as BatchSettings);

// Batches are handled one after another, though the pool sends the next before this one ends.
let queue = Promise.resolve();
// Asked to close, it ends after the batches it holds: the pool never terminates a busy worker.
parentPort!.on('message', (request: WorkerRequest | WorkerClose) => {
  queue = queue.then(async () => {
    if ('close' in request) parentPort!.close();
    else parentPort!.postMessage(await runner.run(request));
  });
});
