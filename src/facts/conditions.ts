/**
 * Conditions on a function's parameters, read from an `if` or `elif` test, as the clauses under
 * which a branch runs (see CallFact.condition).
 *
 * Stage: facts. A test is read from its syntax node: `isinstance(p, T)`, `p is None`,
 * `p is not None` and `p` alone on a parameter `p` are tests; `and`, `or`, `not` and parentheses
 * join them; anything else is unknown and constrains nothing. The clauses are what the branch asks
 * (`clausesWhen(expr, true)`) or what the code after a failed test asks (`false`), as a
 * conjunction of disjunctions, bounded in size: past the bound a part is dropped, which only
 * weakens the condition, never makes a call look skipped that may run.
 */
import type { FlatNode } from '../parse/flat.js';
import type { TypeTest } from './types.js';

/** A parsed condition: tests of parameters joined by `and`, `or` and `not`; `unknown` for anything else. */
export type Expr =
  | { op: 'and' | 'or'; parts: Expr[] }
  | { op: 'not'; part: Expr }
  | { op: 'test'; test: Omit<TypeTest, 'runsWhen'> }
  | { op: 'unknown' };

export type Clause = TypeTest[];

/** A condition that tests nothing known. */
export const UNKNOWN_EXPR: Expr = { op: 'unknown' };
/** Clauses a condition may take, and tests a clause may hold: a bound on what one branch records. */
const MAX_CLAUSES = 8;
const MAX_TESTS = 8;

/** A name or an attribute of one (`self.manager`), as tested. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$/;
/** `param is None` or `param is not None`. */
const NONE_TEST = /^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s+is\s+(not\s+)?None$/;

/**
 * The condition at `node`. `paramOf` names the function's parameter that a tested name holds (the
 * parameter itself, or `self.manager` set from it), or undefined.
 */
export function parseCondition(node: FlatNode, paramOf: (name: string) => string | undefined, depth = 0): Expr {
  if (depth > 16) return UNKNOWN_EXPR;
  switch (node.type) {
    case 'boolean_operator': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const op = node.childForFieldName('operator')?.type;
      if (!left || !right || (op !== 'and' && op !== 'or')) return UNKNOWN_EXPR;
      const parts: Expr[] = [];
      for (const side of [left, right]) {
        const part = parseCondition(side, paramOf, depth + 1);
        // `a and b and c` is `(a and b) and c`: one list of three.
        if (part.op === op) parts.push(...part.parts);
        else parts.push(part);
      }
      return { op, parts };
    }
    case 'not_operator': {
      const argument = node.childForFieldName('argument');
      return argument ? { op: 'not', part: parseCondition(argument, paramOf, depth + 1) } : UNKNOWN_EXPR;
    }
    case 'parenthesized_expression': {
      const inner = node.namedChildren.filter((c) => c.type !== 'comment');
      return inner.length === 1 ? parseCondition(inner[0], paramOf, depth + 1) : UNKNOWN_EXPR;
    }
    case 'identifier':
    case 'attribute': {
      const name = node.text;
      const param = NAME.test(name) ? paramOf(name) : undefined;
      return param ? { op: 'test', test: { param, types: [], value: 'truthy' } } : UNKNOWN_EXPR;
    }
    case 'comparison_operator': {
      const none = NONE_TEST.exec(node.text);
      const param = none ? paramOf(none[1]) : undefined;
      if (!none || !param) return UNKNOWN_EXPR;
      const test: Expr = { op: 'test', test: { param, types: [], value: 'none' } };
      return none[2] ? { op: 'not', part: test } : test;
    }
    case 'call': {
      // `isinstance(name, T)` or `isinstance(name, (T1, T2))`, read from the call's own nodes.
      if (node.childForFieldName('function')?.text !== 'isinstance') return UNKNOWN_EXPR;
      const args = node.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
      const name = args.length === 2 && args[1].type !== 'keyword_argument' ? args[0].text : '';
      const param = NAME.test(name) ? paramOf(name) : undefined;
      if (!param) return UNKNOWN_EXPR;
      const classes = args[1].type === 'parenthesized_expression' || args[1].type === 'tuple' ? args[1].namedChildren.filter((c) => c.type !== 'comment') : [args[1]];
      const types = classes.flatMap((c) => (c.type === 'tuple' ? c.namedChildren.filter((t) => t.type !== 'comment') : [c])).map((c) => c.text.trim());
      return { op: 'test', test: { param, types } };
    }
    default:
      return UNKNOWN_EXPR;
  }
}

/** Whether `expr` holds any test of a parameter. */
export function testsParameters(expr: Expr): boolean {
  switch (expr.op) {
    case 'test': return true;
    case 'not': return testsParameters(expr.part);
    case 'unknown': return false;
    default: return expr.parts.some(testsParameters);
  }
}

/** The clauses that hold when `expr` comes out `outcome` (none: it says nothing of the parameters). */
export function clausesWhen(expr: Expr, outcome: boolean): Clause[] {
  switch (expr.op) {
    case 'test':
      return [[expr.test.value ? { param: expr.test.param, types: expr.test.types, value: expr.test.value, runsWhen: outcome } : { param: expr.test.param, types: expr.test.types, runsWhen: outcome }]];
    case 'unknown':
      return [];
    case 'not':
      return clausesWhen(expr.part, !outcome);
    default: {
      const parts = expr.parts.map((p) => clausesWhen(p, outcome));
      // `a and b` true, or `a or b` false: each part holds on its own.
      if ((expr.op === 'and') === outcome) return parts.flat().slice(0, MAX_CLAUSES);
      // Otherwise one part holds, which an unknown part may be: then nothing is known.
      if (parts.some((p) => p.length === 0)) return [];
      let out: Clause[] = [[]];
      for (const part of parts) {
        const next: Clause[] = [];
        for (const a of out) for (const b of part) next.push([...a, ...b]);
        if (next.length > MAX_CLAUSES || next.some((c) => c.length > MAX_TESTS)) return [];
        out = next;
      }
      return out;
    }
  }
}

/** Whether a block's last statement is a `return` or a `raise`: the code after its `if` runs only when the block did not. */
export function endsInExit(block: FlatNode): boolean {
  const last = lastStatementType(block);
  return last === 'return_statement' || last === 'raise_statement';
}

/** The node type of a block's last statement, comments aside; undefined for a block of none. */
export function lastStatementType(block: FlatNode): string | undefined {
  return lastStatement(block)?.type;
}

/** A block's last statement, comments aside; undefined for a block of none. */
export function lastStatement(block: FlatNode): FlatNode | undefined {
  return block.namedChildren.filter((c) => c.type !== 'comment').pop();
}
