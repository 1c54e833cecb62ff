/**
 * A parse worker: reads, parses and extracts facts for batches of files.
 *
 * Stage: parse + facts. Input: batches of {abs, rel} from the pool; output: ModuleFacts per file (or, in
 * floor mode, only counts, for the benchmark's parse-only baseline). Trees never leave this
 * thread, and the worker yields to its event loop between files so the native binding can free
 * each dropped tree (see shared/MEASUREMENTS.md: without a turn of the loop, memory grows with
 * every tree).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createParser, typeIds } from '../parse/language.js';
import { factsForFile } from './index.js';
import type { WorkerRequest, WorkerResponse } from './pool.js';
import type { ModuleFacts } from './types.js';

const parser = createParser();
const ids = typeIds(parser);
const { maxBytes, allowed } = (workerData ?? {}) as { maxBytes?: number; allowed?: string[] };
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

// Batches are handled one after another, though the pool sends the next before this one ends.
let queue = Promise.resolve();
parentPort!.on('message', (request: WorkerRequest) => {
  queue = queue.then(() => handle(request));
});

async function handle(request: WorkerRequest): Promise<void> {
  const facts: ModuleFacts[] = [];
  const response: WorkerResponse = { id: request.id, facts: '', floor: { files: 0, bytes: 0 } };
  for (const file of request.files) {
    try {
      if (request.mode === 'floor') {
        const text = readFileSync(file.abs, 'utf8');
        parser.parse(text);
        response.floor.files++;
        response.floor.bytes += text.length;
      } else {
        facts.push(factsForFile(file, parser, ids, maxBytes, allowed));
      }
    } catch (error) {
      facts.push({
        path: file.rel, module: '', isPackage: false, lines: 0, bytes: 0, imports: [], classes: [],
        functions: [], suppressions: [], asyncLibraries: [], hasMainGuard: false,
        issues: [{ kind: 'unreadable', message: `internal error while analysing this file (${(error as Error).message}); please report it` }],
      });
    }
    await yieldToLoop();
  }
  // One JSON string crosses threads far faster than a structured clone of many small objects.
  response.facts = JSON.stringify(facts);
  parentPort!.postMessage(response);
}
