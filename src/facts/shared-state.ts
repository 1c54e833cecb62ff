/**
 * Facts about state that threads may share: module- and class-level mutable containers, and
 * the writes to shared names inside functions (subscript stores, `del`, mutating methods,
 * `global` rebinding, `+=`), each with whether a lock is held and whether an `if` on the same
 * name guards it (check-then-act, lazy initialisation), and the lines of the calls and loops
 * run with a lock held. Input for the free-threading checks of shared/FREE-THREADING.md §6.4
 * (P01–P07, P11).
 *
 * Stage: facts. Runs in the parse worker, as a visitor of extract.ts's one cursor walk (a second
 * walk of every tree would cost as much again). It reads type ids and indexes from the cursor, and looks at a node's
 * fields (a few steps down and back) only for the statements it records. Only files whose text
 * can hold such state (a cheap text test first) are visited, so most files pay nothing.
 */
import type { FlatCursor } from '../parse/flat.js';
import type { WalkVisitor } from './extract.js';
import type { SharedStateFacts, StateWrite } from './types.js';

/**
 * A `global` statement, a class attribute written through `cls.` or `Class.x +=`, a write to
 * `os.environ` / `sys.path` or to `decimal.DefaultContext`, a module-level iterator (`_rows =
 * iter(rows)`, whose uses under a lock the walk finds): always worth the walk.
 */
