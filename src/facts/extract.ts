/**
 * Turns one syntax tree into ModuleFacts in a single cursor walk.
 *
 * Stage: facts. Input: a flat tree (parse/flat.ts) and its source text; output: ModuleFacts with
 * callee texts still unresolved (see resolve-local.ts). The walk reads one numeric type id per
 * node from the flat array and slices text only for the few nodes that need it (each slice is a
 * new string). Nesting is tracked with an explicit stack of frames keyed by depth: no
 * recursion, so deeply nested code cannot overflow the stack.
 *
 * Other readers of the tree (shared-state.ts) ride along as a WalkVisitor instead of walking it
 * again: they are told of every node, and where they need the children of a node this walk
 * skips, it goes through them for the visitor alone.
 *
 * What one file records is bounded (see LIMITS): hostile or generated code (ten thousand nested
 * lambdas, one call with millions of arguments) is analysed up to the bound, and a file issue
 * says where the bound was met. Nothing in the walk costs more than constant time per node.
 */
import type { FlatCursor, FlatNode, FlatTree } from '../parse/flat.js';
import { Python, type TypeIds } from '../parse/language.js';
import type { ArgFact, CallFact, ClassFact, FunctionFact, LoopFact, ModuleFacts, RunCondition, Span } from './types.js';
import { clausesWhen, endsInExit, lastStatement, lastStatementType, parseCondition, testsParameters, UNKNOWN_EXPR, type Clause, type Expr } from './conditions.js';
import { opensMemoryDatabase, passedArgument } from './arguments.js';
import { cythonHeader } from './cython-header.js';
import { displayCallee, DOTTED, normaliseCallee, normaliseValue, parseImport, parseParams, splitTopLevel, targetNames, withItemValue } from './text.js';

/** Small integer codes for the node types the walk tells apart (0: anything else). */
const enum K {
  Other = 0, FunctionDef, ClassDef, Decorator, Lambda, Call, ArgumentList, KeywordArgument,
  Identifier, Attribute, Assignment, AugmentedAssignment, AsPattern, AsPatternTarget, For, While,
  Comprehension, Arithmetic, Logic, Subscript, Await, Yield, Import, Return, If, StringLike,
  ErrorNode, None, True, False, Integer, Literal, Splat, Global, Comment, AsyncKeyword,
  PatternList, Parenthesized, TypeNode, Parameters, Block, ForIn, WithItem, Try, Except,
}

type Codes = Uint8Array;
let cachedCodes: Codes | undefined;

function codesFor(ids: TypeIds): Codes {
  if (cachedCodes) return cachedCodes;
  // Type ids are 16-bit; ERROR is 65535.
  const codes = new Uint8Array(65536);
  const set = (names: (keyof TypeIds)[], code: K) => {
    for (const name of names) for (const id of ids[name]) codes[id] = code;
  };
  set(['function_definition'], K.FunctionDef);
  set(['class_definition'], K.ClassDef);
  set(['decorator'], K.Decorator);
  set(['lambda'], K.Lambda);
  set(['call'], K.Call);
  set(['argument_list'], K.ArgumentList);
  set(['keyword_argument'], K.KeywordArgument);
  set(['identifier'], K.Identifier);
  set(['attribute'], K.Attribute);
  set(['assignment'], K.Assignment);
  set(['augmented_assignment'], K.AugmentedAssignment);
  set(['as_pattern'], K.AsPattern);
  set(['as_pattern_target'], K.AsPatternTarget);
  set(['for_statement'], K.For);
  set(['while_statement'], K.While);
  set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression'], K.Comprehension);
  set(['binary_operator', 'unary_operator'], K.Arithmetic);
  set(['boolean_operator', 'comparison_operator', 'not_operator'], K.Logic);
  set(['subscript'], K.Subscript);
  set(['await'], K.Await);
  set(['yield'], K.Yield);
  set(['import_statement', 'import_from_statement', 'future_import_statement'], K.Import);
  set(['return_statement'], K.Return);
  set(['if_statement'], K.If);
  set(['string', 'concatenated_string'], K.StringLike);
  set(['ERROR'], K.ErrorNode);
  set(['none'], K.None);
  set(['true'], K.True);
  set(['false'], K.False);
  set(['integer'], K.Integer);
  set(['float', 'tuple', 'list', 'dictionary', 'set'], K.Literal);
  set(['list_splat', 'dictionary_splat'], K.Splat);
  set(['global_statement', 'nonlocal_statement'], K.Global);
  set(['comment'], K.Comment);
  set(['asyncKeyword'], K.AsyncKeyword);
  set(['pattern_list', 'tuple_pattern', 'list_pattern'], K.PatternList);
  set(['parenthesized_expression'], K.Parenthesized);
  set(['type'], K.TypeNode);
  set(['parameters', 'lambda_parameters'], K.Parameters);
  set(['block'], K.Block);
  set(['for_in_clause'], K.ForIn);
  set(['with_item'], K.WithItem);
  set(['try_statement'], K.Try);
  set(['except_clause'], K.Except);
  cachedCodes = codes;
  return codes;
}

/** A raw binding before resolution: `value` is normalised source text, `''` when unknowable. */
export interface RawBinding {
  name: string;
  value: string;
  line: number;
  /** `self.x = ...` inside a method: an attribute of the class. */
  attribute?: boolean;
  /** `cache = CACHES[kind]`: an item of the container of this name. */
  itemOf?: string;
}

/** FunctionFact plus what resolution needs and then drops. */
export interface RawFunction extends FunctionFact {
  /** Made here as a list (see Calls). */
  calls: CallFact[];
  raw: {
    bindings: RawBinding[];
    /** Names declared `global` or `nonlocal` (not bound in this function's scope). */
    globals: string[];
    /** Names declared `global` only. */
    moduleGlobals: string[];
    /** Raw `return` values (normalised text). */
    returns: string[];
    /** Nested defs and classes: name -> qualname. */
    defs: Map<string, string>;
    /** Raw `yield` values (normalised text): what a `@contextmanager` function's `with` gives. */
    yields: string[];
    /** Attribute reads on names (`self.items`, `svc.repo`): a property read runs its getter. */
    reads: CallFact[];
    /** The return annotation's text (`-> Session`), if any. */
    returnType?: string;
  };
}

export interface RawModule extends Omit<ModuleFacts, 'functions'> {
  functions: RawFunction[];
  /** Assignments and annotations in class bodies (`repo: Repo`, `pool = ThreadPoolExecutor()`). */
  classAttributes: { cls: number; name: string; value: string; line: number }[];
}

/** How much one file may record; past a bound, the rest is skipped and a file issue says so. */
export const LIMITS = {
  /** Nested defs, lambdas and classes (qualified names grow with the square of the depth). */
  scopeDepth: 64,
  /** Characters of a qualified name. */
  qualname: 1024,
  functions: 50_000,
  classes: 50_000,
  calls: 200_000,
  argsPerCall: 1024,
  /** Loops per function (the workload stage compares them pairwise). */
  loopsPerFunction: 5_000,
  /** Bindings (assignments, loop targets, class attributes) per file. */
  bindings: 200_000,
  imports: 50_000,
  /** Parameters, `global` names and decorators per function. */
  perFunction: 256,
  /** Characters of a normalised callee; longer ones are left unknown. */
  callee: 2048,
} as const;

/** Frame kinds on the walk's stack. */
const enum F { Function, Class, Call, Args, Kwarg, Assign, AsPattern, Loop, Await, Return, If, ForTarget, ForIn, LazyIf, Yield, TryMemo, Except }

/**
 * One open node on the walk's stack. Every frame is made by this constructor with every member
 * present, so all frames share one hidden class: the walk's reads of them stay monomorphic, and
 * the optimised walk is not thrown away whenever a frame of another shape turns up (a walk that
 * made frames of a dozen shapes was recompiled some twenty times per thread, at 0.3-0.6 s each).
 */
class Frame {
  /** Function and class frames: the innermost function and scope frames around them; loop frames: the loop frame around them. */
  outerFn: Frame | undefined = undefined;
  outerScope: Frame | undefined = undefined;
  outerLoop: Frame | undefined = undefined;
  /** Children entered so far. */
  child = 0;
  fn: number | undefined = undefined;
  cls: number | undefined = undefined;
  call: CallFact | undefined = undefined;
  arg: ArgFact | undefined = undefined;
  loop: LoopFact | undefined = undefined;
  /** Assignment: left text; with-item: value text. */
  left: string | undefined = undefined;
  annotated: boolean | undefined = undefined;
  /** Assignment in a class body: the class's index. */
  inClass: number | undefined = undefined;
  /** The assignment's annotation, if any. */
  annotation: string | undefined = undefined;
  /** The text of a tuple value assigned to several names. */
  tuple: string | undefined = undefined;
  /** An assignment of one item of a named container (`cache = CACHES[kind]`): the container's name. */
  itemOf: string | undefined = undefined;
  value: string | undefined = undefined;
  valueCall: CallFact | undefined = undefined;
  /** Line of the statement (assignments), for bindings; first and last line of an `if`. */
  line: number | undefined = undefined;
  endLine: number | undefined = undefined;
  /** Loop frames of the function frame: the stack of open loops. */
  loops: LoopFact[] | undefined = undefined;
  /** Parallel to `loops`: each open loop's index in the function's `loops`. */
  loopIndexes: number[] | undefined = undefined;
  /** A function frame: the `except` clauses of the function open around the walk. */
  handlers = 0;
  /** A loop frame: its index in the function's `loops`, and whether its body has begun. */
  loopIndex: number | undefined = undefined;
  inBody: boolean | undefined = undefined;
  /** A `for` loop or comprehension clause whose targets are read: its next named child is the iterable. */
  iterPending: boolean | undefined = undefined;
  /** A comprehension's further `for` clause, being read. */
  clause: NonNullable<LoopFact['clauses']>[number] | undefined = undefined;
  /** A `for` loop or clause over one name: its binding, given the iterable's element when it is read. */
  element: RawBinding | undefined = undefined;
  /** A lazy-initialisation guard (`if _x is None:`): the name it tests, and what its first block does. */
  lazy: { name: string; inBlock: boolean; assigned: boolean; calls: CallFact[]; loops: LoopFact[] } | undefined = undefined;
  /**
   * An `if` that may be a cache's early return (`if self._x is not None: return self._x`): the
   * name it tests and whether it tests membership (`if key in _cache:`), while its block is being
   * read; `false` once it cannot be one.
   */
  setGuard: SetGuard | false | undefined = undefined;
  /**
   * An `if` inside a function, as its tests of the function's parameters decide what runs (see
   * conditions.ts): `expr`, the condition read last (the `if`'s, then each `elif`'s); `fails`,
   * the clauses that hold once every condition read so far came out false; `active`, those under
   * which the block being read runs (undefined in a condition); `exits`, the clauses that hold
   * after the `if` when its first block ends in `return` or `raise` (undefined otherwise).
   */
  branch: { expr: Expr; fails: Clause[]; active: Clause[] | undefined; exits: Clause[] | undefined } | undefined = undefined;
  /**
   * A function frame after a cache's early return: the name tested, and the calls and loops made
   * after it, which run once per process when the function then sets the name.
   */
  guarded: (SetGuard & { assigned: boolean; calls: CallFact[]; loops: LoopFact[] }) | undefined = undefined;

