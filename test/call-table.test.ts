/** Call columns (src/facts/call-table.ts): calls read back from columns, and pruned in place, as the same calls. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser, typeIds } from '../src/parse/language.js';
import { factsForSource } from '../src/facts/index.js';
import { factsFromText, factsToText } from '../src/facts/wire.js';
import { CallRange, sameCall } from '../src/facts/call-table.js';
import { pruneCalls } from '../src/graph/prune.js';
import type { ModuleFacts } from '../src/facts/types.js';
import { ProjectIndex } from '../src/graph/index.js';

const parser = createParser();
const ids = typeIds(parser);
const facts = (source: string) => factsForSource(source, 'pkg/mod.py', parser, ids);
const columns = (source: string): ModuleFacts => factsFromText(`[${factsToText(facts(source))}]`)[0];
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const SOURCE = [
  'import io, json, requests',
  'def load(fp):',
  '    n = len(fp)',
  '    if isinstance(fp, io.IOBase):',
  '        data = fp.read()',
  '    else:',
  '        data = open(fp).read()',
  '    rows = [x.strip() for x in data]',
  '    rows.append(str(n))',
  '    return json.loads(data)',
  'async def fetch(url):',
  '    for _ in range(3):',
  '        print(url)',
  '        await go(url)',
  '    return requests.get(url, timeout=5)',
  'def idle():',
  '    pass',
  '',
].join('\n');

test('pruned columns hold the same calls as pruned lists, type tests and loops included', () => {
  // Builtins and unknown-receiver methods no catalogue entry names go, unless they are handed a
  // name (`len(fp)`), which may be a function.
  const known = (name: string) => name === 'open' || name === 'print';
  const lists = facts(SOURCE);
  const read = columns(SOURCE);
  pruneCalls([lists], known);
  pruneCalls([read], known);
  assert.ok(read.functions.every((fn) => fn.calls instanceof CallRange));
  assert.deepEqual(plain(read.functions), plain(lists.functions));
  const load = read.functions.find((fn) => fn.name === 'load')!;
  assert.equal(facts(SOURCE).functions[1].calls.length, 9);
  assert.deepEqual([...load.calls].map((c) => c.callee), ['len', 'isinstance', 'open', 'rows.append', 'str', 'json.loads']);
  const opened = load.calls.find((c) => c.callee === 'open')!;
  assert.deepEqual(opened.condition, [[{ param: 'fp', types: ['io.IOBase'], runsWhen: false }]]);
  const fetch = read.functions.find((fn) => fn.name === 'fetch')!;
  assert.deepEqual([...fetch.calls].map((c) => [c.callee, c.loop, c.awaited]), [['print', 0, undefined], ['go', 0, true], ['requests.get', undefined, undefined]]);
  assert.deepEqual(fetch.calls.at(-1)!.args.map((a) => a.keyword), [undefined, 'timeout']);
  assert.equal(read.functions.find((fn) => fn.name === 'idle')!.calls.length, 0);
});

test('a range reads like a list: positions, iteration and the list methods', () => {
  const lists = facts(SOURCE).functions[1].calls;
  const range = columns(SOURCE).functions[1].calls;
  assert.equal(range.length, lists.length);
  assert.equal(range.at(range.length), undefined);
  assert.deepEqual(plain(range.at(-1)), plain(lists.at(-1)));
  assert.deepEqual(plain([...range]), plain(lists));
  assert.deepEqual(range.map((c, i) => `${i}:${c.callee}`), lists.map((c, i) => `${i}:${c.callee}`));
  assert.deepEqual(plain(range.filter((c) => c.line > 5)), plain(lists.filter((c) => c.line > 5)));
  assert.equal(range.find((c) => c.callee === 'json.loads')?.line, 10);
  assert.equal(range.some((c) => c.callee === 'requests.get'), false);
  const seen: number[] = [];
  range.forEach((_, i) => seen.push(i));
  assert.deepEqual(seen, lists.map((_, i) => i));
});

test('calls read twice are the same call but not the same object; other calls are not the same', () => {
  const calls = columns(SOURCE).functions[1].calls;
  const first = calls.at(0)!;
  const again = calls.at(0)!;
  assert.notEqual(first, again);
  assert.ok(sameCall(first, again));
  assert.equal(sameCall(first, calls.at(1)!), false);
  // `open(fp)` and `open(fp).read()` start at the same place.
  const open = calls.find((c) => c.callee === 'open')!;
  const read = calls.find((c) => c.callee === 'open().read')!;
  assert.equal(open.column, read.column);
  assert.equal(sameCall(open, read), false);
});

test('pruning keeps, of the module\'s strings, arguments and lists, only those the calls left use', () => {
  const read = columns(SOURCE);
  const table = (read.functions.find((fn) => fn.calls.length > 0)!.calls as CallRange).table;
  const before = { strings: table.strings.length, args: table.args.length, lists: table.listStarts.length - 1 };
  pruneCalls([read], () => false);
  const kept = [...read.functions.flatMap((fn) => [...fn.calls])];
  const used = new Set(kept.flatMap((c) => c.args));
  assert.deepEqual(new Set(table.args), used);
  assert.deepEqual(new Set(table.strings), new Set(kept.flatMap((c) => [c.callee, c.target])));
  assert.ok(table.args.length < before.args && table.strings.length < before.strings && table.listStarts.length - 1 < before.lists);
  assert.deepEqual(plain(read.functions), plain(((m) => (pruneCalls([m], () => false), m.functions))(facts(SOURCE))));
});

test('a call graph edge of a call read from columns is the call itself', () => {
  const index = new ProjectIndex([factsFromText(`[${factsToText(factsForSource('def helper():\n    pass\ndef run():\n    helper()\n', 'pkg/app.py', parser, ids))}]`)[0]]);
  const run = index.functions.find((f) => f.fqn === 'pkg.app.run')!;
  const [edge] = index.outgoing[run.id];
  assert.equal(index.functions[edge.to].fqn, 'pkg.app.helper');
  assert.equal(edge.call, edge);
  assert.ok(sameCall(edge.call, run.fact.calls.at(0)!));
  assert.deepEqual([edge.call.callee, edge.call.line, edge.call.column], ['helper', 4, 5]);
});
