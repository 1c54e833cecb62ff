/**
 * The on-disk form of one cache entry: a fixed header that proves the entry whole and ours, then
 * the facts of one file as JSON text.
 *
 * Stage: cache. Layout (80-byte header, then the payload):
 *
 *   0  8 bytes  magic `GILAUDC\n`
 *   8  u32 LE   entry format version (FORMAT)
 *  12  32 bytes key: sha256 of the scope, the file's path and the sha256 of its bytes
 *  44  u32 LE   payload length
 *  48  32 bytes HMAC-SHA256, under the machine's cache key, of bytes 0-47 and the payload
 *  80  payload  UTF-8 JSON of the file's ModuleFacts
 *
 * An entry is untrusted input (the audited repository may carry a `.gil-audit-cache` of its own):
 * anything short, foreign, of another version or key, or whose MAC does not verify is refused, and
 * the caller rebuilds it. The MAC's key never lives in the project, so no committed entry verifies.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Bumped whenever the layout or the meaning of the payload changes. */
export const FORMAT = 3;

const MAGIC = Buffer.from('GILAUDC\n', 'latin1');
export const HEADER_BYTES = 80;

/** The key of a file's entry: changes when the scope (tool, settings, root), the path or the bytes do. */
export function entryKey(scope: string, rel: string, contentHash: Buffer): Buffer {
  return createHash('sha256').update(scope).update('\0').update(rel).update('\0').update(contentHash).digest();
}

/** The sha256 of a file's bytes. */
export function contentHash(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/**
 * An entry holding `payload` (whole, or as pieces of text) under `key`, sealed with `secret`: the
 * buffers to write, in order, the header first. A payload in pieces is never held as one string.
 */
export function encodeEntry(key: Buffer, payload: string | Iterable<string>, secret: Buffer): Buffer[] {
  const body = typeof payload === 'string' ? [Buffer.from(payload, 'utf8')] : Array.from(payload, (piece) => Buffer.from(piece, 'utf8'));
  const length = body.reduce((sum, piece) => sum + piece.length, 0);
  if (length > 0xffffffff) throw new RangeError(`cache entry of ${length} bytes is too large`);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT, 8);
  key.copy(header, 12);
  header.writeUInt32LE(length, 44);
  mac(secret, header.subarray(0, 48), body).copy(header, 48);
  return [header, ...body];
}

/** The payload of `entry` when it is whole, of this format, under `key` and sealed with `secret`; else undefined. */
export function decodeEntry(entry: Buffer, key: Buffer, secret: Buffer): string | undefined {
  if (entry.length < HEADER_BYTES) return undefined;
  if (!entry.subarray(0, 8).equals(MAGIC) || entry.readUInt32LE(8) !== FORMAT) return undefined;
  if (!entry.subarray(12, 44).equals(key)) return undefined;
  if (entry.readUInt32LE(44) !== entry.length - HEADER_BYTES) return undefined;
  const body = entry.subarray(HEADER_BYTES);
  if (!timingSafeEqual(entry.subarray(48, 80), mac(secret, entry.subarray(0, 48), [body]))) return undefined;
  return body.toString('utf8');
}

/** The HMAC of the header's first 48 bytes and the payload (in one piece or several). */
function mac(secret: Buffer, header: Buffer, body: readonly Buffer[]): Buffer {
  const hmac = createHmac('sha256', secret).update(header);
  for (const piece of body) hmac.update(piece);
  return hmac.digest();
}
