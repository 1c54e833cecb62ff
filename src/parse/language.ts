/**
 * The Python parsers and the numeric ids of the node types the extractor reads.
 *
 * Stage: parse. Facts are read from flat trees (parse/flat.ts); node-tree-sitter's parser is
 * kept for reading setup.py and for the benchmark's floor. Comparing numeric type ids is cheaper
 * than comparing type strings in the hot walk; the ids are read from the grammar once per thread.
 */
import { createRequire } from 'node:module';
import Parser from 'tree-sitter';
import { parseFlat, type FlatCursor, type FlatTree } from './flat.js';

const require = createRequire(import.meta.url);
// tree-sitter-python ships CommonJS bindings without types.
export const Python = require('tree-sitter-python') as Parser.Language & { nodeTypeInfo: unknown[] };

/** Names of the node types the extractor distinguishes. */
const NAMED = [
  'module', 'function_definition', 'class_definition', 'decorator', 'lambda', 'call',
  'argument_list', 'keyword_argument', 'identifier', 'attribute', 'assignment',
  'augmented_assignment', 'as_pattern', 'as_pattern_target', 'for_statement',
  'while_statement', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension',
  'generator_expression', 'binary_operator', 'unary_operator', 'boolean_operator',
  'comparison_operator', 'not_operator', 'subscript', 'await', 'yield', 'import_statement',
  'import_from_statement', 'future_import_statement', 'return_statement', 'if_statement',
  'string', 'concatenated_string', 'ERROR', 'none', 'true', 'false', 'integer', 'float',
  'list_splat', 'dictionary_splat', 'parenthesized_expression', 'global_statement',
  'nonlocal_statement', 'comment', 'type', 'typed_parameter', 'typed_default_parameter',
  'default_parameter', 'list_splat_pattern', 'dictionary_splat_pattern', 'parameters',
  'lambda_parameters', 'with_statement', 'try_statement', 'except_clause', 'keyword_separator',
  'positional_separator', 'pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list',
  'dictionary', 'set', 'conditional_expression', 'block', 'expression_statement',
  'decorated_definition', 'delete_statement', 'match_statement', 'for_in_clause', 'with_item',
] as const;

export type NamedType = (typeof NAMED)[number];

/**
 * A program that contains every node type in NAMED (and the `async` keyword), parsed once to
 * learn which ids the grammar gives them as named nodes.
 */
const PROBE = `import a.b as c
from . import d
from __future__ import annotations
@dec(1)
class K(B):
    x: int = 1
async def f(p, q: int, r=1, s: int = 2, *a, **k):
    global g
    def h():
        nonlocal p
    async for i in j:
        await z
    async with m as (n, o):
        yield [1, 2.0, None, True, False, "s" "t", {1: 2}, {3}, (4,)]
    while not p and q < r:
        del x[1]
        x.y += -1 + (2)
    return [v for v in w], {v for v in w}, {v: v for v in w}, (v for v in w), lambda u: u if u else u
def g(a, /, b, *, c):
    try:
        pass
    except E:
        pass
    match a:
        case 1:
            pass
x, y = [1], (2)
if __name__ == "__main__":
    f(*a, **k, t=1)  # c
`;

/** Numeric type ids, each a set since the grammar may give one name several ids. */
export type TypeIds = Record<NamedType, Set<number>> & { asyncKeyword: Set<number> };

let cachedIds: TypeIds | undefined;

/** Parses Python into flat trees (one native parser per thread, made on first use). */
export interface PythonParser {
  parse(source: string): FlatTree;
}

export function createParser(): PythonParser {
  return { parse: parseFlat };
}

/** node-tree-sitter's parser for Python, for code that walks node objects (setup.py) and the benchmark's floor. */
export function createNodeParser(): Parser {
  const parser = new Parser();
  parser.setLanguage(Python);
  return parser;
}

/** The ids of the node types the extractor reads, learned from the grammar. */
export function typeIds(parser: PythonParser): TypeIds {
  if (cachedIds) return cachedIds;
  const ids = { asyncKeyword: new Set<number>() } as TypeIds;
  for (const name of NAMED) ids[name] = new Set<number>();
  const known = new Set<string>(NAMED);
  for (const source of [PROBE, 'def f(:\n  )\n']) collect(parser.parse(source).walk(), ids, known);
  cachedIds = ids;
  return ids;
}

function collect(cursor: FlatCursor, ids: TypeIds, known: Set<string>): void {
  for (;;) {
    const type = cursor.nodeType;
    if (cursor.nodeIsNamed) {
      if (known.has(type)) ids[type as NamedType].add(cursor.nodeTypeId);
    } else if (type === 'async') {
      ids.asyncKeyword.add(cursor.nodeTypeId);
    }
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) return;
    }
  }
}
