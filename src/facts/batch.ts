/**
 * One batch of files to facts: read, parse and extract each file, through the cache.
 *
 * Stage: parse + facts. Runs in a parse worker (worker.ts), or on the main thread when a run has
 * a single batch (see pool.ts), so both give the same response. Facts are read from flat trees
 * (parse/flat.ts), whose native tree is freed before the parse call returns, so no turn of the
 * event loop is needed between files; the floor's node-tree-sitter trees are freed only on such a
 * turn (see shared/MEASUREMENTS.md), so the floor yields after each. With a cache, a file whose
 * bytes have a valid entry is not parsed at all: the entry's JSON is passed on as it is (found by
 * the digest the main thread took, when it sends one, without reading the file again); the facts
 * of every other file read are stored for next time.
 */
import { readFileSync } from 'node:fs';
import { createNodeParser, createParser, typeIds, type PythonParser, type TypeIds } from '../parse/language.js';
import { emptyFacts, factsForBytes } from './index.js';
import { readSourceFile } from './read-source.js';
import { factsToText } from './wire.js';
import { contentHash, entryKey } from '../cache/entry.js';
import { readEntry, writeEntry, type CacheHandle } from '../cache/store.js';
import type { PoolFile, WorkerRequest, WorkerResponse } from './pool.js';

/** What every batch of a run shares: the limits, the real paths files may lie in, the cache. */
export interface BatchSettings {
  maxBytes?: number;
  allowed?: readonly string[];
  cache?: CacheHandle;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class BatchRunner {
  /** The flat parser and its type ids, made on the first file parsed for facts (the floor needs neither). */
  private python: { parser: PythonParser; ids: TypeIds } | undefined;
  /** node-tree-sitter's parser, for the benchmark's floor only. */
  private floorParser: ReturnType<typeof createNodeParser> | undefined;
  /** The first write that failed (each later one is still tried: one entry in the way stops no other). */
  private writeError: string | undefined;

  constructor(private readonly settings: BatchSettings) {}

  async run(request: WorkerRequest): Promise<WorkerResponse> {
    const facts: string[] = [];
    const response: WorkerResponse = { id: request.id, facts: '', floor: { files: 0, bytes: 0 }, cache: { hits: 0, misses: 0 } };
    for (const file of request.files) {
      let floorParsed = false;
      try {
        if (request.mode === 'floor') {
          const text = readFileSync(file.abs, 'utf8');
          (this.floorParser ??= createNodeParser()).parse(text);
          response.floor.files++;
          response.floor.bytes += text.length;
          floorParsed = true;
        } else {
          facts.push(this.factsText(file, response.cache));
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
    if (this.writeError) response.cache.writeError = this.writeError;
    // One JSON string crosses threads far faster than a structured clone of many small objects.
    response.facts = `[${facts.join(',')}]`;
    return response;
  }

  /**
   * The facts of `file` as JSON. A file that cannot be read (its issue depends on more than its
   * bytes) is never cached.
   */
  private factsText(file: PoolFile, stats: WorkerResponse['cache']): string {
    const { cache, allowed, maxBytes } = this.settings;
    // Bytes the main thread already hashed are looked up by that digest, without reading them again.
    const known = cache && file.digest !== undefined ? readEntry(cache, file.rel, entryKey(cache.scope, file.rel, Buffer.from(file.digest, 'hex'))) : undefined;
    if (known !== undefined) {
      stats.hits++;
      return known;
    }
    const path = file.raw ? Buffer.from(file.raw.buffer, file.raw.byteOffset, file.raw.byteLength) : file.abs;
    const read = readSourceFile(path, allowed, maxBytes);
    if ('issue' in read) return JSON.stringify(emptyFacts(file.rel, read.size, [read.issue]));
    if (!cache) return factsToText(this.factsForBytes(read.bytes, file.rel));
    const hash = contentHash(read.bytes);
    const key = entryKey(cache.scope, file.rel, hash);
    // Already looked up above, unless the file changed after the main thread hashed it.
    const cached = file.digest === hash.toString('hex') ? undefined : readEntry(cache, file.rel, key);
    if (cached !== undefined) {
      stats.hits++;
      return cached;
    }
    stats.misses++;
    const text = factsToText(this.factsForBytes(read.bytes, file.rel));
    if (cache.writable) {
      try {
        writeEntry(cache, file.rel, key, text);
      } catch (error) {
        this.writeError ??= (error as NodeJS.ErrnoException).code ?? String(error);
      }
    }
    return text;
  }

  private factsForBytes(bytes: Buffer, rel: string): ReturnType<typeof factsForBytes> {
    if (!this.python) {
      const parser = createParser();
      this.python = { parser, ids: typeIds(parser) };
    }
    return factsForBytes(bytes, rel, this.python.parser, this.python.ids, this.settings.maxBytes);
  }
}