  constructor(public kind: F, readonly depth: number) {}
}

/** `frame` with the given members set (members it has already: its hidden class stays the same). */
function framed(frame: Frame, members: Partial<Frame>): Frame {
  return Object.assign(frame, members);
}

/**
 * Reads the same walk for its own facts. `enter` is called for every node the walk reaches, in
 * document order, with the cursor on it (to be left there) and its depth below the root; it
 * returns whether it needs the node's children.
 */
export interface WalkVisitor {
  enter(cursor: FlatCursor, typeId: number, depth: number): boolean;
}

/** Extracts ModuleFacts from one tree. `rel` is the audit-relative path. */
export function extract(tree: FlatTree, source: string, rel: string, ids: TypeIds, sourceBytes?: number, visitor?: WalkVisitor): RawModule {
  return new ModuleWalk(tree, source, rel, codesFor(ids), sourceBytes, visitor).run();
}

/**
 * The walk of one tree. The loop (`run`) is small and hands each node to one method per node
 * kind (`enter*`) and, for a direct child of an open frame, to one per frame kind (`in*`). V8
 * optimises and, when a rarely taken path first runs, re-optimises each method on its own: a
 * single function holding every handler was recompiled whole some twenty times per thread, at
 * 0.3-0.6 s of compiler time each, more than the walk itself cost.
 */
class ModuleWalk {
  private readonly out: RawModule;
  private readonly module: string;
  private readonly isPackage: boolean;
  private readonly lineStarts: number[];
  /** Start and end index of the node whose text was fetched last. */
  private lastStart = 0;
  private lastEnd = 0;
  private readonly frames: Frame[];
  /** Innermost function and class-or-function scope frames, and the innermost loop frame (header included). */
  private fnFrame: Frame;
  private scopeFrame: Frame;
  private loopFrame: Frame | undefined = undefined;
  /** Function and class frames open. */
  private scopeDepth = 0;
  private pendingDecorators: string[] = [];
  private calls = 0;
  private bindings = 0;
  /** Characters of long callee texts that may still be normalised (keeps the walk linear). */
  private calleeBudget: number;
  private readonly limited = new Set<string>();
  /** Attribute reads already recorded, per function index. */
  private readonly readsSeen = new Map<number, Set<string>>();
  /** Lazy-initialisation guards whose block is being walked. */
  private lazyOpen = 0;
  /**
   * After `if not param: return` in a block of function `fn` (at `depth`): the clauses that hold
   * for the rest of the block (see Frame.branch), until the walk leaves it.
   */
  private readonly exits: { depth: number; fn: Frame; clauses: Clause[] }[] = [];
  /** Early returns on a module's dict that their own function does not fill: run once if another function of the module does. */
  private readonly filledElsewhere: NonNullable<Frame['guarded']>[] = [];
  /** Names whose items some assignment of the module sets (`cache[key] = ...`). */
  private readonly filledNames = new Set<string>();
  private readonly cursor: FlatCursor;
  private readonly leaf = leafTable();
  private depth = 0;
  private pendingArg: ArgFact | undefined = undefined;
  /** Depth of a node whose subtree this walk skips but the visitor reads (-1: none): the nodes below it are the visitor's alone. */
  private visitorOnly = -1;
  /**
   * Arguments that are calls, and the call each one is (the last one entered directly below it):
   * their callee text is known only once the call's callee was read. Kept here, not on the
   * argument, since deleting a member afterwards would make the argument a slow dictionary.
   */
  private readonly argCalls = new Map<ArgFact, CallFact>();

  constructor(
    private readonly tree: FlatTree,
    private readonly source: string,
    rel: string,
    private readonly codes: Codes,
    sourceBytes: number | undefined,
    private readonly visitor: WalkVisitor | undefined,
  ) {
    const { module, isPackage } = moduleName(rel);
    this.module = module;
    this.isPackage = isPackage;
    this.out = {
      path: rel, module, isPackage, lines: 0, bytes: sourceBytes ?? Buffer.byteLength(source),
      imports: [], classes: [], functions: [], suppressions: [], issues: [], asyncLibraries: [],
      hasMainGuard: false, classAttributes: [],
    };
    this.lineStarts = lineStartsOf(source);
    this.out.lines = countLines(source);
    const cython = pureCython(source);
    if (cython) this.out.cython = cython;
    this.out.functions.push(this.newFunction('<module>', '<module>', 'module', { line: 1, column: 1, endLine: this.out.lines, endColumn: 1 }, -1, ''));
    this.frames = [framed(new Frame(F.Function, 0), { fn: 0, loops: [], loopIndexes: [] })];
    this.fnFrame = this.frames[0];
    this.scopeFrame = this.frames[0];
    this.calleeBudget = 4 * source.length + 1_000_000;
    this.cursor = tree.walk();
  }

  run(): RawModule {
    const { cursor, codes, visitor, frames, out } = this;
    for (;;) {
      const typeId = cursor.nodeTypeId;
      const depth = this.depth;
      const visitorWants = visitor !== undefined && visitor.enter(cursor, typeId, depth);
      if (this.visitorOnly >= 0) {
        if (depth > this.visitorOnly) {
          if (!this.next(visitorWants && this.hasChildren(typeId))) break;
          continue;
        }
        this.visitorOnly = -1;
      }
      const code = codes[typeId];
      // Leave every frame this node is not inside.
      while (frames.length > 1 && frames[frames.length - 1].depth >= depth) this.pop(frames.pop()!);
      // After the frames: leaving an `if` may have begun an exit's clauses for the block it is in.
      while (this.exits.length > 0 && this.exits[this.exits.length - 1].depth >= depth) this.exits.pop();
      let awaited = false;

      // Direct child of a frame: the roles that depend on position. A comment is no child: it
      // may stand anywhere (`if x is None:` then a comment, then the block), and counting it
      // would move the positions of the children after it.
      const parent = frames[frames.length - 1];
      if (parent.depth === depth - 1 && code !== K.Comment) {
        parent.child++;
        if (parent.kind === F.Args && parent.call!.args.length >= LIMITS.argsPerCall) {
          // Leave the argument list: what is left of it is not recorded, nor walked.
          this.limit('args', cursor.startIndex, `a call with more than ${LIMITS.argsPerCall} arguments; only the first ${LIMITS.argsPerCall} were recorded`);
          if (visitor) {
            // The visitor still reads the rest of the list.
            this.visitorOnly = depth - 1;
            if (this.next(visitorWants && this.hasChildren(typeId))) continue;
            break;
          }
          cursor.gotoParent();
          this.depth--;
          if (this.next(false)) continue;
          break;
        }
        if (parent.kind === F.Await) awaited = parent.child === 2 && code === K.Call;
        else this.inFrame(parent, code);
      }

      let descend = code === K.Other || this.enter(code, parent, awaited);
      if (cursor.nodeIsNamed && code !== K.Lambda && code !== K.Call && code !== K.Await) this.pendingArg = undefined;

      if (descend || visitorWants) {
        const into = this.hasChildren(typeId);
        if (into && !descend) this.visitorOnly = depth;
        descend = into;
      }
      if (!this.next(descend)) break;
    }
    while (frames.length > 1) this.pop(frames.pop()!);
    for (const guarded of this.filledElsewhere) if (this.filledNames.has(guarded.name)) runOnce(guarded);
    // Arguments that are calls: record the callee text.
    for (const [arg, call] of this.argCalls) arg.text = call.callee;
    out.suppressions = suppressions(this.source, this.tree);
    return out;
  }

