/**
 * The flat parser (native/python_flat.c read through src/parse/flat.ts) against node-tree-sitter on
 * the same source: the same nodes in the same order, with the same types, fields, flags, offsets
 * and positions, the same ERROR and MISSING nodes, and the same node for an index; on every
 * Python file of the fixtures and on sources that stress offsets (astral characters, CRLF, tabs,
 * syntax errors, an empty file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Parser from 'tree-sitter';
import { REPO, readTree } from './helpers/fixtures.js';
import { createNodeParser, Python } from '../src/parse/language.js';
import { parseFlat, releaseParserMemory, type FlatCursor } from '../src/parse/flat.js';

const nodeParser = createNodeParser();

interface Row {
  type: string;
  typeId: number;
  named: boolean;
  missing: boolean;
  field: string | null;
  start: number;
  end: number;
  from: string;
  to: string;
}

type AnyCursor = Pick<FlatCursor, 'nodeType' | 'nodeTypeId' | 'nodeIsNamed' | 'nodeIsMissing' | 'startIndex' | 'endIndex' | 'startPosition' | 'endPosition' | 'gotoFirstChild' | 'gotoNextSibling' | 'gotoParent'> & { currentFieldName: string | null | undefined };

/** Every node under the cursor, in pre-order. */
function rows(cursor: AnyCursor): Row[] {
  const out: Row[] = [];
  for (;;) {
    out.push({
      type: cursor.nodeType, typeId: cursor.nodeTypeId, named: cursor.nodeIsNamed, missing: cursor.nodeIsMissing,
      field: cursor.currentFieldName ?? null, start: cursor.startIndex, end: cursor.endIndex,
      from: `${cursor.startPosition.row}:${cursor.startPosition.column}`, to: `${cursor.endPosition.row}:${cursor.endPosition.column}`,
    });
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return out;
  }
}

/** Asserts that the flat tree of `source` is node-tree-sitter's tree, node for node. */
function assertSameTree(source: string, name: string): void {
  const expected = nodeParser.parse(source);
  const flat = parseFlat(source);
  const want = rows(expected.walk() as unknown as AnyCursor);
  const got = rows(flat.walk());
  assert.equal(got.length, want.length, `${name}: node count`);
  for (let i = 0; i < want.length; i++) assert.deepEqual(got[i], want[i], `${name}: node ${i}`);
  assert.equal(flat.hasError, expected.rootNode.hasError, `${name}: hasError`);
  const errors = expected.rootNode.descendantsOfType('ERROR');
  assert.deepEqual(flat.errorNodes(1e9).map((n) => [n.startIndex, n.endIndex]), errors.map((n) => [n.startIndex, n.endIndex]), `${name}: ERROR nodes`);
  const missing = new Parser.Query(Python, '(MISSING) @m').captures(expected.rootNode).map((c) => [c.node.startIndex, c.node.type]);
  assert.deepEqual(flat.missingNodes(1e9).map((n) => [n.startIndex, n.type]), missing, `${name}: MISSING nodes`);
  // The node for an index, at every line start and every 7th character.
  for (let i = 0; i < source.length; i += source[i] === '\n' ? 1 : 7) {
    const a = expected.rootNode.descendantForIndex(i, i + 1);
    const b = flat.descendantForIndex(i, i + 1);
    assert.deepEqual([b.type, b.startIndex, b.endIndex], [a.type, a.startIndex, a.endIndex], `${name}: node at ${i}`);
  }
  // Node objects: text, parent, named children, fields.
  const root = flat.rootNode;
  assert.equal(root.text, source);
  assert.equal(root.parent, null);
  assert.equal(root.namedChildCount, expected.rootNode.namedChildCount);
  const cursor = flat.walk();
  if (cursor.gotoFirstChild()) {
    const node = cursor.currentNode;
    const same = expected.rootNode.child(0)!;
    assert.deepEqual([node.type, node.text, node.parent?.type, node.namedChildCount], [same.type, same.text, same.parent?.type, same.namedChildCount]);
    for (const field of ['name', 'parameters', 'body', 'left', 'right', 'function', 'arguments']) {
      assert.equal(node.childForFieldName(field)?.text ?? null, same.childForFieldName(field)?.text ?? null, `${name}: field ${field}`);
    }
  }
}

test('the flat tree of every fixture file is node-tree-sitter\'s tree', () => {
  const files = [...readTree(join(REPO, 'fixtures'))].filter(([rel]) => rel.endsWith('.py'));
  assert.ok(files.length > 100, `${files.length} fixture files`);
  for (const [rel, source] of files) assertSameTree(source, rel);
});

test('offsets and columns count UTF-16 units, through astral characters, CRLF, tabs and syntax errors', () => {
  const sources: Record<string, string> = {
    empty: '',
    astral: 'x = "😀😀"\ndef f(a="𝔘"):\n    return a + "😀"  # 😀 done\n',
    crlf: 'import time\r\nasync def f():\r\n\ttime.sleep(1)\r\n',
    syntax: 'def f(:\n    x = [1, 2\nclass K(\n    pass\nasync def g():\n    await h()\n',
    missing: 'x = (1 +\ny = 2\n',
    nested: 'def f():\n    def g():\n        lambda: [x for x in y if x]\n',
    only_comment: '# a comment\n',
  };
  for (const [name, source] of Object.entries(sources)) assertSameTree(source, name);
});

test('the flat parser rejects what is not a string', () => {
  assert.throws(() => parseFlat(42 as unknown as string), /expected the source as a string/);
});

test('handing the C heap back to the system leaves the parser working', () => {
  const before = parseFlat('def f(x):\n    return x + 1\n').nodes;
  releaseParserMemory();
  releaseParserMemory();
  assert.deepEqual(parseFlat('def f(x):\n    return x + 1\n').nodes, before);
});
