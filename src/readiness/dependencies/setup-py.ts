/**
 * Reads the literal requirement lists of a setup.py without running it: the `install_requires`,
 * `setup_requires`, `tests_require` and `extras_require` arguments of `setup(...)`, and its `name`
 * and `classifiers`. Values may be written in the call or in a module-level variable
 * (`REQUIRES = [...]`, also `A + B`); anything computed (comprehensions, function calls, f-strings,
 * files read at build time) is left alone.
 *
 * Stage: readiness. Parsed with tree-sitter-python; offsets are UTF-16 indices, as in facts.
 */
import type Parser from 'tree-sitter';
import { createNodeParser } from '../../parse/language.js';
import type { Dependency } from '../types.js';
import { atLine } from './declared.js';
import { parseRequirement } from './pep508.js';
import { FREE_THREADING_CLASSIFIER, type PackagingReading } from './pyproject.js';
import { Lines } from '../lines.js';
import { normaliseName } from './text.js';

type Node = Parser.SyntaxNode;

let parser: Parser | undefined;

const GROUPS: Record<string, Dependency['group']> = {
  install_requires: 'runtime',
  setup_requires: 'build',
  tests_require: 'dev',
};

/** Reads setup.py's `setup(...)` calls; a file without one gives nothing. */
export function readSetupPy(text: string): PackagingReading {
  const reading: PackagingReading = { declared: [], errors: [], problems: [], classifiers: [], declaresPackage: false };
  if (!/\bsetup\s*\(/.test(text)) return reading;
  parser ??= createNodeParser();
  const tree = parser.parse(text);
  const loc = new Lines(text);
  const variables = new Map<string, Node>();
  for (const statement of tree.rootNode.namedChildren) {
    const assignment = statement.type === 'expression_statement' ? statement.firstNamedChild : null;
    if (assignment?.type !== 'assignment') continue;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left?.type === 'identifier' && right) variables.set(left.text, right);
  }
  const calls = tree.rootNode.descendantsOfType('call').filter((call) => {
    const fn = call.childForFieldName('function');
    return fn !== null && /^(?:[A-Za-z_][A-Za-z0-9_]*\.)*setup$/.test(fn.text);
  });
  for (const call of calls) {
    for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
      if (arg.type !== 'keyword_argument') continue;
      const key = arg.childForFieldName('name')?.text ?? '';
      const value = arg.childForFieldName('value');
      if (!value) continue;
      if (key === 'name') reading.declaresPackage = true;
      if (key in GROUPS) for (const s of strings(value, variables)) declare(s, GROUPS[key], loc, reading);
      if (key === 'extras_require') {
        const dict = resolve(value, variables);
        for (const pair of dict?.type === 'dictionary' ? dict.namedChildren : []) {
          if (pair.type !== 'pair') continue;
          const extraValue = pair.childForFieldName('value');
          if (extraValue) for (const s of strings(extraValue, variables)) declare(s, 'optional', loc, reading);
        }
      }
      if (key === 'classifiers') {
        for (const s of strings(value, variables)) {
          if (s.value.startsWith(FREE_THREADING_CLASSIFIER)) reading.classifiers.push({ line: loc.lineOf(s.node.startIndex), value: s.value });
        }
      }
    }
  }
  return reading;
}

interface StringLiteral {
  node: Node;
  value: string;
  /** Offset of the content's first character; null when escapes make offsets into the value unreliable. */
  contentStart: number | null;
}

/** A variable's value when `node` names a module-level one, else the node. */
function resolve(node: Node, variables: Map<string, Node>, depth = 0): Node | null {
  if (node.type === 'identifier' && depth < 5) {
    const target = variables.get(node.text);
    return target ? resolve(target, variables, depth + 1) : null;
  }
  return node;
}

/** The plain string literals of a list or tuple (through variables and `+`). */
function strings(node: Node, variables: Map<string, Node>, depth = 0): StringLiteral[] {
  const resolved = resolve(node, variables);
  if (!resolved || depth > 5) return [];
  if (resolved.type === 'binary_operator' && resolved.child(1)?.type === '+') {
    return [resolved.childForFieldName('left'), resolved.childForFieldName('right')].flatMap((n) => (n ? strings(n, variables, depth + 1) : []));
  }
  if (resolved.type === 'parenthesized_expression') return resolved.firstNamedChild ? strings(resolved.firstNamedChild, variables, depth + 1) : [];
  if (resolved.type !== 'list' && resolved.type !== 'tuple') return [];
  return resolved.namedChildren.flatMap((item) => {
    const literal = stringLiteral(item);
    return literal ? [literal] : [];
  });
}

function stringLiteral(node: Node): StringLiteral | null {
  if (node.type !== 'string') return null;
  const start = node.namedChildren.find((c) => c.type === 'string_start');
  if (!start || /[fFbB]/.test(start.text) || node.namedChildren.some((c) => c.type === 'interpolation')) return null;
  const raw = /[rR]/.test(start.text);
  let value = '';
  let verbatim = true;
  for (const part of node.namedChildren.filter((c) => c.type === 'string_content')) {
    if (!raw && part.namedChildren.some((c) => c.type === 'escape_sequence')) {
      verbatim = false;
      value += part.text.replace(/\\(.|\n)/g, unescape);
    } else value += part.text;
  }
  return { node, value, contentStart: verbatim ? start.endIndex : null };
}

function unescape(escape: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
  return simple[escape[1]] ?? (escape[1] === '\n' ? '' : escape);
}

function declare(s: StringLiteral, group: Dependency['group'], loc: Lines, reading: PackagingReading): void {
  const requirement = s.value.replace(/\s#.*$/, '').trim();
  if (!requirement) return;
  const parsed = parseRequirement(requirement);
  const line = loc.lineOf(s.node.startIndex);
  if ('error' in parsed) {
    reading.errors.push(atLine(line, `\`${requirement}\` is not a requirement (${parsed.error}); fix the string`));
    return;
  }
  const lead = s.value.length - s.value.trimStart().length;
  const span = s.contentStart === null
    ? loc.span(s.node.startIndex, s.node.endIndex)
    : loc.span(s.contentStart + lead + parsed.nameStart, s.contentStart + lead + parsed.nameEnd);
  reading.declared.push({
    name: normaliseName(parsed.name),
    requirement,
    span,
    group,
    specifier: parsed.specifier,
    dialect: 'pep440',
    marker: parsed.marker,
    direct: parsed.url !== undefined,
  });
}