  /** Moves the cursor to the next node in document order (into the children if `descend`); false at the end. */
  private next(descend: boolean): boolean {
    const cursor = this.cursor;
    if (descend && cursor.gotoFirstChild()) {
      this.depth++;
      return true;
    }
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) return false;
      this.depth--;
    }
    return true;
  }

  /** Whether a node's children are worth a step down: a leaf has none. */
  private hasChildren(typeId: number): boolean {
    let isLeaf = this.leaf[typeId];
    if (isLeaf < 0) isLeaf = this.leaf[typeId] = LEAF_TYPES.has(this.cursor.nodeType) || !this.cursor.nodeIsNamed ? 1 : 0;
    return isLeaf === 0;
  }

  // ---- The node under the cursor as a direct child of the innermost frame, by the frame's kind.

  private inFrame(parent: Frame, code: K): void {
    switch (parent.kind) {
      case F.Call:
        if (parent.child === 1) this.inCallCallee(parent.call!);
        else if (code === K.ArgumentList) this.frames.push(framed(new Frame(F.Args, this.depth), { call: parent.call }));
        return;
      case F.Args:
        return this.inArgs(parent, code);
      case F.Kwarg:
        return this.inKwarg(parent, code);
      case F.Assign:
        return this.inAssign(parent, code);
      case F.AsPattern:
        return this.inAsPattern(parent, code);
      case F.Return:
      case F.Yield:
        if (parent.child === 2 && (code === K.Identifier || code === K.Attribute)) parent.value = valueOfName(this.text());
        else if (parent.child === 2 && (code === K.Parenthesized || code === K.Arithmetic)) parent.value = normaliseValue(this.text());
        return;
      case F.If:
        return this.inIf(parent);
      case F.LazyIf:
        return this.inLazyIf(parent, code);
      case F.TryMemo:
        return this.inTryMemo(parent, code);
      case F.ForTarget:
      case F.Loop:
        return this.inLoop(parent, code);
      case F.ForIn:
        return this.inForIn(parent, code);
      default:
        return;
    }
  }

  private inCallCallee(call: CallFact): void {
    call.callee = this.calleeOf();
    // The call starts where its callee starts; the span covers the callee.
    const line = this.lineOf(this.lastStart);
    const endLine = this.lineOf(this.lastEnd);
    call.line = line;
    call.column = this.columnOf(this.lastStart, line);
    call.endLine = endLine;
    call.endColumn = this.columnOf(this.lastEnd, endLine);
  }

  private inArgs(parent: Frame, code: K): void {
    if (code === K.KeywordArgument) {
      const arg: ArgFact = newArg('other');
      parent.call!.args.push(arg);
      this.frames.push(framed(new Frame(F.Kwarg, this.depth), { arg, call: parent.call }));
    } else {
      const arg = this.argFact(code, parent.call);
      if (arg) {
        parent.call!.args.push(arg);
        this.pendingArg = arg;
      }
    }
  }

  private inKwarg(parent: Frame, code: K): void {
    if (parent.child === 1) parent.arg!.keyword = this.text();
    else if (parent.child === 3) {
      const value = this.argFact(code, parent.call);
      if (value) {
        parent.arg!.kind = value.kind;
        parent.arg!.text = value.text;
        this.pendingArg = parent.arg;
      }
    }
  }

  private inAssign(parent: Frame, code: K): void {
    const cursor = this.cursor;
    if (parent.child === 1) {
      parent.left = this.text();
      parent.line = this.lineOf(this.lastStart);
      const filled = FILLED.exec(parent.left);
      if (filled) this.filledNames.add(filled[1]);
      const lazy = this.lazyOpen > 0 ? this.innermostLazy() : undefined;
      const guarded = this.fnFrame.guarded;
      if (lazy || guarded) {
        const left = parent.left.trim();
        if (lazy && setsName(left, lazy.name)) lazy.assigned = true;
        if (guarded && setsName(left, guarded.name)) guarded.assigned = true;
      }
      const loop = this.innermostLoop();
      // Each name stored is interpreter work on every pass (`a, b = pair` stores two).
      if (loop) loop.assignments += code === K.Identifier ? 1 : Math.max(1, targetNames(parent.left).length);
    }
    else if (parent.child === 3 && code === K.TypeNode) {
      parent.annotated = true;
      // An annotation types the name: `repo: Repo` (dataclass fields, `client: httpx.Client = make()`).
      parent.annotation = this.text();
    }
    else if ((parent.child === 3 && !parent.annotated) || parent.child === 5) {
      // A constant of an integer (`ROUNDS = 2048`, `ITERATIONS = 10**5`): the cost of a call passed it (see callCostMs).
      const constant = (code === K.Integer || code === K.Arithmetic) && /^[A-Z][A-Z0-9_]*$/.test((parent.left ?? '').trim()) ? integerValue(this.text()) : undefined;
      if (constant !== undefined) parent.value = `<int:${constant}>`;
      else if (code === K.Identifier || code === K.Attribute) parent.value = valueOfName(this.text());
      else if (code === K.Lambda) parent.value = '<lambda>';
      // `(requests.Session())`, `Path(p) / "x"`: the value the expression gives.
      else if (code === K.Parenthesized || (code === K.Arithmetic && !parent.left?.includes(','))) parent.value = normaliseValue(this.text());
      // A type alias, `SessionDep = Annotated[Session, Depends(get_db)]`, names the type it aliases.
      else if (code === K.Subscript && /^(?:typing(?:_extensions)?\.)?(?:Annotated|Optional)\[/.test(this.text())) parent.value = `<typealias>${this.text()}`;
      else if (code !== K.Call) {
        // `self.x = None` (initialising or resetting) says nothing about what x holds otherwise.
        parent.value = code === K.None ? '<none>' : '';
        if (code === K.Subscript) parent.itemOf = ITEM_OF.exec(this.text())?.[1];
        // A non-empty literal (`FIELDS = ("a", "b")`): its length tells how many passes a loop over the name makes.
        if (code === K.Literal && !parent.annotated && cursor.endIndex - cursor.startIndex > 2) {
          parent.value = `<literal:${cursor.currentNode.namedChildCount}>`;
        }
        // `a, b = open(x), Path(y)`: each name gets its own value.
        if (parent.left?.includes(',')) parent.tuple = this.text();
      }
    }
  }

  private inAsPattern(parent: Frame, code: K): void {
    if (parent.child === 1) {
      if (code === K.Identifier || code === K.Attribute) parent.value = normaliseCallee(this.text());
    } else if (code === K.AsPatternTarget) {
      // `with X(...) as y`: y is what `X(...).__enter__()` returns (the graph stage knows it).
      const value = parent.valueCall ? `${parent.valueCall.callee}().__enter__()` : parent.value ?? '';
      parent.line = parent.valueCall?.line ?? 0;
      this.bindTargets(this.text(), value, parent);
    }
  }

  private inIf(parent: Frame): void {
    if (parent.child === 2 && /__name__\s*==\s*['"]__main__['"]|['"]__main__['"]\s*==\s*__name__/.test(this.text())) {
      this.out.hasMainGuard = true;
      this.out.mainGuard = [parent.line!, parent.endLine!];
    }
  }

  private inLazyIf(parent: Frame, code: K): void {
    this.readBranch(parent, code);
    if (parent.child === 2) {
      const text = code === K.Logic || code === K.Identifier || code === K.Attribute ? this.text() : undefined;
      const name = text !== undefined ? lazyGuardName(text) : undefined;
      if (name) parent.lazy = { name, inBlock: false, assigned: false, calls: [], loops: [] };
      parent.setGuard = text !== undefined && this.atFunctionTop() ? setGuardOf(text) ?? false : false;
    } else if (parent.setGuard && code === K.Block) {
      // Only a block of one `return` is a cache's early return; a membership test's block may
      // first check the entry (`if key in cache: entry = cache[key]; if fresh(entry): return entry`).
      const block = this.text().trim();
      if (!/^return\b[^\n]*$/.test(block) && !(parent.setGuard.membership && /(?:^|\n)\s*return\b/.test(block))) parent.setGuard = false;
    } else if (parent.setGuard && parent.child > 4) {
      // An `elif` or `else`: not an early return.
      parent.setGuard = false;
    }
    if (parent.child === 2) return;
    if (parent.lazy && code === K.Block && !parent.lazy.inBlock && !parent.lazy.assigned && parent.child <= 4) {
      parent.lazy.inBlock = true;
      this.lazyOpen++;
    } else if (parent.lazy?.inBlock) {
      // An `elif`/`else` branch: the guarded block is over.
      parent.lazy.inBlock = false;
      this.lazyOpen--;
    }
  }

  /**
   * Tests of parameters in an `if` (see Frame.branch): read at each condition, with the clauses
   * under which each block runs, and those after the `if` when its first block exits.
   */
  private readBranch(parent: Frame, code: K): void {
    if (parent.child === 2) {
      const expr = code === K.Call || code === K.Logic || code === K.Identifier || code === K.Attribute || code === K.Parenthesized ? this.condition(this.cursor.currentNode) : undefined;
      if (expr) parent.branch = { expr, fails: [], active: undefined, exits: undefined };
      return;
    }
    const branch = parent.branch;
    if (parent.child === 4 && code === K.Block) {
      if (branch) {
        branch.active = clausesWhen(branch.expr, true);
        if (endsInExit(this.cursor.currentNode)) branch.exits = clausesWhen(branch.expr, false);
      }
      return;
    }
    if (parent.child <= 4) return;
    // An `elif` runs when every condition before it failed and its own holds; an `else` when all failed.
    const type = this.cursor.nodeType;
    const node = type === 'elif_clause' ? this.cursor.currentNode.childForFieldName('condition') : null;
    const expr = node ? this.condition(node) : undefined;
    if (!branch && !expr) return;
    const fails = branch ? [...branch.fails, ...clausesWhen(branch.expr, false)] : [];
    if (type === 'elif_clause') parent.branch = { expr: expr ?? UNKNOWN_EXPR, fails, active: [...fails, ...(expr ? clausesWhen(expr, true) : [])], exits: branch?.exits };
    else if (type === 'else_clause') parent.branch = { expr: UNKNOWN_EXPR, fails, active: fails, exits: branch?.exits };
  }

  /**
   * The condition at `node`, if it tests a parameter that the function has not bound again before
   * it, by its name or by an attribute of `self` last set from it (`self.manager = manager`).
   */
  private condition(node: FlatNode): Expr | undefined {
    const fn = this.current();
    // Most conditions name no parameter at all: those are not parsed.
    const text = this.source.slice(node.startIndex, node.endIndex);
    if (!fn.params.some((p) => !p.variadic && text.includes(p.name))) return undefined;
    const { bindings } = fn.raw;
    const isParam = (name: string) => fn.params.some((p) => p.name === name && !p.variadic) && !bindings.some((b) => !b.attribute && b.name === name);
    const self = fn.className !== '' ? fn.params[0]?.name : undefined;
    const paramOf = (name: string): string | undefined => {
      if (!name.includes('.')) return isParam(name) ? name : undefined;
      const [owner, attribute] = name.split('.');
      if (owner !== self || (owner !== 'self' && owner !== 'cls')) return undefined;
      let set: string | undefined;
      for (const b of bindings) if (b.attribute && b.name === attribute) set = b.value;
      return set !== undefined && isParam(set) ? set : undefined;
    };
    const expr = parseCondition(node, paramOf);
    return testsParameters(expr) ? expr : undefined;
  }

  /** What tests of the current function's parameters ask for the code being read to run (see CallFact.condition). */
  private conditionHere(): RunCondition | undefined {
    let out: Clause[] | undefined;
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i];
      if (f.kind === F.Function || f.kind === F.Class) break;
      const active = f.kind === F.LazyIf ? f.branch?.active : undefined;
      if (active && active.length > 0) (out ??= []).push(...active);
    }
    for (const exit of this.exits) if (exit.fn === this.fnFrame) (out ??= []).push(...exit.clauses);
    return out && out.slice(0, MAX_CONDITION_CLAUSES);
  }

  /**
   * A cache's lookup written as `try: return _cache[key]` then `except KeyError:`: what runs after
   * it (in the handler or below) fills the cache, so it runs once per key, like the work after an
   * early return on `if key in _cache:`.
   */
  private inTryMemo(parent: Frame, code: K): void {
    if (code === K.Block && parent.setGuard === undefined) {
      const lookup = this.atFunctionTop() ? MEMO_LOOKUP.exec(this.text().trim()) : null;
      parent.setGuard = lookup ? { name: lookup[1], membership: true } : false;
    } else if (parent.setGuard && code !== K.Comment && this.cursor.nodeIsNamed) {
      if (MISSING_KEY.test(this.text()) && !this.fnFrame.guarded) this.fnFrame.guarded = { ...parent.setGuard, assigned: false, calls: [], loops: [] };
      parent.setGuard = false;
    }
  }

  private inLoop(parent: Frame, code: K): void {
    const cursor = this.cursor;
    if (parent.kind === F.ForTarget && code !== K.AsyncKeyword && code !== K.Comment && cursor.nodeIsNamed) {
      const target = this.text();
      const names = target.length <= 65536 ? targetNames(target) : [];
      for (const name of names) this.addBinding(this.current(), { name, value: '', line: 0 });
      if (names.length === 1 && names[0] === target) parent.element = this.current().raw.bindings.at(-1);
      parent.loop!.vars = names;
      parent.kind = F.Loop; // the target is read; the frame goes on as the loop
      parent.iterPending = true;
    } else if (parent.iterPending && code !== K.Block && code !== K.Comment && cursor.nodeIsNamed) {
      this.readIterable(parent.loop!, code);
      this.bindElement(parent, parent.loop!.iter);
      parent.iterPending = false;
    } else if (parent.child === 2 && parent.loop!.kind === 'while') this.readIterable(parent.loop!, code);
    else if (code === K.AsyncKeyword) parent.loop!.awaits++;
    else if (code === K.Block && !parent.inBody) {
      // A `for` loop's body begins: calls from here on run once per pass; its iterable did not.
      parent.inBody = true;
      this.fnFrame.loopIndexes!.push(parent.loopIndex!);
      this.fnFrame.loops!.push(parent.loop!);
    }
  }

  private inForIn(parent: Frame, code: K): void {
    // `for <vars> in <iterable>` inside a comprehension: the first clause describes the loop, later ones nest in it.
    if (!parent.iterPending && (code === K.Identifier || code === K.PatternList)) {
      const vars = targetNames(this.text());
      if (parent.loop!.vars === undefined) parent.loop!.vars = vars;
      else (parent.loop!.clauses ??= []).push((parent.clause = { iter: '', vars }));
      parent.iterPending = true;
      // Comprehension variables are the comprehension's own: bound only when the function does not use the name itself.
      const fn = this.current();
      parent.element = code === K.Identifier && !fn.raw.bindings.some((b) => b.name === vars[0]) && !fn.params.some((p) => p.name === vars[0]) ? { name: vars[0], value: '', line: 0 } : undefined;
      if (parent.element) this.addBinding(fn, parent.element);
    } else if (parent.iterPending && this.cursor.nodeIsNamed) {
      const target = parent.clause ?? parent.loop!;
      this.readIterable(target, code);
      this.bindElement(parent, target.iter);
      parent.iterPending = false;
    }
  }

  // ---- The node under the cursor, by its own kind. Each returns whether to walk its children.

  private enter(code: K, parent: Frame, awaited: boolean): boolean {
    switch (code) {
      case K.FunctionDef:
      case K.Lambda:
        return this.enterDef(code === K.Lambda, parent);
      case K.ClassDef:
        return this.enterClass();
      case K.Decorator:
        if (this.pendingDecorators.length < LIMITS.perFunction) this.pendingDecorators.push(normaliseCallee(this.text().replace(/^@\s*/, '')));
        return false;
      // Read as text where needed; nothing below them is used.
      case K.Parameters:
      case K.TypeNode:
        return false;
      case K.Call:
        return this.enterCall(parent, awaited);
      case K.Assignment:
        this.frames.push(framed(new Frame(F.Assign, this.depth), { inClass: this.scopeFrame.kind === F.Class ? this.scopeFrame.cls : undefined }));
        return true;
      case K.ForIn:
        if (parent.kind === F.Loop && parent.depth === this.depth - 1) this.frames.push(framed(new Frame(F.ForIn, this.depth), { loop: parent.loop }));
        return true;
      case K.AugmentedAssignment:
        this.countOperation('augmented');
        return true;
      case K.AsPattern:
        this.frames.push(new Frame(F.AsPattern, this.depth));
        return true;
      case K.For:
      case K.While:
      case K.Comprehension:
        return this.enterLoop(code);
      case K.Arithmetic:
        this.countOperation('arithmetic');
        return true;
      case K.Logic:
        this.countOperation('comparisons');
        return true;
      case K.Subscript:
        this.countOperation('subscripts');
        return true;
      case K.Await: {
        this.current().awaits++;
        const loop = this.innermostLoop();
        if (loop) loop.awaits++;
        this.frames.push(new Frame(F.Await, this.depth));
        return true;
      }
      case K.AsyncKeyword:
        if (!(parent.kind === F.Function && parent.depth === this.depth - 1)) this.current().awaits++;
        return true;
      case K.Yield: {
        const fn = this.current();
        fn.isGenerator = true;
        // An async generator gives the event loop back at every `yield`, like an `await`.
        const loop = fn.isAsync ? this.innermostLoop() : undefined;
        if (loop) loop.awaits++;
        this.frames.push(new Frame(F.Yield, this.depth));
        return true;
      }
      case K.WithItem:
        this.enterWithItem();
        return true;
      case K.Attribute:
        this.enterAttribute(parent);
        return true;
      case K.Import:
        this.enterImport();
        return false;
      case K.Return:
        this.frames.push(new Frame(F.Return, this.depth));
        return true;
      case K.Try:
        // Maybe a memo's lookup (`try: return _cache[key]` / `except KeyError:`): see inTryMemo.
        if (this.fnFrame.fn !== 0) this.frames.push(new Frame(F.TryMemo, this.depth));
        return true;
      case K.Except:
        // What a handler calls runs when the work it guards fails (see CallFact.onError).
        this.fnFrame.handlers++;
        this.frames.push(new Frame(F.Except, this.depth));
        return true;
      case K.If:
        if (this.depth === 1) this.frames.push(framed(new Frame(F.If, this.depth), { line: this.cursor.startPosition.row + 1, endLine: this.cursor.endPosition.row + 1 }));
        else if (this.fnFrame.fn !== 0) this.frames.push(new Frame(F.LazyIf, this.depth));
        return true;
      case K.Global:
        this.enterGlobal();
        return false;
      case K.StringLike:
        // An f-string's interpolations are code (`f"{json.dumps(body)}"`); other strings hold none.
        return this.cursor.nodeType === 'concatenated_string' || F_STRING.test(this.source.slice(this.cursor.startIndex, this.cursor.startIndex + 3));
      case K.Comment:
        return false;
      // An ERROR node (syntax errors are reported by parse/recover.ts) is walked like any other:
      // what tree-sitter could structure inside it is analysed.
      default:
        return true;
    }
  }

  private enterDef(isLambda: boolean, parent: Frame): boolean {
    const { out, cursor } = this;
    if (!this.withinBounds(isLambda ? 'a lambda' : 'a def', out.functions.length >= LIMITS.functions)) {
      if (!isLambda) this.pendingDecorators = [];
      return false;
    }
    const node = cursor.currentNode;
    const span = spanOf(node);
    const name = isLambda ? `<lambda:${span.line}>` : node.childForFieldName('name')?.text ?? '<anonymous>';
    const prefix = this.scopeQualname();
    const qualname = prefix ? `${prefix}.${name}` : name;
    if (qualname.length > LIMITS.qualname) {
      this.limit('qualname', cursor.startIndex, `a qualified name longer than ${LIMITS.qualname} characters; that definition was not analysed`);
      if (!isLambda) this.pendingDecorators = [];
      return false;
    }
    const className = !isLambda && this.scopeFrame.kind === F.Class ? out.classes[this.scopeFrame.cls!].qualname : '';
    const fn = this.newFunction(name, qualname, isLambda ? 'lambda' : 'def', span, this.fnFrame.fn!, className);
    const params = node.childForFieldName('parameters');
    if (params) {
      const paramsText = params.text;
      if (paramsText.length <= 65536) fn.params = parseParams(paramsText).slice(0, LIMITS.perFunction);
    }
    const returnType = isLambda ? null : node.childForFieldName('return_type');
    if (returnType && returnType.endIndex - returnType.startIndex <= 4096) fn.raw.returnType = returnType.text;
    if (!isLambda) {
      fn.isAsync = this.source.startsWith('async', node.startIndex);
      fn.decorators = this.pendingDecorators.slice(0, LIMITS.perFunction);
      this.pendingDecorators = [];
      if (this.scopeFrame.kind === F.Function) out.functions[this.fnFrame.fn!].raw.defs.set(name, fn.qualname);
    }
    const index = out.functions.push(fn) - 1;
    const pendingArg = this.pendingArg;
    if (isLambda && pendingArg && pendingArg.kind === 'lambda') pendingArg.lambda = index;
    if (isLambda && parent.kind === F.Assign && parent.child >= 3) parent.value = `<local>${fn.qualname}`;
    const frame = framed(new Frame(F.Function, this.depth), { fn: index, loops: [], loopIndexes: [], outerFn: this.fnFrame, outerScope: this.scopeFrame });
    this.frames.push(frame);
    this.scopeDepth++;
    this.fnFrame = this.scopeFrame = frame;
    return true;
  }

  private enterClass(): boolean {
    const { out, cursor } = this;
    if (!this.withinBounds('a class', out.classes.length >= LIMITS.classes)) {
      this.pendingDecorators = [];
      return false;
    }
    const node = cursor.currentNode;
    const name = node.childForFieldName('name')?.text ?? '<anonymous>';
    const prefix = this.scopeQualname();
    if (prefix.length + name.length >= LIMITS.qualname) {
      this.limit('qualname', cursor.startIndex, `a qualified name longer than ${LIMITS.qualname} characters; that definition was not analysed`);
      this.pendingDecorators = [];
      return false;
    }
    const supers = node.childForFieldName('superclasses');
    const parts = supers ? splitTopLevel(supers.text.slice(1, -1)) : [];
    const bases = parts.filter((b) => !/^[A-Za-z_]\w*\s*=/.test(b) && !b.startsWith('*')).map(normaliseCallee);
    const metaclass = parts.find((b) => /^metaclass\s*=/.test(b));
    const cls: ClassFact = {
      name, qualname: prefix ? `${prefix}.${name}` : name, bases, span: spanOf(node),
      decorators: this.pendingDecorators.slice(0, LIMITS.perFunction), attributes: [],
    };
    if (metaclass) cls.metaclass = normaliseCallee(metaclass.slice(metaclass.indexOf('=') + 1).trim());
    this.pendingDecorators = [];
    if (this.scopeFrame.kind === F.Function) out.functions[this.fnFrame.fn!].raw.defs.set(name, cls.qualname);
    const index = out.classes.push(cls) - 1;
    const frame = framed(new Frame(F.Class, this.depth), { cls: index, outerFn: this.fnFrame, outerScope: this.scopeFrame });
    this.frames.push(frame);
    this.scopeDepth++;
    this.scopeFrame = frame;
    return true;
  }

  private enterCall(parent: Frame, awaited: boolean): boolean {
    if (this.calls >= LIMITS.calls) {
      this.limit('calls', this.cursor.startIndex, `more than ${LIMITS.calls} calls; the later ones were not analysed`);
      return false;
    }
    this.calls++;
    const { frames, depth, fnFrame } = this;
    const call = newCall('', 0, 0, 0, 0);
    if (awaited) call.awaited = true;
    if (fnFrame.loopIndexes!.length) call.loop = fnFrame.loopIndexes![fnFrame.loopIndexes!.length - 1];
    if (fnFrame.handlers > 0) call.onError = true;
    this.current().calls.push(call);
    const loop = this.innermostLoop();
    if (loop) loop.calls++;
    if (this.lazyOpen > 0) this.innermostLazy()?.calls.push(call);
    fnFrame.guarded?.calls.push(call);
    const condition = this.conditionHere();
    if (condition) call.condition = condition;
    const pendingArg = this.pendingArg;
    if (pendingArg && pendingArg.kind === 'call' && parent.depth === depth - 1) this.argCalls.set(pendingArg, call);
    // `rows = await cur.fetchall()`: the awaited call is the value, as if it were not awaited.
    const outer = parent.kind === F.Await && parent.depth === depth - 1 && parent.child === 2 ? frames[frames.length - 2] : undefined;
    if (outer && outer.depth === parent.depth - 1) {
      if (outer.kind === F.Assign && outer.child >= 3) outer.valueCall = call;
      else if ((outer.kind === F.Return || outer.kind === F.Yield) && outer.child === 2) outer.valueCall = call;
    }
    if (parent.depth === depth - 1) {
      if (parent.kind === F.Assign && parent.child >= 3) parent.valueCall = call;
      else if (parent.kind === F.AsPattern && parent.child === 1) parent.valueCall = call;
      else if ((parent.kind === F.Return || parent.kind === F.Yield) && parent.child === 2) parent.valueCall = call;
    }
    frames.push(framed(new Frame(F.Call, depth), { call }));
    return true;
  }

  private enterLoop(code: K): boolean {
    const { cursor, fnFrame } = this;
    const fn = this.current();
    if (fn.loops.length >= LIMITS.loopsPerFunction) {
      this.limit('loops', cursor.startIndex, `a function with more than ${LIMITS.loopsPerFunction} loops; the later ones were not analysed`);
      return false;
    }
    const startIndex = cursor.startIndex;
    const line = this.lineOf(startIndex);
    const loop: LoopFact = {
      kind: code === K.For ? 'for' : code === K.While ? 'while' : 'comprehension',
      line, column: this.columnOf(startIndex, line), endLine: this.lineOf(cursor.endIndex), depth: fnFrame.loops!.length + 1,
      arithmetic: 0, subscripts: 0, comparisons: 0, augmented: 0, calls: 0, awaits: 0, assignments: 0,
    };
    if (code !== K.Comprehension && leavesOnFirstPass(cursor.currentNode, this.source)) loop.onePass = true;
    if (fnFrame.handlers > 0) loop.onError = true;
    const loopIndex = fn.loops.push(loop) - 1;
    if (this.lazyOpen > 0) this.innermostLazy()?.loops.push(loop);
    this.fnFrame.guarded?.loops.push(loop);
    // A `for` loop is entered when its body begins (its iterable is evaluated once, before).
    const inBody = code !== K.For;
    if (inBody) {
      fnFrame.loopIndexes!.push(loopIndex);
      fnFrame.loops!.push(loop);
    }
    const frame = framed(new Frame(code === K.For ? F.ForTarget : F.Loop, this.depth), { loop, fn: fnFrame.fn, loopIndex, inBody, outerLoop: this.loopFrame });
    this.frames.push(frame);
    this.loopFrame = frame;
    return true;
  }

  /**
   * A sync `with` calls the context manager's `__enter__` (a lock acquires, a file lock waits):
   * recorded as a call of `<manager>.__enter__` at the item.
   */
  private enterWithItem(): void {
    const statement = this.cursor.currentNode.parent?.parent;
    if (!statement || this.source.startsWith('async', statement.startIndex)) return;
    const value = normaliseValue(withItemValue(this.text()));
    if (!value) return;
    const line = this.lineOf(this.lastStart);
    const endLine = this.lineOf(this.lastEnd);
    const call = newCall(`${value}.__enter__`, line, this.columnOf(this.lastStart, line), endLine, this.columnOf(this.lastEnd, endLine));
    const fnFrame = this.fnFrame;
    if (fnFrame.loopIndexes!.length) call.loop = fnFrame.loopIndexes![fnFrame.loopIndexes!.length - 1];
    this.current().calls.push(call);
  }

  /** A read of `a.b` (not a callee, not an assignment target) runs a property's getter. */
  private enterAttribute(parent: Frame): void {
    const fnIndex = this.fnFrame.fn!;
    if (fnIndex === 0) return;
    if (parent.depth === this.depth - 1 && parent.child === 1 && (parent.kind === F.Call || parent.kind === F.Assign)) return;
    const name = this.text();
    if (!DOTTED.test(name)) return;
    let seen = this.readsSeen.get(fnIndex);
    if (!seen) this.readsSeen.set(fnIndex, (seen = new Set()));
    if (seen.has(name) || seen.size >= LIMITS.perFunction) return;
    seen.add(name);
    const line = this.lineOf(this.lastStart);
    this.current().raw.reads.push(newCall(name, line, this.columnOf(this.lastStart, line), line, this.columnOf(this.lastEnd, line)));
  }

  private enterImport(): void {
    const out = this.out;
    const importText = this.text();
    const line = this.lineOf(this.lastStart);
    for (const imp of parseImport(importText, this.module, this.isPackage)) {
      if (out.imports.length >= LIMITS.imports) {
        this.limit('imports', this.lastStart, `more than ${LIMITS.imports} imported names; the later ones were not recorded`);
        break;
      }
      out.imports.push({ local: imp.local, target: imp.target, line, scope: this.fnFrame.fn!, ...(imp.star ? { star: true } : {}) });
    }
  }

  private enterGlobal(): void {
    const declared = this.text();
    const names = declared.replace(/^(global|nonlocal)\s+/, '').split(',').map((s) => s.trim());
    const raw = this.current().raw;
    for (const name of names) {
      if (raw.globals.length < LIMITS.perFunction) raw.globals.push(name);
      if (declared.startsWith('global') && raw.moduleGlobals.length < LIMITS.perFunction) raw.moduleGlobals.push(name);
    }
  }

  // ---- Frames closing, innermost first, so the frame around a closing one is restored in constant time.

  private pop(frame: Frame): void {
    switch (frame.kind) {
      case F.Function:
      case F.Class: {
        const guarded = frame.guarded;
        if (guarded?.assigned && this.outlivesCall(guarded.name, frame)) runOnce(guarded);
        // A module's dict that another function of the module fills (`getlines` tests, `updatecache` fills): decided at the end.
        else if (guarded?.membership && !guarded.name.includes('.') && this.outlivesCall(guarded.name, frame)) this.filledElsewhere.push(guarded);
        this.fnFrame = frame.outerFn!;
        this.scopeFrame = frame.outerScope!;
        this.scopeDepth--;
        return;
      }
      case F.Loop:
      case F.ForTarget:
        this.loopFrame = frame.outerLoop;
        if (!frame.inBody) return;
        this.fnFrame.loops!.pop();
        this.fnFrame.loopIndexes!.pop();
        return;
      case F.Assign:
        return this.popAssign(frame);
      case F.Except:
        this.fnFrame.handlers--;
        return;
      case F.LazyIf: {
        const lazy = frame.lazy;
        if (lazy?.inBlock) this.lazyOpen--;
        // Only a guard whose block sets the name it tests runs once: `if _x is None: _x = build()`,
        // and only when the name outlives the call (an attribute, a global): a local or a
        // parameter (`if timeout is None: timeout = default()`) is tested afresh on every call.
        if (lazy?.assigned && this.outlivesCall(lazy.name)) runOnce(lazy);
        // A cache's early return: what the function does after it runs once, if it sets the name.
        if (frame.setGuard && !this.fnFrame.guarded) this.fnFrame.guarded = { ...frame.setGuard, assigned: false, calls: [], loops: [] };
        const exits = frame.branch?.exits;
        if (exits && exits.length > 0) this.exits.push({ depth: frame.depth - 1, fn: this.fnFrame, clauses: exits });
        return;
      }
      case F.Return:
      case F.Yield: {
        const value = frame.valueCall ? `${frame.valueCall.callee}()` : frame.value;
        const raw = this.current().raw;
        const values = frame.kind === F.Return ? raw.returns : raw.yields;
        if (value && values.length < LIMITS.perFunction) values.push(value);
        return;
      }
      default:
        return;
    }
  }

  private popAssign(frame: Frame): void {
    const value = frame.valueCall ? `${frame.valueCall.callee}()` : frame.value ?? '';
    if (frame.valueCall && boundedQueue(frame.valueCall)) this.noteReceiver((this.out.boundedQueues ??= []), frame.left ?? '');
    if (frame.valueCall && datagramSocket(frame.valueCall)) this.noteReceiver((this.out.datagramSockets ??= []), frame.left ?? '');
    const database = frame.valueCall && databaseConnection(frame.valueCall);
    if (database) this.noteReceiver(database === 'memory' ? (this.out.memoryDatabases ??= []) : (this.out.otherDatabases ??= []), frame.left ?? '');
    if (frame.inClass !== undefined) {
      // Class body: an attribute of the class, not a name of the enclosing scope.
      const name = (frame.left ?? '').trim();
      const typed = value || (frame.annotation ? `<annotation>${frame.annotation}` : '');
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && typed) {
        if (this.bindings++ < LIMITS.bindings) this.out.classAttributes.push({ cls: frame.inClass, name, value: typed, line: frame.line ?? 0 });
        else this.limit('bindings', this.lastStart, `more than ${LIMITS.bindings} assignments; the later ones were not recorded`);
      }
      return;
    }
    if (frame.annotation) this.bindTargets(frame.left ?? '', `<annotation>${frame.annotation}`, frame);
    else if (frame.tuple) this.bindTuple(frame.left ?? '', frame.tuple, frame);
    else this.bindTargets(frame.left ?? '', value, frame);
  }

  /** Remembers in `names` the last name of each target (`self.q`, `a, q`: `q`) assigned a receiver of one kind (a bounded queue, a datagram socket). */
  private noteReceiver(names: string[], left: string): void {
    for (const target of left.split(',')) {
      const name = /([A-Za-z_][A-Za-z0-9_]*)\s*(?::.*)?$/.exec(target.trim())?.[1];
      if (name && !names.includes(name) && names.length < LIMITS.perFunction) names.push(name);
    }
  }

  // ---- Helpers.

  /** The text of the node under the cursor (remembered as the last node whose text was fetched). */
  private text(): string {
    const cursor = this.cursor;
    this.lastStart = cursor.startIndex;
    this.lastEnd = cursor.endIndex;
    return this.source.slice(this.lastStart, this.lastEnd);
  }

  /** 1-based line and column of a UTF-16 index. */
  private lineOf(index: number): number {
    return lineIndex(this.lineStarts, index) + 1;
  }

  private columnOf(index: number, line: number): number {
    return index - this.lineStarts[line - 1] + 1;
  }

  private newFunction(name: string, qualname: string, kind: FunctionFact['kind'], span: Span, parent: number, className: string): RawFunction {
    return {
      name, qualname, kind, isAsync: false, span, parent, className, decorators: [], params: [], calls: [],
      bindings: [], returns: [], loops: [], awaits: 0, ops: 0, isGenerator: false,
      raw: { bindings: [], globals: [], moduleGlobals: [], returns: [], defs: new Map(), yields: [], reads: [] },
    };
  }

  /** Records, once per kind, that a bound was met at `index`. */
  private limit(what: string, index: number, message: string): void {
    if (this.limited.has(what)) return;
    this.limited.add(what);
    this.out.issues.push({ kind: 'limit', line: this.lineOf(index), message });
  }

  /** Whether a def, lambda or class may be recorded here; if not, the bound met is recorded. */
  private withinBounds(what: string, tooMany: boolean): boolean {
    if (this.scopeDepth >= LIMITS.scopeDepth) {
      this.limit('depth', this.cursor.startIndex, `${what} nested more than ${LIMITS.scopeDepth} definitions deep; the code inside it was not analysed`);
      return false;
    }
    if (tooMany) {
      this.limit(what, this.cursor.startIndex, `more than ${what === 'a class' ? `${LIMITS.classes} classes` : `${LIMITS.functions} functions and lambdas`}; the later ones were not analysed`);
      return false;
    }
    return true;
  }

  private addBinding(fn: RawFunction, binding: RawBinding): void {
    if (this.bindings++ < LIMITS.bindings) fn.raw.bindings.push(binding);
    else this.limit('bindings', this.lastStart, `more than ${LIMITS.bindings} assignments; the later ones were not recorded`);
  }

  /** The normalised callee of the node under the cursor ('' when too long to be useful). */
  private calleeOf(): string {
    const cursor = this.cursor;
    this.lastStart = cursor.startIndex;
    this.lastEnd = cursor.endIndex;
    const length = this.lastEnd - this.lastStart;
    if (length > 256) {
      if (length > this.calleeBudget) return '';
      this.calleeBudget -= length;
    }
    const callee = displayCallee(this.source.slice(this.lastStart, this.lastEnd));
    return callee.length > LIMITS.callee ? '' : callee;
  }

  private current(): RawFunction {
    return this.out.functions[this.fnFrame.fn!];
  }

  /**
   * Whether the `if` or `try` being entered is a statement of the function's own body, in no loop
   * or branch (the blocks of a `with` or a `try` are the function's own body too).
   */
  private atFunctionTop(): boolean {
    // The stack holds the function frame, then this statement's frame, with only `try` frames between them.
    const frames = this.frames;
    let i = frames.length - 2;
    while (i > 0 && frames[i].kind === F.TryMemo) i--;
    return i >= 0 && frames[i] === this.fnFrame && this.fnFrame.fn !== 0 && this.fnFrame.kind === F.Function;
  }

  /**
   * Whether a guard's name keeps its value between calls of the function: an attribute, a name it
   * declares `global` or `nonlocal`, or a free name (a module's dict it fills by subscript,
   * `_cache[key] = value`), or a name bound only to an item of one of those
   * (`domain_cache = TRANSLATIONS[domain]`). A parameter, or a name the function otherwise
   * assigns, is fresh on every call.
   */
  private outlivesCall(name: string, fnFrame = this.fnFrame, depth = 0): boolean {
    if (name.includes('.')) return true;
    const fn = this.out.functions[fnFrame.fn!];
    if (fn.raw.globals.includes(name)) return true;
    if (fn.params.some((p) => p.name === name)) return false;
    const bound = fn.raw.bindings.filter((b) => !b.attribute && b.name === name);
    if (bound.length === 0) return true;
    const container = bound[0].itemOf;
    return depth < 4 && container !== undefined && container !== name && bound.every((b) => b.itemOf === container) && this.outlivesCall(container, fnFrame, depth + 1);
  }

  /** The innermost lazy-initialisation guard whose block is being walked, within the current function. */
  private innermostLazy(): Frame['lazy'] {
    const frames = this.frames;
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i];
      if (f.kind === F.Function) return undefined;
      if (f.kind === F.LazyIf && f.lazy?.inBlock) return f.lazy;
    }
    return undefined;
  }

  private innermostLoop(): LoopFact | undefined {
    const loops = this.fnFrame.loops!;
    return loops.length ? loops[loops.length - 1] : undefined;
  }

  private scopeQualname(): string {
    const scopeFrame = this.scopeFrame;
    return scopeFrame.kind === F.Class ? this.out.classes[scopeFrame.cls!].qualname : this.fnFrame.fn === 0 ? '' : this.current().qualname;
  }

  /** One more operation of this kind in the current function and its innermost loop. */
  private countOperation(kind: 'arithmetic' | 'comparisons' | 'subscripts' | 'augmented'): void {
    this.current().ops++;
    const loop = this.innermostLoop();
    if (loop) loop[kind]++;
  }

  /** Records what a loop (or comprehension clause) runs over; `code` is the iterable's node code. */
  private readIterable(target: { iter?: string; size?: number }, code: K): void {
    const raw = this.text();
    target.iter = compactText(raw);
    if (code === K.Literal) target.size = this.cursor.currentNode.namedChildCount;
    else if (code === K.StringLike) target.size = Math.max(0, raw.length - 2);
    else if (code === K.Call) {
      const passes = constantRange(target.iter);
      if (passes !== undefined) target.size = passes;
    }
  }

  /** `for page in reader.pages`: `page` is an element of the iterable (`reader.pages[]`), when the iterable is a plain value. */
  private bindElement(frame: Frame, iter: string | undefined): void {
    const binding = frame.element;
    frame.element = undefined;
    if (!binding || !iter || iter.length > 256) return;
    const value = normaliseValue(iter);
    if (value) binding.value = `${value}[]`;
  }

  private bindTargets(left: string, value: string, frame: Frame): void {
    const fn = this.current();
    const line = frame.line ?? 0;
    // A target this long is not code anyone wrote by hand; reading it could cost its square.
    if (left.length > 65536) return;
    const attr = /^(self|cls)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(left);
    if (attr) {
      this.addBinding(fn, { name: attr[2], value, line, attribute: true });
      return;
    }
    // `request.state.db = SessionLocal()`: a dotted name bound for the rest of this function.
    const dotted = left.trim();
    if (DOTTED.test(dotted) && dotted.includes('.')) {
      if (value) this.addBinding(fn, { name: dotted, value, line });
      return;
    }
    const names = targetNames(left);
    const single = names.length === 1 && names[0] === left.trim();
    if (single && frame.itemOf) this.addBinding(fn, { name: names[0], value, line, itemOf: frame.itemOf });
    else for (const name of names) this.addBinding(fn, { name, value: single ? value : '', line });
  }

  private bindTuple(left: string, value: string, frame: Frame): void {
    if (left.length > 65536 || value.length > 65536) return this.bindTargets(left, '', frame);
    const names = targetNames(left);
    const parts = splitTopLevel(value.trim().replace(/^\((.*)\)$/s, '$1'));
    if (parts.length !== names.length || names.length !== splitTopLevel(left.trim().replace(/^\((.*)\)$/s, '$1')).length) {
      this.bindTargets(left, '', frame);
      return;
    }
    const fn = this.current();
    names.forEach((name, i) => {
      const part = normaliseCallee(parts[i]);
      this.addBinding(fn, { name, value: /^[A-Za-z_][\w.]*(\(\))?$/.test(part) ? part : '', line: frame.line ?? 0 });
    });
  }

  /** Classifies the argument node under the cursor and returns its ArgFact (text fetched only when useful). */
  private argFact(code: K, call: CallFact | undefined): ArgFact | null {
    switch (code) {
      case K.Identifier:
      case K.Attribute:
        return newArg('ref', normaliseCallee(this.text()));
      case K.Lambda:
        return newArg('lambda');
      case K.Call:
      case K.Await:
        // `f(await resp.text())`: the awaited call is the argument's value.
        return newArg('call');
      case K.None:
        return newArg('none');
      case K.True:
        return newArg('true');
      case K.False:
        return newArg('false');
      case K.Integer: {
        const digits = this.text();
        if (call && call.callee === 'range') {
          const bound = Number(digits.replace(/_/g, ''));
          // The nearest loop, header included: `for i in range(10_000)` bounds that loop.
          const loop = this.loopFrame?.loop;
          if (loop && Number.isFinite(bound)) loop.rangeBound = Math.max(loop.rangeBound ?? 0, bound);
        }
        // A short decimal keeps its digits: a cost can scale with it (PBKDF2 iterations).
        return DECIMAL.test(digits) ? newArg('literal', digits) : newArg('literal');
      }
      case K.StringLike: {
        // A short plain string keeps its value (a path, a module name) for `unless` conditions.
        const value = PLAIN_STRING.exec(this.text());
        return value ? newArg('literal', value[2]) : newArg('literal');
      }
      case K.Literal:
        return newArg('literal');
      case K.Splat:
        return newArg('splat');
      case K.Comment:
        return null;
      default:
        return PUNCTUATION.has(this.cursor.nodeType) ? null : newArg('other');
    }
  }
}

