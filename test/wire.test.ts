/** Facts as text (src/facts/wire.ts): what is read back is what was made, each call string written once per module. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, readTree } from './helpers/fixtures.js';
import { createParser, typeIds } from '../src/parse/language.js';
import { factsForSource } from '../src/facts/index.js';
import { factsFromText, factsToText } from '../src/facts/wire.js';

const parser = createParser();
const ids = typeIds(parser);
const facts = (source: string, rel = 'pkg/mod.py') => factsForSource(source, rel, parser, ids);
/** Facts as JSON data: call columns as the plain calls they read as. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

test('every fixture module reads back exactly as made', () => {
  let checked = 0;
  for (const [rel, source] of readTree(join(REPO, 'fixtures'))) {
    if (!rel.endsWith('.py')) continue;
    const made = facts(source, rel);
    const [read] = factsFromText(`[${factsToText(facts(source, rel))}]`);
    assert.deepEqual(plain(read), plain(made), rel);
    checked++;
  }
  assert.ok(checked > 50, `${checked} modules`);
});

test('a call string repeated in a module is written once; modules keep their own tables', () => {
  const source = [
    'import requests',
    'class T:',
    '    def test(self):',
    '        self.assertEqual(requests.get(URL), 1)',
    '        self.assertEqual(requests.get(URL), 2)',
    '        self.assertEqual(requests.get(URL), 3)',
    '',
  ].join('\n');
  const text = factsToText(facts(source));
  assert.equal(text.split('"self.assertEqual"').length - 1, 1);
  assert.equal(text.split('"requests.get"').length - 1, 1);
  const other = factsToText(facts('import requests\nrequests.get(URL)\n', 'pkg/other.py'));
  const [first, second] = factsFromText(`[${text},${other}]`);
  const calls = first.functions.flatMap((f) => [...f.calls]);
  assert.deepEqual(calls.filter((c) => c.callee === 'self.assertEqual').map((c) => c.line), [4, 5, 6]);
  assert.deepEqual(calls.filter((c) => c.target === 'requests.get').map((c) => c.line), [4, 5, 6]);
  assert.deepEqual(second.functions.flatMap((f) => [...f.calls]).map((c) => c.target), ['requests.get']);
});

test('a module\'s equal arguments and argument lists are written once, and each argument read back as one frozen object', () => {
  const source = [
    'import json',
    'def f(row, other):',
    '    json.dumps(row, indent=2)',
    '    json.dumps(row, indent=2)',
    '    json.dumps(other, indent=2)',
    '    print(row)',
    '',
  ].join('\n');
  const made = facts(source);
  const text = factsToText(facts(source));
  const wire = JSON.parse(text) as { args: number[]; argLists: number[][] };
  // row, other, indent=2; and the lists (row, indent=2), (other, indent=2), (row).
  assert.equal(wire.args.length, 3 * 5);
  assert.deepEqual(wire.argLists.map((l) => l.length), [2, 2, 1]);
  const [read] = factsFromText(`[${text}]`);
  assert.deepEqual(plain(read), plain(made));
  const [first, second, third, fourth] = read.functions[1].calls;
  assert.deepEqual(first.args, second.args);
  assert.equal(first.args[0], second.args[0]);
  assert.notEqual(first.args[0], third.args[0]);
  assert.equal(first.args[1], third.args[1]);
  assert.equal(first.args[0], fourth.args[0]);
  assert.ok(Object.isFrozen(first.args[0]) && Object.isFrozen(first.args[1]));
  assert.throws(() => { (first.args[0] as { text?: string }).text = 'changed'; }, TypeError);
  assert.equal(Object.keys(read).includes('args') || Object.keys(read).includes('argLists') || Object.keys(read).includes('strings'), false);
});

test('facts written without a table (an unreadable file, an internal error) read back as they are', () => {
  const unread = { path: 'a.py', module: 'a', isPackage: false, lines: 0, bytes: 0, imports: [], classes: [], functions: [], suppressions: [], asyncLibraries: [], hasMainGuard: false, issues: [{ kind: 'unreadable', message: 'no' }] };
  assert.deepEqual(factsFromText(JSON.stringify([unread])), [unread]);
});

test('every combination of a call\'s and an argument\'s optional members reads back as written', () => {
  const span = { line: 3, column: 5, endLine: 4, endColumn: 1 };
  const args = Array.from({ length: 16 }, (_, has) => ({
    kind: 'ref' as const,
    ...(has & 1 ? { keyword: 'timeout' } : {}),
    ...(has & 2 ? { text: 'self.fetch' } : {}),
    ...(has & 4 ? { lambda: has } : {}),
    ...(has & 8 ? { target: 'pkg.mod.Client.fetch' } : {}),
  }));
  const calls = Array.from({ length: 16 }, (_, has) => ({
    callee: 'requests.get', target: has & 1 ? 'requests.get' : '', ...span, args: has % 3 === 0 ? [] : args,
    ...(has & 2 ? { awaited: true as const } : {}),
    ...(has & 4 ? { loop: 0 } : {}),
    ...(has & 8 ? { once: true as const } : {}),
    ...(has & 1 ? { resolution: 'import' as const } : {}),
    ...(has % 5 === 1 ? { condition: [[{ param: 'fp', types: ['io.IOBase', 'str'], runsWhen: has % 2 === 0 }], [{ param: 'n', types: [], value: 'none' as const, runsWhen: false }]] } : {}),
  }));
  const made = facts('def f():\n    pass\n');
  made.functions[1].calls = calls;
  made.functions[1].reads = calls.slice(0, 3);
  const expected = structuredClone(made);
  const [read] = factsFromText(`[${factsToText(made)}]`);
  assert.deepEqual(plain(read), plain(expected));
  // Read through the columns' own accessors too, not only as JSON.
  assert.deepEqual([...read.functions[1].calls].map((c) => [c.awaited, c.loop, c.once, c.resolution, c.condition, c.args.length]), calls.map((c) => [c.awaited, c.loop, c.once, c.resolution, c.condition, c.args.length]));
});

test('the facts of every fixture module are fast objects, none a slow dictionary, when written out of the worker', () => {
  // A V8 object one member was deleted from (unless it was the last added) becomes a dictionary,
  // which JSON.stringify writes on its slow path. Only V8's own test syntax can tell, so a child
  // process with it enabled makes the facts and counts the objects of each kind that are slow.
  const url = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
  const script = `
    const { readTree, REPO } = await import(${url('./helpers/fixtures.js')});
    const { createParser, typeIds } = await import(${url('../src/parse/language.js')});
    const { factsForSource } = await import(${url('../src/facts/index.js')});
    const { join } = await import('node:path');
    const parser = createParser();
    const ids = typeIds(parser);
    const counts = {};
    const count = (kind, object) => {
      const c = (counts[kind] ??= { fast: 0, slow: 0 });
      if (%HasFastProperties(object)) c.fast++; else c.slow++;
    };
    for (const [rel, source] of readTree(join(REPO, 'fixtures'))) {
      if (!rel.endsWith('.py')) continue;
      const facts = factsForSource(source, rel, parser, ids);
      count('module', facts);
      for (const cls of facts.classes) count('class', cls);
      for (const fn of facts.functions) {
        count('function', fn);
        for (const loop of fn.loops) count('loop', loop);
        for (const call of [...fn.calls, ...(fn.reads ?? [])]) {
          count('call', call);
          for (const arg of call.args) count('argument', arg);
        }
      }
    }
    process.stdout.write(JSON.stringify(counts));
  `;
  const child = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 24 });
  assert.equal(child.status, 0, child.stderr);
  const counts = JSON.parse(child.stdout) as Record<string, { fast: number; slow: number }>;
  for (const kind of ['module', 'class', 'function', 'loop', 'call', 'argument']) {
    assert.ok(counts[kind]?.fast > 10, `${kind}: ${JSON.stringify(counts[kind])}`);
    assert.equal(counts[kind].slow, 0, `${kind} objects that are slow dictionaries: ${counts[kind].slow} of ${counts[kind].slow + counts[kind].fast}`);
  }
});
