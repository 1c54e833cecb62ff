/**
 * The sha256 of each Python file's bytes, read again only for files whose stat changed.
 *
 * Stage: cache, before the run memo. The run memo and the per-file entries are keyed by the bytes
 * of every file, so each run hashed every file: on the standard library 1,789 files and 31 MB,
 * most of a run that reuses the memo. As git's index does, the digest is kept with the file's
 * stat (size, inode, device, modification and change times in nanoseconds), and a file whose stat
 * is the same is not read. The change time moves on every write and cannot be set back by a
 * program, and a file written in the last seconds before it was hashed is not remembered (a write
 * within the same tick of a coarse clock would leave its times as they were). Links, unreadable
 * and oversized files are always read again. The digests are one entry of the scope (entry.ts
 * layout, sealed with the machine's key): a foreign or damaged one is not used, and it is
 * rewritten only when a digest changed.
 */
import { createHash } from 'node:crypto';
import { lstatSync, type BigIntStats } from 'node:fs';
import { contentHash } from './entry.js';
import { DIGESTS_ENTRY, readEntry, writeEntry, type CacheHandle } from './store.js';

/** A file modified this recently (before it was hashed) is not remembered. */
const SETTLE_NS = 3_000_000_000n;

/** A file's digest, or why it cannot be read. */
export interface FileDigest {
  hash?: string;
  unread?: string;
}

/** A file's stat as remembered, then the sha256 (hex) of its bytes. */
type Remembered = [size: string, ino: string, dev: string, mtimeNs: string, ctimeNs: string, hash: string];

/** Reads a file as the parse workers do (facts/read-source.ts): its bytes, or why they cannot be read. */
export type ReadFile = (path: string | Buffer) => { bytes: Buffer } | { issue: { message: string } };

/** A Python file: its audit-relative path, and the path to read it by (a Buffer for a name that is not valid UTF-8). */
export interface DigestFile {
  rel: string;
  path: string | Buffer;
}

export class FileDigests {
  /** Files read (and hashed) so far. */
  reads = 0;
  private readonly known: Map<string, Remembered>;
  private readonly next = new Map<string, Remembered>();
  private changed = false;

  /** `read`: how the files are read; `maxBytes`: the size over which a file is not read (it has no digest). */
  constructor(private readonly handle: CacheHandle | undefined, private readonly read: ReadFile, private readonly maxBytes: number) {
    this.known = handle ? loadDigests(handle) : new Map();
  }

  /** The digest of `file` as the parse workers would read it, from its stat when unchanged. */
  digest(file: DigestFile): FileDigest {
    // A name that is not valid UTF-8 (a Buffer) is read every time.
    const path = typeof file.path === 'string' ? file.path : undefined;
    const remembered = path !== undefined ? this.known.get(file.rel) : undefined;
    if (path !== undefined && remembered) {
      const stats = statOf(path);
      if (stats && Number(stats.size) <= this.maxBytes && sameStat(stats, remembered)) {
        this.next.set(file.rel, remembered);
        return { hash: remembered[5] };
      }
    }
    this.reads++;
    const before = path !== undefined ? statOf(path) : undefined;
    const read = this.read(file.path);
    if (!('bytes' in read)) return { unread: read.issue.message };
    const hash = contentHash(read.bytes).toString('hex');
    const after = path !== undefined && before ? statOf(path) : undefined;
    // Only a regular file, the same before and after the read, and not written (nor its times set) in the last seconds.
    if (before && after && sameStat(after, record(before, hash)) && after.ctimeNs < BigInt(Date.now()) * 1_000_000n - SETTLE_NS) {
      this.next.set(file.rel, record(after, hash));
      this.changed = true;
    }
    return { hash };
  }

  /** Keeps the digests of the files seen since the start, when any changed (best effort: a failed write only costs reading them again). */
  save(): void {
    // Every remembered file still the same, none added: the entry already says all of it.
    if (!this.handle?.writable || (!this.changed && this.next.size === this.known.size)) return;
    try {
      writeEntry(this.handle, DIGESTS_ENTRY, digestsKey(this.handle), JSON.stringify([...this.next]));
    } catch {
      // The next run reads the files again.
    }
  }
}

function digestsKey(handle: CacheHandle): Buffer {
  return createHash('sha256').update(handle.scope).update('\0digests').digest();
}

/** The remembered digests, none when the entry is missing, foreign or damaged. */
function loadDigests(handle: CacheHandle): Map<string, Remembered> {
  const text = readEntry(handle, DIGESTS_ENTRY, digestsKey(handle));
  if (text === undefined) return new Map();
  try {
    const entries = JSON.parse(text) as unknown;
    if (!Array.isArray(entries)) return new Map();
    const valid = entries.filter((e): e is [string, Remembered] =>
      Array.isArray(e) && typeof e[0] === 'string' && Array.isArray(e[1]) && e[1].length === 6 && e[1].every((v: unknown) => typeof v === 'string'));
    return new Map(valid);
  } catch {
    return new Map();
  }
}

/** The stat of a regular file at `path` (a link is not followed), or undefined. */
function statOf(path: string): BigIntStats | undefined {
  try {
    const stats = lstatSync(path, { bigint: true });
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

function record(stats: BigIntStats, hash: string): Remembered {
  return [String(stats.size), String(stats.ino), String(stats.dev), String(stats.mtimeNs), String(stats.ctimeNs), hash];
}

function sameStat(stats: BigIntStats, remembered: Remembered): boolean {
  return String(stats.size) === remembered[0] && String(stats.ino) === remembered[1] && String(stats.dev) === remembered[2]
    && String(stats.mtimeNs) === remembered[3] && String(stats.ctimeNs) === remembered[4];
}
