/** Equal names and parameter lists read in one run are one copy (src/facts/shared-values.ts), and read back unchanged. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser, typeIds } from '../src/parse/language.js';
import { factsForSource } from '../src/facts/index.js';
import { factsFromText, factsToText } from '../src/facts/wire.js';
import { EMPTY, SharedValues } from '../src/facts/shared-values.js';

const parser = createParser();
const ids = typeIds(parser);
const text = (source: string, rel: string) => factsToText(factsForSource(source, rel, parser, ids));
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const A = 'class Repo:\n    def save(self, row: dict):\n        pass\n    def load(self):\n        pass\n';
const B = 'class Cache:\n    def get(self):\n        return 1\n    def put(self, row: dict):\n        pass\n';

test('modules read in one run share equal parameter lists and every empty list', () => {
  const shared = new SharedValues();
  const [a, b] = factsFromText(`[${text(A, 'pkg/a.py')},${text(B, 'pkg/b.py')}]`, shared);
  const method = (m: typeof a, name: string) => m.functions.find((f) => f.name === name)!;
  assert.equal(method(a, 'load').params, method(b, 'get').params);
  assert.equal(method(a, 'save').params, method(b, 'put').params);
  assert.notEqual(method(a, 'save').params, method(a, 'load').params);
  assert.ok(Object.isFrozen(method(a, 'save').params));
  assert.equal(method(a, 'load').decorators, EMPTY);
  assert.equal(method(b, 'get').loops, EMPTY);
  // Read apart (another run), the lists are their own.
  const [other] = factsFromText(`[${text(B, 'pkg/b.py')}]`, new SharedValues());
  assert.notEqual(method(other, 'get').params, method(a, 'load').params);
});

test('sharing changes nothing that is read', () => {
  const made = [factsForSource(A, 'pkg/a.py', parser, ids), factsForSource(B, 'pkg/b.py', parser, ids)];
  const read = factsFromText(`[${text(A, 'pkg/a.py')},${text(B, 'pkg/b.py')}]`, new SharedValues());
  assert.deepEqual(plain(read), plain(made));
  const shared = new SharedValues();
  assert.equal(shared.string('pkg.a.Repo'), 'pkg.a.Repo');
  assert.deepEqual(shared.each(['x', 'y', 'x']), ['x', 'y', 'x']);
});

test('a function\'s bindings read back flat read like the list they were: positions, iteration and the list methods', () => {
  const source = 'import requests\n\ndef fetch(url):\n    s = requests.Session()\n    t = s\n    s = requests.Session()\n    return t.get(url)\n';
  const made = factsForSource(source, 'pkg/c.py', parser, ids).functions.find((f) => f.name === 'fetch')!.bindings as import('../src/facts/types.js').BindingFact[];
  const [read] = factsFromText(`[${text(source, 'pkg/c.py')}]`, new SharedValues());
  const bindings = read.functions.find((f) => f.name === 'fetch')!.bindings;
  assert.ok(!Array.isArray(bindings));
  assert.ok(made.length >= 2);
  assert.equal(bindings.length, made.length);
  assert.deepEqual([...bindings], made);
  assert.deepEqual(bindings.at(1), made[1]);
  assert.equal(bindings.at(made.length), undefined);
  assert.equal(bindings.at(-1), undefined);
  assert.equal(bindings.some((b) => b.name === 't'), made.some((b) => b.name === 't'));
  assert.equal(bindings.some((b) => b.name === 'missing'), false);
  assert.deepEqual(bindings.find((b, i) => i > 0 && b.name === 's'), made.find((b, i) => i > 0 && b.name === 's'));
  assert.deepEqual(bindings.filter((b) => b.name === 's'), made.filter((b) => b.name === 's'));
  assert.deepEqual(bindings.map((b, i) => `${i}:${b.name}:${b.line}`), made.map((b, i) => `${i}:${b.name}:${b.line}`));
  assert.deepEqual(plain(bindings), plain(made));
});