/**
 * A call as the walk makes it: every optional member present (undefined when absent), so that all
 * calls share one hidden class while the worker reads and resolves them (calls of four or more
 * shapes kept the methods that read them being recompiled). resolve-local.ts hands on a copy of
 * each with the absent members left out.
 */
function newCall(callee: string, line: number, column: number, endLine: number, endColumn: number): CallFact {
  return { callee, target: '', line, column, endLine, endColumn, args: [], resolution: undefined, awaited: undefined, loop: undefined, once: undefined, perInstance: undefined, onError: undefined, condition: undefined };
}

/** Statements that leave a loop's body for good. */
const LEAVES = new Set(['return_statement', 'break_statement', 'raise_statement']);

/**
 * Whether a `for` or `while` loop leaves on its first pass (`for event in parser: return event`,
 * `while True: ...; break`): the last statement of its body returns, breaks or raises, and no
 * `continue` in the body starts another pass (any `continue` there, even a nested loop's, says no).
 * A retry loop leaves on its first pass too, unless something fails: its body ends in a `try`
 * whose block ends so, and only the `except` clauses (which run on failure, see CallFact.onError)
 * may `continue` (`for attempt in range(5): try: return fetch() except Timeout: sleep(delay)`).
 */
function leavesOnFirstPass(node: FlatNode, source: string): boolean {
  const body = node.childForFieldName('body');
  const last = body && lastStatement(body);
  if (!body || !last) return false;
  if (LEAVES.has(last.type)) return !CONTINUE.test(source.slice(body.startIndex, body.endIndex));
  if (last.type !== 'try_statement') return false;
  const block = last.childForFieldName('body');
  const handlers = last.namedChildren.filter((c) => c.type === 'except_clause');
  if (!block || handlers.length === 0 || !LEAVES.has(lastStatementType(block) ?? '')) return false;
  // The try's `else` and `finally` clauses follow its handlers: any `continue` there runs too.
  const after = handlers[handlers.length - 1].endIndex;
  return !CONTINUE.test(source.slice(body.startIndex, handlers[0].startIndex)) && !CONTINUE.test(source.slice(after, body.endIndex));
}

