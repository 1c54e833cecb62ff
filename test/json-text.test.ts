/** JSON text in pieces: exactly JSON.stringify's pretty text, never held whole for a large report. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactPieces, jsonPieces, jsonText, MappedList } from '../src/model/json-text.js';

const stringified = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

test('the text is JSON.stringify\'s, two-space indented, at every depth and for every kind of member', () => {
  const values: unknown[] = [
    null, 0, -1.5e-7, true, 'plain', [], {}, [[]], [{}], { a: [] }, { a: {} },
    { a: 1, b: undefined, c: () => 1, d: null, e: [undefined, () => 1, Symbol('s'), 2] },
    { only: undefined },
    [1, [2, [3, [4, { five: [6, { seven: 'deep' }] }]]]],
    { findings: [{ rule: 'GA101', message: 'line\nbreak\ttab "quoted" \\ back', lines: [1, 2] }], functions: [], summary: { files: 3, byRule: {} } },
    { 'key with "quotes"': { 'ключ': '🙂 astral', '': '' } },
  ];
  for (const value of values) assert.equal(jsonText(value), stringified(value), JSON.stringify(value));
});

test('characters a terminal or editor may act on are escaped inside strings, as before', () => {
  const value = { text: 'a\u202eb\u2028c\u0085d\u007f', list: ['\u2066x\u2069'] };
  const expected = stringified(value).replace(/\u202e/, '\\u202e').replace(/\u2028/, '\\u2028').replace(/\u0085/, '\\u0085').replace(/\u007f/, '\\u007f').replace(/\u2066/, '\\u2066').replace(/\u2069/, '\\u2069');
  assert.equal(jsonText(value), expected);
  assert.doesNotMatch(jsonText(value), /[\u202e\u2028\u0085\u007f\u2066\u2069]/);
});

test('a large report comes in pieces of about 64 KB that join to the whole text', () => {
  const functions = Array.from({ length: 20_000 }, (_, i) => ({ qualname: `pkg.mod.f${i}`, file: `pkg/mod${i % 50}.py`, line: i + 1, evidence: [{ kind: 'cpu-gil', reason: 'a `for` loop over `rows`', line: i + 2 }] }));
  const value = { version: 1, summary: { functions: functions.length }, functions };
  const pieces = [...jsonPieces(value)];
  assert.equal(pieces.join(''), stringified(value));
  assert.ok(pieces.length > 20, `${pieces.length} pieces`);
  // Each piece is a chunk of about 64 KB (the last is what is left), never the whole text.
  for (const piece of pieces.slice(0, -1)) assert.ok(piece.length >= 65_536 && piece.length < 66_000, `${piece.length}`);
  assert.ok(pieces[pieces.length - 1].length <= 66_000);
});

test('compact pieces are JSON.stringify\'s text in ASCII, for data the tool reads back (the run memo)', () => {
  const values: unknown[] = [
    null, 0, 'plain', [], {}, [[]], { a: [], b: {} },
    { a: 1, b: undefined, c: () => 1, d: null, e: [undefined, () => 1, Symbol('s'), 2] },
    [1, [2, [3, [4, { five: [6, { seven: 'deep\n\u2028' }] }]]]],
    { 'key with "quotes"': { 'ключ': '🙂 astral', '': '' } },
  ];
  for (const value of values) {
    const text = [...compactPieces(value)].join('');
    assert.match(text, /^[\x00-\x7f]*$/, 'only ASCII');
    // The same value read back; text that was ASCII already is unchanged.
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)), JSON.stringify(value));
    if (/^[\x00-\x7f]*$/.test(JSON.stringify(value))) assert.equal(text, JSON.stringify(value));
  }
  assert.equal([...compactPieces({ chain: 'a → b', '🙂': 'é' })].join(''), '{"chain":"a \\u2192 b","\\ud83d\\ude42":"\\u00e9"}');
  const large = { findings: Array.from({ length: 20_000 }, (_, i) => ({ rule: 'GA101', line: i, text: `f${i}()` })) };
  const pieces = [...compactPieces(large)];
  assert.equal(pieces.join(''), JSON.stringify(large));
  assert.ok(pieces.length > 5 && pieces.slice(0, -1).every((p) => p.length >= 65_536 && p.length < 66_000), `${pieces.length} pieces`);
});

test('a mapped list is written as the list of its mapped items, each made only when it is written', () => {
  const made: number[] = [];
  const list = new MappedList([1, 2, 3], (n) => {
    made.push(n);
    return { n, square: n * n, nested: [{ deep: `${n}→` }] };
  });
  // At the streamed levels item by item, deeper (inside `after`) through toJSON, as JSON.stringify writes it.
  const value = { before: 'x', items: list, empty: new MappedList([], (n: number) => n), after: [list] };
  const expected = JSON.stringify(value, null, 2);
  assert.equal(expected.includes('"square": 9'), true);
  assert.equal([...jsonPieces(value)].join(''), `${expected}\n`);
  assert.equal([...compactPieces(value)].join(''), JSON.stringify(value).replaceAll('→', '\\u2192'));
  // A long list: the first piece is given before most items are made.
  made.length = 0;
  const long = new MappedList(Array.from({ length: 10_000 }, (_, i) => i), (n) => {
    made.push(n);
    return { text: 'x'.repeat(100), n };
  });
  const pieces = jsonPieces({ long });
  pieces.next();
  assert.ok(made.length > 0 && made.length < 1_000, `${made.length} items made for the first piece`);
  assert.equal([...pieces].length > 10, true);
  assert.equal(made.length, 10_000);
});
