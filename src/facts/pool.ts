/**
 * A pool of parse workers sized to the cores, handing out small batches of files.
 *
 * Stage: parse + facts. Input: files to analyse; output: ModuleFacts in the order of the input. Small
 * batches keep both cores busy to the end and bound the trees alive at once. Given a cache, the
 * workers take the facts of unchanged files from it instead of parsing them. A run of a single
 * batch runs it on the main thread (batch.ts is the same code either way).
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { ModuleFacts } from './types.js';
import type { CacheHandle } from '../cache/store.js';
import type { BatchSettings } from './batch.js';
import { checkParser, releaseParserMemory } from '../parse/flat.js';
import { factsFromText } from './wire.js';
import { SharedValues } from './shared-values.js';

/** A file to analyse; `raw` is its path as bytes when its name is not valid UTF-8. */
export interface PoolFile {
  abs: string;
  rel: string;
  raw?: Uint8Array;
  /**
   * The sha256 (hex) of its bytes, when the main thread already read them (for the run memo): a
   * worker with a cache then looks up the entry without reading the file again.
   */
  digest?: string;
}

export interface WorkerRequest {
  id: number;
  mode: 'facts' | 'floor';
  files: PoolFile[];
}

/** Sent once no batch is left: the worker ends after its last batch, by itself. */
export interface WorkerClose {
  close: true;
}

export interface WorkerResponse {
  id: number;
  /** ModuleFacts[] as JSON, each module as wire.ts writes it. */
  facts: string;
  floor: { files: number; bytes: number };
  /** Files whose facts came from the cache (not parsed) and files parsed; the first failed write. */
  cache: CacheStats;
}

export interface CacheStats {
  hits: number;
  misses: number;
  writeError?: string;
}

export interface PoolOptions {
  jobs?: number;
  maxBytes?: number;
  /** Real paths the files may lie in (the audit root...): a file that leads elsewhere when read is not read. */
  allowed?: readonly string[];
  /** Called after each batch with the number of files done so far. */
  onProgress?: (done: number, total: number) => void;
  /** Applied to each batch's facts on arrival (to drop what later stages cannot use, early). */
  onFacts?: (facts: ModuleFacts[]) => void;
  /** The cache the workers read facts from and store them in (see src/cache/). */
  cache?: CacheHandle;
  /** Filled with what the cache did, when given. */
  cacheStats?: CacheStats;
}

const BATCH = 16;

/** Runs every file through the workers; resolves with facts in input order. */
export async function runPool(files: PoolFile[], mode: 'facts', options?: PoolOptions): Promise<ModuleFacts[]>;
export async function runPool(files: PoolFile[], mode: 'floor', options?: PoolOptions): Promise<{ files: number; bytes: number }>;
export async function runPool(files: PoolFile[], mode: 'facts' | 'floor', options: PoolOptions = {}): Promise<ModuleFacts[] | { files: number; bytes: number }> {
  const jobs = Math.max(1, Math.min(options.jobs ?? availableParallelism(), Math.ceil(files.length / BATCH) || 1));
  const batches: WorkerRequest[] = [];
  for (let i = 0; i < files.length; i += BATCH) batches.push({ id: batches.length, mode, files: files.slice(i, i + BATCH) });
  const results: ModuleFacts[][] = new Array(batches.length);
  const floor = { files: 0, bytes: 0 };
  let next = 0;
  let done = 0;
  // Equal names of all the batches are one string (dropped with the pool, once the facts are in).
  const shared = new SharedValues();
  /** Takes in one batch's response. */
  const accept = (response: WorkerResponse) => {
    const facts = mode === 'facts' ? factsFromText(response.facts, shared) : [];
    options.onFacts?.(facts);
    results[response.id] = facts;
    floor.files += response.floor.files;
    floor.bytes += response.floor.bytes;
    if (options.cacheStats) {
      options.cacheStats.hits += response.cache.hits;
      options.cacheStats.misses += response.cache.misses;
      options.cacheStats.writeError ??= response.cache.writeError;
    }
    done += batches[response.id].files.length;
    options.onProgress?.(done, files.length);
  };
  const settings: BatchSettings = { maxBytes: options.maxBytes, allowed: options.allowed, cache: options.cache };
  // A parser that is not built is one clear error here (a ParserSetupError), not a failed worker.
  if (mode === 'facts' && batches.length > 0) checkParser();
  if (mode === 'facts' && batches.length <= 1) {
    // Starting a worker costs more than one batch takes (a pre-commit run of a few files): run it here.
    if (batches.length === 1) {
      const { BatchRunner } = await import('./batch.js');
      accept(await new BatchRunner(settings).run(batches[0]));
    }
    return results.flat();
  }
  const workerUrl = new URL('./worker.js', import.meta.url);
  const workers = Array.from({ length: jobs }, () => new Worker(workerUrl, { workerData: settings }));
  const exited = workers.map((worker) => new Promise<void>((resolve) => worker.once('exit', () => resolve())));
  const feeds: (() => void)[] = [];
  try {
    const running = workers.map((worker) => new Promise<void>((resolve, reject) => {
      let inFlight = 0;
      const feed = () => {
        if (next >= batches.length) {
          if (inFlight === 0) resolve();
          return;
        }
        inFlight++;
        worker.postMessage(batches[next++]);
      };
      feeds.push(feed);
      worker.on('message', (response: WorkerResponse) => {
        accept(response);
        inFlight--;
        feed();
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (next < batches.length || inFlight > 0 || code !== 0) reject(new Error(`parse worker exited with code ${code}`));
      });
    }));
    // One batch to each worker, then a second each, so a worker never waits while the main
    // thread is busy and no worker is left without work while another holds two batches.
    for (let round = 0; round < 2; round++) for (const feed of feeds) feed();
    await Promise.all(running);
  } finally {
    await stopAll(workers, exited);
  }
  if (mode === 'facts') releaseParserMemory();
  return mode === 'floor' ? floor : results.flat();
}

/** How long a worker may take to finish its batch and end once asked, before it is stopped. */
const STOP_GRACE_MS = 30_000;

/**
 * Asks every worker to end once its current batch is done, and waits until they have. A worker
 * is never terminated while it may be inside the native parser (starting up, or mid-batch after
 * another worker failed): terminating a thread during a call into the binding aborts the whole
 * process. Only a worker that has not ended after STOP_GRACE_MS is terminated.
 */
async function stopAll(workers: Worker[], exited: Promise<void>[]): Promise<void> {
  const close: WorkerClose = { close: true };
  for (const worker of workers) worker.postMessage(close);
  await Promise.all(workers.map(async (worker, i) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), STOP_GRACE_MS); });
    if (await Promise.race([exited[i], late]) === 'late') await worker.terminate();
    clearTimeout(timer);
  }));
}