const CONTINUE = /\bcontinue\b/;

/** Cython-only names in a `.py` file: `cython.cimports` imports and the C-level class and function decorators. */
const CYTHON_PURE = /\bcython\.cimports\b|^[ \t]*@cython\.(?:cclass|cfunc|ccall)\b/m;

/**
 * The Cython header of a `.py` file Cython compiles in pure-Python mode
 * (https://cython.readthedocs.io/en/latest/src/tutorial/pure.html), or undefined for plain Python:
 * such a file is an extension module, which must declare free-threading support like a `.pyx`.
 * It has a `# cython:` header, or uses names only Cython gives meaning to.
 */
function pureCython(source: string): ModuleFacts['cython'] {
  const { header, declaredAt } = cythonHeader(source);
  if (!header && !(source.includes('cython') && CYTHON_PURE.test(source))) return undefined;
  return { ...(header ? { header } : {}), declares: declaredAt !== undefined };
}

/**
 * A thread queue made with a size, so that its `put` waits when it is full: `queue.Queue(10)`,
 * `Queue(maxsize=n)`, `multiprocessing.JoinableQueue(100)`. The queue classes of `queue` and
 * `multiprocessing` take the size as their first argument or `maxsize`, and 0 or less means
 * unbounded (https://docs.python.org/3/library/queue.html#queue.Queue). `SimpleQueue` takes none.
 */