const ALWAYS = /^[ \t]*global[ \t]+\w|^\w+[ \t]*=[ \t]*(?:iter|itertools\.\w+|zip|map|filter|enumerate|reversed)\(|\bDefaultContext\.\w+[ \t]*=(?!=)|\bcls\.\w+[ \t]*[-+*/|&^%]?=(?!=)|\b[A-Z]\w*\.\w+[ \t]*[-+*/|&^%]=|environ\[|environ\.(?:update|pop|setdefault|clear)\(|sys\.path\.\w+\(/m;
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
/** `with warnings.catch_warnings():` (or `catch_warnings(record=True)` imported by name). */
const CATCH_WARNINGS = /(?:^|[^\w.]|\bwarnings\.)catch_warnings\(/;
/**
 * A statement that takes a lock until a matching release: `lock.acquire()`, `self._cond.acquire(timeout=1)`,
 * or a module's own helper such as logging's `_acquireLock()`. Group 1 is the receiver, group 2 the helper's name.
 */
const ACQUIRE = /^(?:([\w.]+)\.acquire\([^()]*\)|((?:[\w.]+\.)?_*acquire_?[Ll]ock)\(\))$/;
/** The same for the release (`lock.release()`, `_releaseLock()`). */
const RELEASE = /^(?:([\w.]+)\.release\(\)|((?:[\w.]+\.)?_*release_?[Ll]ock)\(\))$/;
/** An `if` whose condition takes a lock without waiting (`if lock.acquire(False):`): its consequence holds it. */
const ACQUIRE_TEST = /^(?:[\w.]+\.acquire\([^()]*\)|(?:[\w.]+\.)?_*acquire_?[Ll]ock\(\))$/;
/** At most this many writes are recorded per file (generated code can have thousands). */
const MAX_WRITES = 2000;

/** What the walk tells apart, per node type. */
const enum N {
  Unseen = 0, Anonymous, Other, FunctionDef, ClassDef, Block, Global, If, With, WithClause, Assignment,
  AugmentedAssignment, Delete, ExpressionList, Subscript, Call, Attribute, Identifier, Parameters,
  PatternList, None, Container, Skipped, ExpressionStatement, For,
}

const KINDS: Record<string, N> = {
  function_definition: N.FunctionDef, class_definition: N.ClassDef, block: N.Block, global_statement: N.Global,
  if_statement: N.If, with_statement: N.With, with_clause: N.WithClause, assignment: N.Assignment,
  augmented_assignment: N.AugmentedAssignment, delete_statement: N.Delete, expression_list: N.ExpressionList,
  subscript: N.Subscript, call: N.Call, attribute: N.Attribute, identifier: N.Identifier, parameters: N.Parameters,
  pattern_list: N.PatternList, tuple_pattern: N.PatternList, none: N.None, expression_statement: N.ExpressionStatement,
  for_statement: N.For, generator_expression: N.For,
  dictionary: N.Container, list: N.Container, set: N.Container, dictionary_comprehension: N.Container,
  list_comprehension: N.Container, set_comprehension: N.Container,
  // Nothing under these is shared state.
  lambda: N.Skipped, string: N.Skipped, comment: N.Skipped,
};

/** Per type id (16 bits; ERROR is 65535), learned on first sight: the kind, and a container literal's kind name. */
const kinds = new Uint8Array(65536);
const literalKinds: (string | undefined)[] = [];

function kindOf(c: FlatCursor): N {
  const id = c.nodeTypeId;
  const known = kinds[id];
  if (known !== N.Unseen) return known;
  const type = c.nodeType;
  const kind = c.nodeIsNamed ? KINDS[type] ?? N.Other : N.Anonymous;
  if (kind === N.Container) literalKinds[id] = CONTAINER_LITERAL[type];
  kinds[id] = kind;
  return kind;
}

interface Context {
  /** The enclosing `def`'s start (line, column), or undefined at module/class level. */
  def?: [number, number];
  /** Where the enclosing `def` (or the module) ends: a release must come before it. */
  defEnd: number;
  locked: boolean;
  /** Texts of the conditions of the enclosing `if`s (inside the innermost function). */
  guards: string[];
  /** Enclosing class body (only directly in it). */
  classBody?: string;
  globals: Set<string>;
  /** Names the innermost function assigns without declaring them global (its locals). */
  locals: Set<string>;
  /** Inside `with warnings.catch_warnings():` (in the innermost function). */
  warningsScope?: true;
}

/**
 * A context for the children of a node: the same def, names and sets, one thing changed.
 * Contexts never change once made (but for the sets they share), so a node that changes
 * nothing passes its own on.
 */
function derive(ctx: Context, classBody: string | undefined, locked: boolean, guards: string[]): Context {
  return { def: ctx.def, defEnd: ctx.defEnd, locked, guards, classBody, globals: ctx.globals, locals: ctx.locals, ...(ctx.warningsScope ? { warningsScope: true as const } : {}) };
}

/** A child of the node under the cursor, as read by a look at its fields. */
interface Child {
  kind: N;
  start: number;
  end: number;
}

/** Methods that change a list, dict, set or deque in place, as a regular expression alternation. */
const MUTATOR_NAMES = [...MUTATORS].join('|');

/**
 * Whether the file may hold shared state worth a walk: a `global` statement or a process-state
 * write, or a container name that is also written somewhere (`NAME[...] =`, `NAME.append(`,
 * `del NAME[`). Most files define constant tables they never change, and skip the walk. The
 * container names are looked for together, in one search of the text.
 */
function worthWalking(source: string): boolean {
  if (ALWAYS.test(source)) return true;
  const names = new Set<string>();
  for (const match of source.matchAll(CONTAINER_NAMES)) names.add(match[1]);
  if (names.size === 0) return false;
  const any = [...names].join('|');
  const written = new RegExp(`\\b(?:${any})(?:\\s*\\[[^\\]\\n]*\\]\\s*[-+*/|&^%]?=(?!=)|\\.(?:${MUTATOR_NAMES})\\()|\\bdel\\s+(?:self\\.|cls\\.)?(?:${any})\\[`);
  return written.test(source);
}

/** A visitor for the walk of `source`'s tree, or undefined when its text holds nothing worth one. */
export function sharedStateVisitor(source: string): SharedStateVisitor | undefined {
  return worthWalking(source) ? new SharedStateVisitor(source) : undefined;
}

/**
 * Reads shared-state facts from the nodes of one walk, told of each in document order. Named
 * nodes are visited as the `namedChildren` of their parent, every one but what lies under a
 * lambda, a string or a comment.
 */
export class SharedStateVisitor implements WalkVisitor {
  private readonly containers: SharedStateFacts['containers'] = [];
  /** Writes in document order, each with the `if` conditions around it (tested once the locals are known). */
  private readonly writes: { write: StateWrite; guards: string[] }[] = [];
  private readonly localsByDef = new Map<string, Set<string>>();
  /** By depth, for the named node open there: its kind, the context of its children, and for an `if`, its condition and whether its consequence was seen. */
  private readonly kindAt: N[] = [];
  private readonly innerAt: Context[] = [];
  private readonly conditionAt: (string | undefined)[] = [];
  private readonly consequenceSeenAt: boolean[] = [];
  /** By depth of a block (or the module), a lock its statements took with `acquire()`: the release's key and the context before. */
  private readonly heldAt: ({ key: string; before: Context } | undefined)[] = [];
  /** Lines of the calls and loops run while a lock is held (a helper every caller calls so holds it too). */
  private readonly lockedLines = new Set<number>();
  /** Lines of calls inside `with warnings.catch_warnings():`. */
  private readonly warningsLines = new Set<number>();
  /** Attributes a method sets on `self` (`self.seen = {}`): the instance's own, in place of a class-level default. */
  private readonly selfAssigned = new Set<string>();
  /** Depth of a lambda, string or comment whose nodes are not visited; Infinity when none. */
  private skipBelow = Infinity;

  constructor(private readonly source: string) {}

  enter(c: FlatCursor, typeId: number, depth: number): boolean {
    if (depth > this.skipBelow) return false;
    this.skipBelow = Infinity;
    const known = kinds[typeId];
    const kind = known === N.Unseen ? kindOf(c) : known;
    if (kind === N.Anonymous) return false;
    if (kind === N.Skipped) {
      this.skipBelow = depth;
      return false;
    }
    let ctx: Context;
    const parentKind = depth > 0 ? this.kindAt[depth - 1] : N.Other;
    if (depth === 0) {
      ctx = { def: undefined, defEnd: this.source.length, locked: false, guards: [], classBody: undefined, globals: new Set(), locals: new Set() };
    } else {
      ctx = this.innerAt[depth - 1];
      if (parentKind === N.If) {
        // The condition guards the consequence; elif/else branches keep the `if`'s context.
        const field = fieldOf(c);
        if (field === 'condition' && this.conditionAt[depth - 1] === undefined) {
          this.conditionAt[depth - 1] = this.text(c);
        } else if (field === 'consequence' && !this.consequenceSeenAt[depth - 1]) {
          this.consequenceSeenAt[depth - 1] = true;
          const condition = this.conditionAt[depth - 1] ?? '';
          ctx = derive(ctx, ctx.classBody, ctx.locked || ACQUIRE_TEST.test(condition), [...ctx.guards, condition]);
        }
      }
    }
    let inner = ctx;
    switch (kind) {
      case N.FunctionDef: {
        const at = c.startPosition;
        const def: [number, number] = [at.row + 1, at.column + 1];
        inner = { def, defEnd: c.endIndex, locked: false, guards: [], classBody: undefined, globals: new Set(), locals: new Set() };
        this.localsByDef.set(`${def[0]}:${def[1]}`, inner.locals);
        break;
      }
      case N.Parameters:
        if (parentKind === N.FunctionDef) this.parameters(c, ctx.locals);
        break;
      case N.ClassDef:
        inner = derive(ctx, this.field(c, 'name') ?? '', ctx.locked, ctx.guards);
        break;
      case N.Block:
        // A class's block keeps classBody; any other block (a def's, an if's) is not the class body.
        if (parentKind !== N.ClassDef && ctx.classBody !== undefined) inner = derive(ctx, undefined, ctx.locked, ctx.guards);
        break;
      case N.Global:
        for (const name of this.namedOfKind(c, N.Identifier)) ctx.globals.add(name);
        break;
      case N.If:
        this.conditionAt[depth] = undefined;
        this.consequenceSeenAt[depth] = false;
        break;
      case N.With: {
        const clause = this.namedOfKind(c, N.WithClause, 1)[0] ?? '';
        if (LOCK_LIKE.test(clause)) inner = derive(ctx, ctx.classBody, true, ctx.guards);
        if (CATCH_WARNINGS.test(clause)) inner = { ...inner, warningsScope: true };
        break;
      }
      case N.Assignment:
      case N.AugmentedAssignment:
        this.assignment(c, ctx, kind === N.AugmentedAssignment);
        break;
      case N.Delete:
        this.deleteTargets(c, ctx);
        break;
      case N.Call:
        this.call(c, ctx);
        break;
      case N.For:
      case N.Container:
        this.lockedLine(c, ctx);
        break;
      case N.ExpressionStatement:
        if (depth > 0 && (parentKind === N.Block || depth === 1)) this.acquireOrRelease(c, ctx, depth);
        break;
      default:
        break;
    }
    this.kindAt[depth] = kind;
    this.innerAt[depth] = inner;
    this.heldAt[depth] = undefined;
    return true;
  }

  /**
   * `lock.acquire()` as a statement: the statements after it in its block hold the lock, until
   * `lock.release()` in that block or in one nested in it (the `finally:` of a `try` that follows).
   * An acquire without a release later in the same function (a lock held for good, a sentinel)
   * changes nothing.
   */
  private acquireOrRelease(c: FlatCursor, ctx: Context, depth: number): void {
    const text = this.text(c);
    const acquired = ACQUIRE.exec(text);
    if (acquired) {
      const key = acquired[1] !== undefined ? `${acquired[1]}.release()` : `${acquired[2].replace(/acquire/, 'release')}()`;
      const after = this.source.slice(c.endIndex, ctx.defEnd);
      if (ctx.locked || !after.includes(key)) return;
      const block = depth - 1;
      this.heldAt[block] = { key, before: this.innerAt[block] };
      this.innerAt[block] = derive(this.innerAt[block], this.innerAt[block].classBody, true, this.innerAt[block].guards);
      return;
    }
    if (!RELEASE.test(text)) return;
    for (let d = depth - 1; d >= 0; d--) {
      const held = this.heldAt[d];
      if (held?.key !== text) continue;
      this.innerAt[d] = held.before;
      this.heldAt[d] = undefined;
      return;
    }
  }

  /** The facts read, or undefined when there are none. */
  facts(): SharedStateFacts | undefined {
    // A write to a name the function binds itself is to its own local, not to shared state.
    // (`self.x` and `cls.x` reach the instance's or class's attributes, which may be shared.)
    const writes = this.writes
      .filter(({ write: w }) => w.global || /^(self|cls)\./.test(w.target) || !this.localsByDef.get(`${w.defLine}:${w.defColumn}`)?.has(w.target.split(/[.[]/)[0]))
      .map(({ write, guards }) => (isGuarded(write.target, guards, write.how === 'rebind') ? withGuarded(write) : write));
    const lockedLines = [...this.lockedLines].sort((a, b) => a - b);
    const warningsScopeLines = [...this.warningsLines].sort((a, b) => a - b);
    if (this.containers.length === 0 && writes.length === 0 && lockedLines.length === 0 && warningsScopeLines.length === 0) return undefined;
    const shadowed = this.containers.filter((c) => c.cls !== undefined && this.selfAssigned.has(c.name)).map((c) => c.name);
    return {
      containers: this.containers, writes, ...(lockedLines.length > 0 ? { lockedLines } : {}), ...(shadowed.length > 0 ? { shadowed } : {}),
      ...(warningsScopeLines.length > 0 ? { warningsScopeLines } : {}),
    };
  }

  // The helpers below look at the children of the node under the cursor and move it back there.

  private text(c: FlatCursor): string {
    return this.source.slice(c.startIndex, c.endIndex);
  }

  /** The text of the first child in `field`. */
  private field(c: FlatCursor, field: string): string | undefined {
    if (!c.gotoFirstChild()) return undefined;
    let text: string | undefined;
    do {
      if (fieldOf(c) === field) {
        text = this.text(c);
        break;
      }
    } while (c.gotoNextSibling());
    c.gotoParent();
    return text;
  }

  /** The texts of the named children of one kind (at most `max`). */
  private namedOfKind(c: FlatCursor, kind: N, max = Infinity): string[] {
    const texts: string[] = [];
    if (!c.gotoFirstChild()) return texts;
    do {
      if (kindOf(c) === kind) texts.push(this.text(c));
    } while (texts.length < max && c.gotoNextSibling());
    c.gotoParent();
    return texts;
  }

  /** A def's parameters are its locals: each plain name, or the `name` (else the first name) of the others. */
  private parameters(c: FlatCursor, locals: Set<string>): void {
    if (!c.gotoFirstChild()) return;
    do {
      const kind = kindOf(c);
      if (kind === N.Anonymous) continue;
      const name = kind === N.Identifier ? this.text(c) : this.field(c, 'name') ?? this.namedOfKind(c, N.Identifier, 1)[0];
      if (name !== undefined) locals.add(name);
    } while (c.gotoNextSibling());
    c.gotoParent();
  }

  private assignment(c: FlatCursor, ctx: Context, augmented: boolean): void {
    let left: Child | undefined;
    let right: Child | undefined;
    /** Subscript target: the text of its `value`; pattern target (in a def): its names. */
    let subscripted: string | undefined;
    let names: string[] | undefined;
    let rightLiteral: string | undefined;
    if (c.gotoFirstChild()) {
      do {
        const field = fieldOf(c);
        if (field === 'left' && !left) {
          left = { kind: kindOf(c), start: c.startIndex, end: c.endIndex };
          if (left.kind === N.Subscript) subscripted = this.field(c, 'value');
          else if (left.kind === N.PatternList && ctx.def) names = this.namedOfKind(c, N.Identifier);
        } else if (field === 'right' && !right) {
          right = { kind: kindOf(c), start: c.startIndex, end: c.endIndex };
          if (right.kind === N.Container) rightLiteral = literalKinds[c.nodeTypeId];
        }
      } while (!(left && right) && c.gotoNextSibling());
      c.gotoParent();
    }
    if (!left) return;
    const leftText = this.source.slice(left.start, left.end);
    if (!ctx.def && left.kind === N.Identifier && right) {
      const kind = rightLiteral ?? (right.kind === N.Call ? CONTAINER_CALL.exec(this.source.slice(right.start, right.end))?.[1] : undefined);
      if (kind) this.containers.push({ name: leftText, kind, line: c.startPosition.row + 1, ...(ctx.classBody !== undefined ? { cls: ctx.classBody } : {}) });
    }
    if (ctx.def && left.kind === N.Identifier && !ctx.globals.has(leftText)) ctx.locals.add(leftText);
    if (ctx.def && names) {
      for (const name of names) if (!ctx.globals.has(name)) ctx.locals.add(name);
    }
    if (left.kind === N.Subscript) {
      if (subscripted !== undefined) this.write(c, ctx, subscripted, augmented ? 'augmented' : 'subscript');
    } else if (left.kind === N.Identifier && ctx.globals.has(leftText)) {
      this.write(c, ctx, leftText, augmented ? 'augmented' : 'rebind');
    } else if (left.kind === N.Attribute && augmented) {
      this.write(c, ctx, leftText, 'augmented');
    } else if (left.kind === N.Attribute && /^(self|cls)\.\w+$|^[A-Z]\w*\.\w+$/.test(leftText) && right?.kind === N.None) {
      // `self._x = None` resets: not a write that matters here.
    } else if (left.kind === N.Attribute && ctx.def && /^self\.\w+$/.test(leftText)) {
      this.selfAssigned.add(leftText.slice(5));
    } else if (left.kind === N.Attribute && /^(cls|[A-Z]\w*|decimal\.DefaultContext)\.\w+$/.test(leftText)) {
      this.write(c, ctx, leftText, 'rebind');
    }
  }

  /** `del NAME[k]` (or one of several targets) writes NAME. */
  private deleteTargets(c: FlatCursor, ctx: Context): void {
    if (!c.gotoFirstChild()) return;
    do {
      const kind = kindOf(c);
      if (kind === N.Subscript) this.deleted(c, ctx);
      else if (kind === N.ExpressionList && c.gotoFirstChild()) {
        do {
          if (kindOf(c) === N.Subscript) this.deleted(c, ctx);
        } while (c.gotoNextSibling());
        c.gotoParent();
      }
    } while (c.gotoNextSibling());
    c.gotoParent();
  }

  private deleted(c: FlatCursor, ctx: Context): void {
    const value = this.field(c, 'value');
    if (value !== undefined) this.write(c, ctx, value, 'del');
  }

  /** `NAME.append(x)` and the other mutating methods, on a name or an attribute. */
  private call(c: FlatCursor, ctx: Context): void {
    this.lockedLine(c, ctx);
    if (ctx.warningsScope && this.warningsLines.size < MAX_WRITES) this.warningsLines.add(c.startPosition.row + 1);
    if (!c.gotoFirstChild()) return;
    let target: string | undefined;
    let method = '';
    do {
      if (fieldOf(c) !== 'function') continue;
      // Only an attribute that ends in a mutator's name is looked into (its last child is the method's name).
      if (kindOf(c) === N.Attribute && endsWithMutator(this.source, c.startIndex, c.endIndex) && c.gotoFirstChild()) {
        let object: Child | undefined;
        let named = false;
        do {
          const field = fieldOf(c);
          if (field === 'attribute' && !named) {
            named = true;
            method = this.text(c);
          } else if (field === 'object' && !object) object = { kind: kindOf(c), start: c.startIndex, end: c.endIndex };
        } while (c.gotoNextSibling());
        c.gotoParent();
        if (object && (object.kind === N.Identifier || object.kind === N.Attribute)) target = this.source.slice(object.start, object.end);
      }
      break;
    } while (c.gotoNextSibling());
    c.gotoParent();
    if (target !== undefined && MUTATORS.has(method)) this.write(c, ctx, target, 'method', method);
  }

  /** Records that the call or loop under the cursor runs with a lock held. */
  private lockedLine(c: FlatCursor, ctx: Context): void {
    if (ctx.locked && this.lockedLines.size < MAX_WRITES) this.lockedLines.add(c.startPosition.row + 1);
  }

  /** Records a write by the node under the cursor. */
  private write(c: FlatCursor, ctx: Context, target: string, how: StateWrite['how'], method?: string): void {
    if (!ctx.def || this.writes.length >= MAX_WRITES) return;
    const root = target.split(/[.[]/)[0];
    const at = c.startPosition;
    const write: StateWrite = {
      defLine: ctx.def[0], defColumn: ctx.def[1], target, how, ...(method ? { method } : {}),
      line: at.row + 1, column: at.column + 1,
      ...(ctx.locked ? { locked: true } : {}),
      ...(how === 'rebind' || how === 'augmented' ? (ctx.globals.has(root) ? { global: true } : {}) : {}),
    };
    // The guards array of a context never changes once made, so it can be tested later.
    this.writes.push({ write, guards: ctx.guards });
  }
}

/**
 * Whether an `if` condition around a write names its target (or, for a bare name, mentions it).
 * For a rebinding (`_client = make()`) the condition must test that the target is unset (`is
 * None`, `not _client`, `== None`): that is lazy initialisation; `if count >= n: count = 0` or
 * `if timer: timer = timer.cancel()` is a plain store under a condition.
 */
function isGuarded(target: string, guards: readonly string[], rebind = false): boolean {
  if (guards.length === 0) return false;
  const root = target.split(/[.[]/)[0];
  const t = escape(target);
  if (rebind) {
    const unset = new RegExp(`(^|[^\\w.])(not\\s+${t}($|[^\\w.(\\[])|${t}\\s*(is\\s+None|==\\s*None)\\b)`);
    return guards.some((g) => unset.test(g));
  }
  return guards.some((g) => new RegExp(`(^|[^\\w.])${t}($|[^\\w])`).test(g) || (target === root && new RegExp(`\\b${escape(root)}\\b`).test(g)));
}

/** The write marked guarded, its keys in the report's order. */
function withGuarded(w: StateWrite): StateWrite {
  const { global, ...rest } = w;
  return { ...rest, guarded: true, ...(global ? { global } : {}) };
}

/** The field the node under the cursor fills in its parent ('' for none). */
function fieldOf(c: FlatCursor): string {
  return c.currentFieldName ?? '';
}

/** Whether source[start, end) ends with the name of a mutating method (a whole identifier). */
function endsWithMutator(source: string, start: number, end: number): boolean {
  let i = end;
  while (i > start && isAsciiWordChar(source.charCodeAt(i - 1))) i--;
  if (i === end || end - i > 27) return false;
  if (i > start && source.charCodeAt(i - 1) >= 0x80) return false;
  return MUTATORS.has(source.slice(i, end));
}

function isAsciiWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
