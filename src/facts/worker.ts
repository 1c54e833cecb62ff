/**
 * A parse worker: reads, parses and extracts facts for batches of files, through the cache.
 *
 * Stage: parse + facts. Input: batches of {abs, rel} from the pool; output: ModuleFacts per file (or, in
 * floor mode, only counts, for the benchmark's parse-only baseline). Facts are read from flat
 * trees (parse/flat.ts), whose native tree is freed before the parse call returns, so no turn of
 * the event loop is needed between files; the floor's node-tree-sitter trees are freed only on
 * such a turn (see shared/MEASUREMENTS.md), so the floor yields after each. With a cache, a file
 * whose bytes have a valid entry is not parsed at all: the entry's JSON is passed on as it is (found by the digest the main thread took, when it sends one,
 * without reading the file again); the facts of every other file read are stored for next time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createNodeParser, createParser, typeIds } from '../parse/language.js';
import { emptyFacts, factsForBytes } from './index.js';
import { readSourceFile } from './read-source.js';
import { contentHash, entryKey } from '../cache/entry.js';
import { readEntry, writeEntry, type CacheHandle } from '../cache/store.js';
import type { PoolFile, WorkerClose, WorkerRequest, WorkerResponse } from './pool.js';

const parser = createParser();
const ids = typeIds(parser);
/** node-tree-sitter's parser, for the benchmark's floor only. */
let floorParser: ReturnType<typeof createNodeParser> | undefined;
const { maxBytes, allowed, cache } = (workerData ?? {}) as { maxBytes?: number; allowed?: string[]; cache?: CacheHandle };
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
/** The first write that failed (each later one is still tried: one entry in the way stops no other). */
let writeError: string | undefined;

// Batches are handled one after another, though the pool sends the next before this one ends.
let queue = Promise.resolve();
// Asked to close, it ends after the batches it holds: the pool never terminates a busy worker.
parentPort!.on('message', (request: WorkerRequest | WorkerClose) => {
  queue = queue.then(() => ('close' in request ? parentPort!.close() : handle(request)));
});

async function handle(request: WorkerRequest): Promise<void> {
  const facts: string[] = [];
  const response: WorkerResponse = { id: request.id, facts: '', floor: { files: 0, bytes: 0 }, cache: { hits: 0, misses: 0 } };
  for (const file of request.files) {
    let floorParsed = false;
    try {
      if (request.mode === 'floor') {
        const text = readFileSync(file.abs, 'utf8');
        (floorParser ??= createNodeParser()).parse(text);
        response.floor.files++;
        response.floor.bytes += text.length;
        floorParsed = true;
      } else {
        facts.push(factsText(file, response.cache));
      }
    } catch (error) {
      facts.push(JSON.stringify({
        path: file.rel, module: '', isPackage: false, lines: 0, bytes: 0, imports: [], classes: [],
        functions: [], suppressions: [], asyncLibraries: [], hasMainGuard: false,
        issues: [{ kind: 'unreadable', message: `internal error while analysing this file (${(error as Error).message}); please report it` }],
      }));
    }
    if (floorParsed) await yieldToLoop();
  }
  if (writeError) response.cache.writeError = writeError;
  // One JSON string crosses threads far faster than a structured clone of many small objects.
  response.facts = `[${facts.join(',')}]`;
  parentPort!.postMessage(response);
}

/**
 * The facts of `file` as JSON. A file that cannot be read (its issue depends on more than its
 * bytes) is never cached.
 */
function factsText(file: PoolFile, stats: WorkerResponse['cache']): string {
  // Bytes the main thread already hashed are looked up by that digest, without reading them again.
  const known = cache && file.digest !== undefined ? readEntry(cache, file.rel, entryKey(cache.scope, file.rel, Buffer.from(file.digest, 'hex'))) : undefined;
  if (known !== undefined) {
    stats.hits++;
    return known;
  }
  const path = file.raw ? Buffer.from(file.raw.buffer, file.raw.byteOffset, file.raw.byteLength) : file.abs;
  const read = readSourceFile(path, allowed, maxBytes);
  if ('issue' in read) return JSON.stringify(emptyFacts(file.rel, read.size, [read.issue]));
  if (!cache) return JSON.stringify(factsForBytes(read.bytes, file.rel, parser, ids, maxBytes));
  const hash = contentHash(read.bytes);
  const key = entryKey(cache.scope, file.rel, hash);
  // Already looked up above, unless the file changed after the main thread hashed it.
  const cached = file.digest === hash.toString('hex') ? undefined : readEntry(cache, file.rel, key);
  if (cached !== undefined) {
    stats.hits++;
    return cached;
  }
  stats.misses++;
  const text = JSON.stringify(factsForBytes(read.bytes, file.rel, parser, ids, maxBytes));
  if (cache.writable) {
    try {
      writeEntry(cache, file.rel, key, text);
    } catch (error) {
      writeError ??= (error as NodeJS.ErrnoException).code ?? String(error);
    }
  }
  return text;
}