function boundedQueue(call: CallFact): boolean {
  if (!/(?:^|\.)(?:Queue|LifoQueue|PriorityQueue|JoinableQueue)$/.test(call.callee)) return false;
  const size = passedArgument(call.args, 'maxsize', 0);
  if (!size || size.kind === 'none' || size.kind === 'splat') return false;
  // A literal 0 is unbounded; any other value (a number, a name, an expression) may bound it.
  return !(size.kind === 'literal' && /^[0_]+$/.test(size.text ?? ''));
}

/** A datagram socket: `socket.socket(family, socket.SOCK_DGRAM)` or `type=SOCK_DGRAM` (https://docs.python.org/3/library/socket.html#socket.socket). */
function datagramSocket(call: CallFact): boolean {
  if (!/(?:^|\.)socket$/.test(call.callee)) return false;
  const type = passedArgument(call.args, 'type', 1);
  return type?.kind === 'ref' && /(?:^|\.)SOCK_DGRAM$/.test(type.text ?? '');
}

/** A database connection: 'memory' for SQLite's in-memory databases (see opensMemoryDatabase), 'other' for any other `connect(...)`. */
function databaseConnection(call: CallFact): 'memory' | 'other' | undefined {
  if (!/(?:^|\.)connect$/.test(call.callee)) return undefined;
  return opensMemoryDatabase(call.args) ? 'memory' : 'other';
}

