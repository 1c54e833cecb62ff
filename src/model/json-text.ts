/**
 * Pretty-printed JSON text, whole or in pieces: the JSON and SARIF reports of a large project run
 * to tens of megabytes, and holding that text whole (with the copies made to write it) cost more
 * memory than any stage of the audit before it.
 *
 * Stage: model, below the cache (which writes the run memo with it) and the report writers.
 * Input: a plain value (no cycles; no `toJSON` but MappedList's, a list whose items are made as
 * they are written, so that a report's copy of a run's long lists is never whole). Output: exactly
 * `JSON.stringify(value, null, 2)`
 * plus a newline, with the invisible characters below escaped;
 * `jsonPieces` gives it as chunks of about 64 KB, each member of the top levels stringified on its
 * own, so the text is never held whole. `compactPieces` gives `JSON.stringify(value)` in the same
 * way, with every character beyond ASCII as a `\u` escape, for data read back by the tool rather
 * than by people (the run memo): JSON.parse reads back the same value, and the text, ASCII
 * whatever it holds, reads back as a one-byte string (one `→` in 220 MB made the memo's string
 * two-byte: 440 MB).
 */

/** Characters JSON.stringify leaves raw that a terminal or an editor may act on. */
const JSON_INVISIBLE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `items`, each passed through `map` when it is written: a list as JSON.stringify (by `toJSON`)
 * and the pieces here (item by item) write it.
 */
export class MappedList<T, U> {
  constructor(readonly items: readonly T[], readonly map: (item: T) => U) {}

  toJSON(): U[] {
    return this.items.map(this.map);
  }
}

/** Levels of arrays and objects written member by member; deeper values are stringified whole. */
const STREAMED_LEVELS = 2;

/** The size of the chunks `jsonPieces` gives. */
const CHUNK = 1 << 16;

/**
 * `value` as pretty-printed JSON with a trailing newline. JSON already escapes C0 controls; the
 * other characters `visible` escapes are written as `\u` escapes with four hex digits too (they
 * can only occur inside strings), so the data is unchanged and the text is safe to print.
 */
export function jsonText(value: unknown): string {
  return [...jsonPieces(value)].join('');
}

/** The same text as `jsonText`, in chunks of about 64 KB. */
export function jsonPieces(value: unknown): Generator<string> {
  return chunks(escapedEach(members(value, '', STREAMED_LEVELS, true), JSON_INVISIBLE), '\n');
}

/**
 * `JSON.stringify(value)` with the characters beyond ASCII escaped, in chunks of about 64 KB;
 * `levels` as STREAMED_LEVELS (1 for a long list of whole items: fewer, larger pieces).
 */
export function compactPieces(value: unknown, levels = STREAMED_LEVELS): Generator<string> {
  return chunks(escapedEach(members(value, '', levels, false), BEYOND_ASCII));
}

/** `pieces` joined into chunks of at least CHUNK characters, `end` closing the last (which may be shorter). */
function* chunks(pieces: Iterable<string>, end = ''): Generator<string> {
  let buffered = '';
  for (const piece of pieces) {
    buffered += piece;
    if (buffered.length >= CHUNK) {
      yield buffered;
      buffered = '';
    }
  }
  yield buffered + end;
}

/** Characters beyond ASCII (each half of a surrogate pair is escaped on its own, as JSON allows). */
const BEYOND_ASCII = /[\u0080-\uffff]/g;
/** Any character but printable ASCII and the controls JSON escapes: all that either pattern escapes. */
const NOT_PLAIN = /[^\u0000-\u007e]/;

/**
 * `pieces` with each character `pattern` matches written as a `\u` escape with four hex digits.
 * Piece by piece, before they are joined into chunks: a piece is a flat string that most often
 * holds nothing to escape, which a test finds quickly, while a chunk is a rope of pieces that a
 * regular expression first copies whole (escaping a 216 MB run memo took 0.5 to 0.9 s so, 0.2 to
 * 0.4 s piece by piece).
 */
function* escapedEach(pieces: Iterable<string>, pattern: RegExp): Generator<string> {
  for (const piece of pieces) {
    yield NOT_PLAIN.test(piece) ? piece.replace(pattern, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : piece;
  }
}

/** What JSON.stringify writes for an array item it cannot represent, or omits as an object member. */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * JSON.stringify's text of `value` (at `indent`, with two spaces per level, when `pretty`), the
 * first `levels` levels member by member.
 */
function* members(value: unknown, indent: string, levels: number, pretty: boolean): Generator<string> {
  if (levels === 0 || value === null || typeof value !== 'object') {
    if (!pretty) {
      yield JSON.stringify(value);
      return;
    }
    const text = JSON.stringify(value, null, 2);
    // Strings in JSON hold no raw newline, so every newline starts a line of the value.
    yield indent ? text.replace(/\n/g, `\n${indent}`) : text;
    return;
  }
  const inner = `${indent}  `;
  const open = pretty ? `\n${inner}` : '';
  const close = pretty ? `\n${indent}` : '';
  const mapped = value instanceof MappedList ? (value as MappedList<unknown, unknown>) : undefined;
  if (mapped || Array.isArray(value)) {
    const items = mapped ? mapped.items : (value as unknown[]);
    if (items.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < items.length; i++) {
      const item = mapped ? mapped.map(items[i]) : items[i];
      yield `${i > 0 ? ',' : ''}${open}`;
      yield* members(omitted(item) ? null : item, inner, levels - 1, pretty);
    }
    yield `${close}]`;
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((key) => !omitted(record[key]));
  if (keys.length === 0) {
    yield '{}';
    return;
  }
  yield '{';
  for (let i = 0; i < keys.length; i++) {
    yield `${i > 0 ? ',' : ''}${open}${JSON.stringify(keys[i])}:${pretty ? ' ' : ''}`;
    yield* members(record[keys[i]], inner, levels - 1, pretty);
  }
  yield `${close}}`;
}
