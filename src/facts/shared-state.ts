/**
 * Facts about state that threads may share: module- and class-level mutable containers, and
 * the writes to shared names inside functions (subscript stores, `del`, mutating methods,
 * `global` rebinding, `+=`), each with whether a lock is held and whether an `if` on the same
 * name guards it (check-then-act, lazy initialisation). Input for the free-threading checks of
 * shared/FREE-THREADING.md §6.4 (P01–P05).
 *
 * Stage: facts. Runs in the parse worker on the tree, only for files whose text can hold such
 * state (a cheap text test first), so most files pay nothing.
 */
import type Parser from 'tree-sitter';
import type { SharedStateFacts, StateWrite } from './types.js';

/** A `global` statement, a class attribute written through `cls.` or `Class.x +=`, or a write to `os.environ` / `sys.path`: always worth the walk. */
const ALWAYS = /^[ \t]*global[ \t]+\w|\bcls\.\w+[ \t]*[-+*/|&^%]?=(?!=)|\b[A-Z]\w*\.\w+[ \t]*[-+*/|&^%]=|environ\[|environ\.(?:update|pop|setdefault|clear)\(|sys\.path\.\w+\(/m;
/** `NAME = {}` / `[]` / `set()` / `defaultdict(...)` at module or class level: the names worth checking. */
const CONTAINER_NAMES = /^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=[ \t]*(?:\{|\[|(?:collections\.)?(?:set|dict|list|defaultdict|OrderedDict|deque|Counter)\()/gm;

const CONTAINER_CALL = /^(?:collections\.)?(set|dict|list|defaultdict|OrderedDict|deque|Counter)\(/;
const CONTAINER_LITERAL: Record<string, string> = {
  dictionary: 'dict', list: 'list', set: 'set', dictionary_comprehension: 'dict', list_comprehension: 'list', set_comprehension: 'set',
};
/** Methods that change a list, dict, set or deque in place. */
const MUTATORS = new Set([
  'append', 'extend', 'insert', 'remove', 'pop', 'popitem', 'clear', 'update', 'setdefault', 'add', 'discard',
  'appendleft', 'extendleft', 'popleft', 'sort', 'reverse', 'difference_update', 'intersection_update', 'symmetric_difference_update',
]);
/** A `with` item that takes a lock: `with lock:`, `with self._mutex:`, `with threading.Lock():`, `with cond:`. */
const LOCK_LIKE = /lock|mutex|semaphore|\bcond\b|condition|critical/i;
/** At most this many writes are recorded per file (generated code can have thousands). */
const MAX_WRITES = 2000;

interface Context {
  /** The enclosing `def`'s start (line, column), or undefined at module/class level. */
  def?: [number, number];
  locked: boolean;
  /** Texts of the conditions of the enclosing `if`s (inside the innermost function). */
  guards: string[];
  /** Enclosing class body (only directly in it). */
  classBody?: string;
  globals: Set<string>;
  /** Names the innermost function assigns without declaring them global (its locals). */
  locals: Set<string>;
}

/**
 * Whether the file may hold shared state worth a walk: a `global` statement or a process-state
 * write, or a container name that is also written somewhere (`NAME[...] =`, `NAME.append(`,
 * `del NAME[`). Most files define constant tables they never change, and skip the walk.
 */
function worthWalking(source: string): boolean {
  if (ALWAYS.test(source)) return true;
  const names = new Set<string>();
  for (const match of source.matchAll(CONTAINER_NAMES)) names.add(match[1]);
  for (const name of names) {
    const written = new RegExp(`\\b${name}\\s*\\[[^\\]\\n]*\\]\\s*[-+*/|&^%]?=(?!=)|\\b${name}\\.(?:${[...MUTATORS].join('|')})\\(|\\bdel\\s+(?:self\\.|cls\\.)?${name}\\[`);
    if (written.test(source)) return true;
  }
  return false;
}

export function sharedStateFacts(tree: Parser.Tree, source: string): SharedStateFacts | undefined {
  if (!worthWalking(source)) return undefined;
  const out: SharedStateFacts = { containers: [], writes: [] };
  const localsByDef = new Map<string, Set<string>>();
  const stack: [Parser.SyntaxNode, Context][] = [[tree.rootNode, { locked: false, guards: [], globals: new Set(), locals: new Set() }]];
  const write = (node: Parser.SyntaxNode, ctx: Context, target: string, how: StateWrite['how'], method?: string) => {
    if (!ctx.def || out.writes.length >= MAX_WRITES) return;
    const root = target.split(/[.[]/)[0];
    const guarded = ctx.guards.some((g) => new RegExp(`(^|[^\\w.])${escape(target)}($|[^\\w])`).test(g) || (target === root && new RegExp(`\\b${escape(root)}\\b`).test(g)));
    out.writes.push({
      defLine: ctx.def[0], defColumn: ctx.def[1], target, how, ...(method ? { method } : {}),
      line: node.startPosition.row + 1, column: node.startPosition.column + 1,
      ...(ctx.locked ? { locked: true } : {}), ...(guarded ? { guarded: true } : {}),
      ...(how === 'rebind' || how === 'augmented' ? (ctx.globals.has(root) ? { global: true } : {}) : {}),
    });
  };
  while (stack.length > 0) {
    const [node, ctx] = stack.pop()!;
    let inner = ctx;
    switch (node.type) {
      case 'function_definition':
        inner = { def: [node.startPosition.row + 1, node.startPosition.column + 1], locked: false, guards: [], globals: new Set(), locals: new Set() };
        localsByDef.set(`${inner.def![0]}:${inner.def![1]}`, inner.locals);
        for (const p of node.childForFieldName('parameters')?.namedChildren ?? []) {
          const name = p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChildren.find((c) => c.type === 'identifier');
          if (name) inner.locals.add(name.text);
        }
        break;
      case 'class_definition':
        inner = { ...ctx, classBody: node.childForFieldName('name')?.text ?? '' };
        break;
      case 'block':
        // A class's block keeps classBody; any other block (a def's, an if's) is not the class body.
        if (node.parent?.type !== 'class_definition') inner = { ...ctx, classBody: undefined };
        break;
      case 'global_statement':
        for (const name of node.namedChildren) if (name.type === 'identifier') ctx.globals.add(name.text);
        break;
      case 'if_statement': {
        const condition = node.childForFieldName('condition')?.text ?? '';
        // The condition guards the consequence; elif/else branches are pushed with the same context.
        const consequence = node.childForFieldName('consequence');
        for (const child of node.namedChildren.slice().reverse()) {
          stack.push([child, child.id === consequence?.id ? { ...ctx, guards: [...ctx.guards, condition] } : ctx]);
        }
        continue;
      }
      case 'with_statement': {
        const items = node.namedChildren.find((c) => c.type === 'with_clause')?.text ?? '';
        if (LOCK_LIKE.test(items)) inner = { ...ctx, locked: true };
        break;
      }
      case 'assignment':
      case 'augmented_assignment': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left) break;
        if (!ctx.def && left.type === 'identifier' && right) {
          const kind = containerKind(right);
          if (kind) out.containers.push({ name: left.text, kind, line: node.startPosition.row + 1, ...(ctx.classBody !== undefined ? { cls: ctx.classBody } : {}) });
        }
        const augmented = node.type === 'augmented_assignment';
        if (ctx.def && left.type === 'identifier' && !ctx.globals.has(left.text)) ctx.locals.add(left.text);
        if (ctx.def && (left.type === 'pattern_list' || left.type === 'tuple_pattern')) {
          for (const n of left.namedChildren) if (n.type === 'identifier' && !ctx.globals.has(n.text)) ctx.locals.add(n.text);
        }
        if (left.type === 'subscript') {
          const value = left.childForFieldName('value');
          if (value) write(node, ctx, value.text, augmented ? 'augmented' : 'subscript');
        } else if (left.type === 'identifier' && ctx.globals.has(left.text)) {
          write(node, ctx, left.text, augmented ? 'augmented' : 'rebind');
        } else if (left.type === 'attribute' && augmented) {
          write(node, ctx, left.text, 'augmented');
        } else if (left.type === 'attribute' && /^(self|cls)\.\w+$|^[A-Z]\w*\.\w+$/.test(left.text) && right?.type === 'none') {
          // `self._x = None` resets: not a write that matters here.
        } else if (left.type === 'attribute' && /^(cls|[A-Z]\w*)\.\w+$/.test(left.text)) {
          write(node, ctx, left.text, 'rebind');
        }
        break;
      }
      case 'delete_statement':
        for (const target of node.namedChildren.flatMap((c) => (c.type === 'expression_list' ? c.namedChildren : [c]))) {
          if (target.type === 'subscript') {
            const value = target.childForFieldName('value');
            if (value) write(target, ctx, value.text, 'del');
          }
        }
        break;
      case 'call': {
        const fn = node.childForFieldName('function');
        if (fn?.type === 'attribute') {
          const method = fn.childForFieldName('attribute')?.text ?? '';
          const object = fn.childForFieldName('object');
          if (MUTATORS.has(method) && object && (object.type === 'identifier' || object.type === 'attribute')) write(node, ctx, object.text, 'method', method);
        }
        break;
      }
      case 'lambda':
      case 'string':
      case 'comment':
        continue;
      default:
        break;
    }
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], inner]);
  }
  // A write to a name the function binds itself is to its own local, not to shared state.
  // (`self.x` and `cls.x` reach the instance's or class's attributes, which may be shared.)
  out.writes = out.writes.filter((w) => w.global || /^(self|cls)\./.test(w.target) || !localsByDef.get(`${w.defLine}:${w.defColumn}`)?.has(w.target.split(/[.[]/)[0]));
  return out.containers.length > 0 || out.writes.length > 0 ? out : undefined;
}

function containerKind(value: Parser.SyntaxNode): string | undefined {
  const literal = CONTAINER_LITERAL[value.type];
  if (literal) return literal;
  if (value.type === 'call') return CONTAINER_CALL.exec(value.text)?.[1];
  return undefined;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