/** An argument as the walk makes it: every member present, for the same reason as newCall. */
function newArg(kind: ArgFact['kind'], text?: string): ArgFact {
  return { kind, keyword: undefined, text, lambda: undefined, target: undefined };
}

/** Named node types that never have children (from the grammar's node-types.json); anonymous nodes are tokens. */
const LEAF_TYPES = new Set(
  (Python.nodeTypeInfo as { type: string; named: boolean; fields?: object; children?: object; subtypes?: object }[])
    .filter((t) => t.named && !t.fields && !t.children && !t.subtypes)
    .map((t) => t.type)
    .filter((t) => t !== 'ERROR'),
);

let cachedLeaf: Int8Array | undefined;

/** Per type id: 1 for a leaf, 0 for a node with children, -1 not yet seen (learned on first sight). */
function leafTable(): Int8Array {
  cachedLeaf ??= new Int8Array(65536).fill(-1);
  return cachedLeaf;
}

function spanOf(node: FlatNode): Span {
  const s = node.startPosition;
  const e = node.endPosition;
  return { line: s.row + 1, column: s.column + 1, endLine: e.row + 1, endColumn: e.column + 1 };
}

/** The opening of an f-string literal: an `f` among its prefix letters (`f'`, `rf"`, `Fr'`). */
const F_STRING = /^[rR]?[fF]/;
/** A plain string literal of up to 200 characters, no escapes or placeholders (`'/proc/stat'`, `r"json"`). */
const PLAIN_STRING = /^[rRuU]?(['"])([^'"\\\n{}]{0,200})\1$/;
/** The value of a name or attribute read: `(await client.get(url)).text` continues from the awaited call. */
function valueOfName(written: string): string {
  return written.startsWith('(') ? normaliseValue(written) : normaliseCallee(written);
}
/** A short decimal integer literal (underscores allowed). */
const DECIMAL = /^(?:0|[1-9][0-9_]{0,14})$/;

/** Tokens that separate arguments (the only unnamed children of an argument list). */
const PUNCTUATION = new Set(['(', ')', ',']);

function lineStartsOf(source: string): number[] {
  const starts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Index in `starts` of the line holding `index` (binary search). */
function lineIndex(starts: number[], index: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function countLines(source: string): number {
  let n = 1;
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) n++;
  return source.endsWith('\n') ? n - 1 : n;
}

/** Dotted module name of a relative path: `app/db/__init__.py` gives `app.db`, a package. */
export function moduleName(rel: string): { module: string; isPackage: boolean } {
  const parts = rel.replace(/\.pyi?$/, '').split('/');
  const isPackage = parts[parts.length - 1] === '__init__';
  if (isPackage) parts.pop();
  return { module: parts.join('.'), isPackage };
}

const SUPPRESSION = /#\s*(?:noqa|gil-audit:\s*ignore)\b(?:\s*(?::|\[)\s*([A-Za-z0-9_, ]+)\]?)?/g;

/**
 * `# noqa`, `# noqa: GA101, ASYNC251` and `# gil-audit: ignore[GA101]` comments. Only comments
 * count: the same text inside a string literal (`x = "# noqa"`) suppresses nothing.
 */
function suppressions(source: string, tree: FlatTree): ModuleFacts['suppressions'] {
  if (!source.includes('noqa') && !source.includes('gil-audit')) return [];
  const out: ModuleFacts['suppressions'] = [];
  let line = 1;
  let last = 0;
  for (const match of source.matchAll(SUPPRESSION)) {
    if (tree.descendantForIndex(match.index!, match.index! + 1).type !== 'comment') continue;
    for (let i = source.indexOf('\n', last); i !== -1 && i < match.index!; i = source.indexOf('\n', i + 1)) line++;
    last = match.index!;
    const codes = (match[1] ?? '').split(/[\s,]+/).filter((c) => /^[A-Z]+[0-9]+$/.test(c));
    out.push({ line, codes });
  }
  return out;
}

/** Source text with whitespace collapsed, at most 120 characters (loop iterables and conditions). */
function compactText(raw: string): string {
  return raw.slice(0, 400).replace(/\s+/g, ' ').slice(0, 120);
}

const RANGE = /^range\( ?(-?[\d_]+) ?(?:, ?(-?[\d_]+) ?)?(?:, ?(-?[\d_]+) ?)?,? ?\)$/;

/** Passes of `range(...)` when every argument is an integer literal, else undefined. */
export function constantRange(text: string): number | undefined {
  const m = RANGE.exec(text);
  if (!m) return undefined;
  const [a, b, c] = [m[1], m[2], m[3]].map((v) => (v === undefined ? undefined : Number(v.replace(/_/g, ''))));
  const [start, stop, step] = b === undefined ? [0, a!, 1] : [a!, b, c ?? 1];
  if (!step || ![start, stop, step].every(Number.isFinite)) return undefined;
  return Math.max(0, Math.ceil((stop - start) / step));
}

/** The value of a decimal integer literal (`600_000`), or of a power or product of two (`10**5`, `2 * 1024`); undefined otherwise. */
function integerValue(text: string): number | undefined {
  const int = (t: string) => (/^\d[\d_]*$/.test(t.trim()) ? Number(t.trim().replace(/_/g, '')) : NaN);
  const parts = /^(.+?)\s*(\*\*|\*)\s*(.+)$/.exec(text.trim());
  const value = parts ? (parts[2] === '**' ? int(parts[1]) ** int(parts[3]) : int(parts[1]) * int(parts[3])) : int(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Clauses one call's condition keeps at most (a bound on what deeply nested tests record). */
const MAX_CONDITION_CLAUSES = 16;

const LAZY_GUARD = /^(?:not\s+((?:self\.|cls\.)?[A-Za-z_][\w.]*)|((?:self\.|cls\.)?[A-Za-z_][\w.]*)\s+is\s+None|[^=<>!]+\s+not\s+in\s+((?:self\.|cls\.)?[A-Za-z_][\w.]*))$/;

/** A guarded name, as in the guards above. */
const GUARDED = String.raw`(?:self\.|cls\.)?[A-Za-z_][\w.]*`;
/** Tests that a container is empty, written with `len` (`len(X) == 0`, `len(X) < 1`, `0 == len(X)`, `not len(X)`): `not X`. */
const EMPTY_LEN = new RegExp(String.raw`^(?:len\(\s*(${GUARDED})\s*\)\s*(?:==\s*0|<\s*1)|0\s*==\s*len\(\s*(${GUARDED})\s*\)|not\s+len\(\s*(${GUARDED})\s*\))$`);
/** Tests that it is not (`len(X) > 0`, `len(X) != 0`, `len(X) >= 1`, `0 < len(X)`, `len(X)`): `X`. */
const FILLED_LEN = new RegExp(String.raw`^(?:len\(\s*(${GUARDED})\s*\)\s*(?:>\s*0|!=\s*0|>=\s*1)|0\s*(?:<|!=)\s*len\(\s*(${GUARDED})\s*\)|len\(\s*(${GUARDED})\s*\))$`);
/** `X == None` and `X != None`: `X is None` and `X is not None`. */
const EQUALS_NONE = new RegExp(String.raw`^(${GUARDED})\s*(==|!=)\s*None$`);

/**
 * A condition in the forms the guards are matched in: emptiness tested with `len`, and `None`
 * compared with `==`, are the tests `not X`, `X`, `X is None` and `X is not None` make (a
 * class-level registry built on first use: `if len(cls._registry) == 0: cls._registry = load()`).
 */
function guardForm(condition: string): string {
  const text = condition.trim();
  let m = EMPTY_LEN.exec(text);
  if (m) return `not ${m[1] ?? m[2] ?? m[3]}`;
  m = FILLED_LEN.exec(text);
  if (m) return m[1] ?? m[2] ?? m[3];
  m = EQUALS_NONE.exec(text);
  if (m) return `${m[1]} ${m[2] === '==' ? 'is' : 'is not'} None`;
  return text;
}

/**
 * The name a lazy-initialisation guard tests: `_x` for `if _x is None:` and `if not _x:`,
 * `self._cache` for `if key not in self._cache:` (and the forms guardForm rewrites to these);
 * undefined for other conditions.
 */
function lazyGuardName(condition: string): string | undefined {
  if (condition.length > 120) return undefined;
  const m = LAZY_GUARD.exec(guardForm(condition));
  return m ? m[1] ?? m[2] ?? m[3] : undefined;
}

/** Whether an assignment to `left` sets a guard's `name`: the name itself, or an item of it (`_cache[key] = ...`). */
function setsName(left: string, name: string): boolean {
  return left === name || left.startsWith(`${name}[`);
}

/**
 * Marks what a cache's guard keeps to one run: its calls and loops; once per instance when the
 * guard tests an attribute of `self`.
 */
function runOnce(guard: { name: string; calls: CallFact[]; loops: LoopFact[] }): void {
  const perInstance = guard.name.startsWith('self.') ? true : undefined;
  for (const call of guard.calls) {
    call.once = true;
    call.perInstance = perInstance;
  }
  for (const loop of guard.loops) {
    loop.once = true;
    if (perInstance) loop.perInstance = true;
  }
}

/** An assignment that fills an item of a plain name (`cache[key] = value`): that name. */
const FILLED = /^\s*([A-Za-z_]\w*)\[/;
/** An item of a named container: `CACHES[kind]`, `_memo[a][b]`. */
const ITEM_OF = /^([A-Za-z_]\w*)\s*\[/;
/** A `try` body that is one lookup returned: `return _cache[key]`, `return self._memo[a, b]`. */
const MEMO_LOOKUP = /^return\s+((?:self\.|cls\.)?[A-Za-z_][\w.]*)\[[^\n]*\]$/;
/** An `except` clause for a missing key: `except KeyError:`, `except (KeyError, IndexError) as e:`. */
const MISSING_KEY = /^except\s*\(?[\w.\s,]*\b(?:KeyError|LookupError)\b/;

const SET_GUARD = /^(?:((?:self\.|cls\.)?[A-Za-z_][\w.]*)\s+is\s+not\s+None|((?:self\.|cls\.)?[A-Za-z_][\w.]*)|[^=<>!]+?\s+in\s+((?:self\.|cls\.)?[A-Za-z_][\w.]*))$/;

/** What a cache's early return tests: the name, and whether by membership (the form of a memo dict's). */
interface SetGuard {
  name: string;
  membership: boolean;
}

/**
 * What a cache's early return tests as set: `self._x` for `if self._x is not None:` and
 * `if self._x:`, `self._cache` by membership for `if key in self._cache:`; undefined for other
 * conditions.
 */
function setGuardOf(condition: string): SetGuard | undefined {
  if (condition.length > 120) return undefined;
  const form = guardForm(condition);
  const m = SET_GUARD.exec(form);
  const name = m ? m[1] ?? m[2] ?? m[3] : undefined;
  // `key not in cache` tests the opposite: that is a lazy guard's condition.
  if (m?.[3] !== undefined && /\snot\s+in\s/.test(form)) return undefined;
  if (name === undefined || name === 'None' || name === 'True' || name === 'False') return undefined;
  return { name, membership: m![3] !== undefined };
}
