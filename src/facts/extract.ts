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
import type { ArgFact, CallFact, ClassFact, FunctionFact, LoopFact, ModuleFacts, Span } from './types.js';
import { displayCallee, DOTTED, normaliseCallee, normaliseValue, parseImport, parseParams, splitTopLevel, targetNames, withItemValue } from './text.js';

/** Small integer codes for the node types the walk tells apart (0: anything else). */
const enum K {
  Other = 0, FunctionDef, ClassDef, Decorator, Lambda, Call, ArgumentList, KeywordArgument,
  Identifier, Attribute, Assignment, AugmentedAssignment, AsPattern, AsPatternTarget, For, While,
  Comprehension, Arithmetic, Logic, Subscript, Await, Yield, Import, Return, If, StringLike,
  ErrorNode, None, True, False, Integer, Literal, Splat, Global, Comment, AsyncKeyword,
  PatternList, Parenthesized, TypeNode, Parameters, Block, ForIn, WithItem,
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
}

/** FunctionFact plus what resolution needs and then drops. */
export interface RawFunction extends FunctionFact {
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
const enum F { Function, Class, Call, Args, Kwarg, Assign, AsPattern, Loop, Await, Return, If, ForTarget, ForIn, LazyIf, Yield }

interface Frame {
  kind: F;
  depth: number;
  /** Function and class frames: the innermost function and scope frames around them; loop frames: the loop frame around them. */
  outerFn?: Frame;
  outerScope?: Frame;
  outerLoop?: Frame;
  /** Children entered so far. */
  child: number;
  fn?: number;
  cls?: number;
  call?: CallFact;
  arg?: ArgFact;
  loop?: LoopFact;
  /** Assignment: left text; with-item: value text. */
  left?: string;
  annotated?: boolean;
  /** Assignment in a class body: the class's index. */
  inClass?: number;
  /** The assignment's annotation, if any. */
  annotation?: string;
  /** The text of a tuple value assigned to several names. */
  tuple?: string;
  value?: string;
  valueCall?: CallFact;
  /** Line of the statement (assignments), for bindings; first and last line of an `if`. */
  line?: number;
  endLine?: number;
  /** Loop frames of the function frame: the stack of open loops. */
  loops?: LoopFact[];
  /** Parallel to `loops`: each open loop's index in the function's `loops`. */
  loopIndexes?: number[];
  /** A loop frame: its index in the function's `loops`, and whether its body has begun. */
  loopIndex?: number;
  inBody?: boolean;
  /** A `for` loop or comprehension clause whose targets are read: its next named child is the iterable. */
  iterPending?: boolean;
  /** A comprehension's further `for` clause, being read. */
  clause?: NonNullable<LoopFact['clauses']>[number];
  /** A `for` loop or clause over one name: its binding, given the iterable's element when it is read. */
  element?: RawBinding;
  /** A lazy-initialisation guard (`if _x is None:`): the name it tests, and what its first block does. */
  lazy?: { name: string; inBlock: boolean; assigned: boolean; calls: CallFact[]; loops: LoopFact[] };
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
  const codes = codesFor(ids);
  const { module, isPackage } = moduleName(rel);
  const out: RawModule = {
    path: rel, module, isPackage, lines: 0, bytes: sourceBytes ?? Buffer.byteLength(source),
    imports: [], classes: [], functions: [], suppressions: [], issues: [], asyncLibraries: [],
    hasMainGuard: false, classAttributes: [],
  };
  const lineStarts = lineStartsOf(source);
  /** Start and end index of the node whose text was fetched last. */
  let lastStart = 0;
  let lastEnd = 0;
  const text = (c: FlatCursor) => {
    lastStart = c.startIndex;
    lastEnd = c.endIndex;
    return source.slice(lastStart, lastEnd);
  };
  /** 1-based line and column of a UTF-16 index. */
  const lineOf = (index: number) => lineIndex(lineStarts, index) + 1;
  const columnOf = (index: number, line: number) => index - lineStarts[line - 1] + 1;
  const newFunction = (name: string, qualname: string, kind: FunctionFact['kind'], span: Span, parent: number, className: string): RawFunction => ({
    name, qualname, kind, isAsync: false, span, parent, className, decorators: [], params: [], calls: [],
    bindings: [], returns: [], loops: [], awaits: 0, ops: 0, isGenerator: false,
    raw: { bindings: [], globals: [], moduleGlobals: [], returns: [], defs: new Map(), yields: [], reads: [] },
  });

  out.lines = countLines(source);
  out.functions.push(newFunction('<module>', '<module>', 'module', { line: 1, column: 1, endLine: out.lines, endColumn: 1 }, -1, ''));
  const frames: Frame[] = [{ kind: F.Function, depth: 0, child: 0, fn: 0, loops: [], loopIndexes: [] }];
  /** Innermost function and class-or-function scope frames, and the innermost loop frame (header included). */
  let fnFrame = frames[0];
  let scopeFrame = frames[0];
  let loopFrame: Frame | undefined;
  /** Function and class frames open. */
  let scopeDepth = 0;
  let pendingDecorators: string[] = [];
  let calls = 0;
  let bindings = 0;
  /** Characters of long callee texts that may still be normalised (keeps the walk linear). */
  let calleeBudget = 4 * source.length + 1_000_000;
  const limited = new Set<string>();
  /** Records, once per kind, that a bound was met at `index`. */
  const limit = (what: string, index: number, message: string) => {
    if (limited.has(what)) return;
    limited.add(what);
    out.issues.push({ kind: 'limit', line: lineOf(index), message });
  };
  const addBinding = (fn: RawFunction, binding: RawBinding) => {
    if (bindings++ < LIMITS.bindings) fn.raw.bindings.push(binding);
    else limit('bindings', lastStart, `more than ${LIMITS.bindings} assignments; the later ones were not recorded`);
  };
  /** The normalised callee of the node under the cursor ('' when too long to be useful). */
  const calleeOf = (c: FlatCursor) => {
    lastStart = c.startIndex;
    lastEnd = c.endIndex;
    const length = lastEnd - lastStart;
    if (length > 256) {
      if (length > calleeBudget) return '';
      calleeBudget -= length;
    }
    const callee = displayCallee(source.slice(lastStart, lastEnd));
    return callee.length > LIMITS.callee ? '' : callee;
  };
  /** Attribute reads already recorded, per function index. */
  const readsSeen = new Map<number, Set<string>>();

  const current = () => out.functions[fnFrame.fn!];
  /** Lazy-initialisation guards whose block is being walked, and the innermost of them. */
  let lazyOpen = 0;
  const innermostLazy = () => {
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i];
      if (f.kind === F.Function) return undefined;
      if (f.kind === F.LazyIf && f.lazy?.inBlock) return f.lazy;
    }
    return undefined;
  };
  const innermostLoop = () => fnFrame.loops!.length ? fnFrame.loops![fnFrame.loops!.length - 1] : undefined;
  const scopeQualname = () =>
    scopeFrame.kind === F.Class ? out.classes[scopeFrame.cls!].qualname : fnFrame.fn === 0 ? '' : current().qualname;

  /** One more operation of this kind in the current function and its innermost loop. */
  const countOperation = (kind: 'arithmetic' | 'comparisons' | 'subscripts' | 'augmented') => {
    current().ops++;
    const loop = innermostLoop();
    if (loop) loop[kind]++;
  };

  // Frames close innermost first, so the frame around a closing one is restored in constant time.
  /** Records what a loop (or comprehension clause) runs over; `code` is the iterable's node code. */
  const readIterable = (target: { iter?: string; size?: number }, c: FlatCursor, code: number) => {
    const raw = text(c);
    target.iter = compactText(raw);
    if (code === K.Literal) target.size = c.currentNode.namedChildCount;
    else if (code === K.StringLike) target.size = Math.max(0, raw.length - 2);
    else if (code === K.Call) {
      const passes = constantRange(target.iter);
      if (passes !== undefined) target.size = passes;
    }
  };

  /** `for page in reader.pages`: `page` is an element of the iterable (`reader.pages[]`), when the iterable is a plain value. */
  const bindElement = (frame: Frame, iter: string | undefined) => {
    const binding = frame.element;
    frame.element = undefined;
    if (!binding || !iter || iter.length > 256) return;
    const value = normaliseValue(iter);
    if (value) binding.value = `${value}[]`;
  };

  const pop = (frame: Frame) => {
    switch (frame.kind) {
      case F.Function:
      case F.Class:
        fnFrame = frame.outerFn!;
        scopeFrame = frame.outerScope!;
        scopeDepth--;
        return;
      case F.Loop:
      case F.ForTarget: {
        loopFrame = frame.outerLoop;
        if (!frame.inBody) return;
        fnFrame.loops!.pop();
        fnFrame.loopIndexes!.pop();
        return;
      }
      case F.Assign: {
        const value = frame.valueCall ? `${frame.valueCall.callee}()` : frame.value ?? '';
        if (frame.inClass !== undefined) {
          // Class body: an attribute of the class, not a name of the enclosing scope.
          const name = (frame.left ?? '').trim();
          const typed = value || (frame.annotation ? `<annotation>${frame.annotation}` : '');
          if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && typed) {
            if (bindings++ < LIMITS.bindings) out.classAttributes.push({ cls: frame.inClass, name, value: typed, line: frame.line ?? 0 });
            else limit('bindings', lastStart, `more than ${LIMITS.bindings} assignments; the later ones were not recorded`);
          }
          return;
        }
        if (frame.annotation) bindTargets(frame.left ?? '', `<annotation>${frame.annotation}`, frame);
        else if (frame.tuple) bindTuple(frame.left ?? '', frame.tuple, frame);
        else bindTargets(frame.left ?? '', value, frame);
        return;
      }
      case F.LazyIf: {
        const lazy = frame.lazy;
        if (lazy?.inBlock) lazyOpen--;
        // Only a guard whose block sets the name it tests runs once: `if _x is None: _x = build()`.
        if (lazy?.assigned) {
          for (const call of lazy.calls) call.once = true;
          for (const loop of lazy.loops) loop.once = true;
        }
        return;
      }
      case F.Return:
      case F.Yield: {
        const value = frame.valueCall ? `${frame.valueCall.callee}()` : frame.value;
        const raw = current().raw;
        const values = frame.kind === F.Return ? raw.returns : raw.yields;
        if (value && values.length < LIMITS.perFunction) values.push(value);
        return;
      }
      default:
        return;
    }
  };

  const bindTargets = (left: string, value: string, frame: Frame) => {
    const fn = current();
    const line = frame.line ?? 0;
    // A target this long is not code anyone wrote by hand; reading it could cost its square.
    if (left.length > 65536) return;
    const attr = /^(self|cls)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(left);
    if (attr) {
      addBinding(fn, { name: attr[2], value, line, attribute: true });
      return;
    }
    // `request.state.db = SessionLocal()`: a dotted name bound for the rest of this function.
    const dotted = left.trim();
    if (DOTTED.test(dotted) && dotted.includes('.')) {
      if (value) addBinding(fn, { name: dotted, value, line });
      return;
    }
    const names = targetNames(left);
    const single = names.length === 1 && names[0] === left.trim();
    for (const name of names) addBinding(fn, { name, value: single ? value : '', line });
  };

  const bindTuple = (left: string, value: string, frame: Frame) => {
    if (left.length > 65536 || value.length > 65536) return bindTargets(left, '', frame);
    const names = targetNames(left);
    const parts = splitTopLevel(value.trim().replace(/^\((.*)\)$/s, '$1'));
    if (parts.length !== names.length || names.length !== splitTopLevel(left.trim().replace(/^\((.*)\)$/s, '$1')).length) {
      bindTargets(left, '', frame);
      return;
    }
    const fn = current();
    names.forEach((name, i) => {
      const part = normaliseCallee(parts[i]);
      addBinding(fn, { name, value: /^[A-Za-z_][\w.]*(\(\))?$/.test(part) ? part : '', line: frame.line ?? 0 });
    });
  };

  /** Classifies one argument node and returns its ArgFact (text fetched only when useful). */
  const argFact = (c: FlatCursor, code: number, call: CallFact | undefined): ArgFact | null => {
    switch (code) {
      case K.Identifier:
      case K.Attribute:
        return { kind: 'ref', text: normaliseCallee(text(c)) };
      case K.Lambda:
        return { kind: 'lambda' };
      case K.Call:
      case K.Await:
        // `f(await resp.text())`: the awaited call is the argument's value.
        return { kind: 'call' };
      case K.None:
        return { kind: 'none' };
      case K.True:
        return { kind: 'true' };
      case K.False:
        return { kind: 'false' };
      case K.Integer: {
        const digits = text(c);
        if (call && call.callee === 'range') {
          const bound = Number(digits.replace(/_/g, ''));
          // The nearest loop, header included: `for i in range(10_000)` bounds that loop.
          const loop = loopFrame?.loop;
          if (loop && Number.isFinite(bound)) loop.rangeBound = Math.max(loop.rangeBound ?? 0, bound);
        }
        // A short decimal keeps its digits: a cost can scale with it (PBKDF2 iterations).
        return DECIMAL.test(digits) ? { kind: 'literal', text: digits } : { kind: 'literal' };
      }
      case K.StringLike: {
        // A short plain string keeps its value (a path, a module name) for `unless` conditions.
        const value = PLAIN_STRING.exec(text(c));
        return value ? { kind: 'literal', text: value[2] } : { kind: 'literal' };
      }
      case K.Literal:
        return { kind: 'literal' };
      case K.Splat:
        return { kind: 'splat' };
      case K.Comment:
        return null;
      default:
        return PUNCTUATION.has(c.nodeType) ? null : { kind: 'other' };
    }
  };

  const cursor = tree.walk();
  const leaf = leafTable();
  let depth = 0;
  let pendingArg: ArgFact | undefined;
  /** Depth of a node whose subtree this walk skips but the visitor reads (-1: none): the nodes below it are the visitor's alone. */
  let visitorOnly = -1;
  /** Whether a node's children are worth a step down: a leaf has none. */
  const hasChildren = (typeId: number): boolean => {
    let isLeaf = leaf[typeId];
    if (isLeaf < 0) isLeaf = leaf[typeId] = LEAF_TYPES.has(cursor.nodeType) || !cursor.nodeIsNamed ? 1 : 0;
    return isLeaf === 0;
  };
  /** Moves the cursor to the next node in document order (into the children if `descend`); false at the end. */
  const next = (descend: boolean): boolean => {
    if (descend && cursor.gotoFirstChild()) {
      depth++;
      return true;
    }
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) return false;
      depth--;
    }
    return true;
  };
  /** Whether a def, lambda or class may be recorded here; if not, the bound met is recorded. */
  const withinBounds = (what: string, tooMany: boolean): boolean => {
    if (scopeDepth >= LIMITS.scopeDepth) {
      limit('depth', cursor.startIndex, `${what} nested more than ${LIMITS.scopeDepth} definitions deep; the code inside it was not analysed`);
      return false;
    }
    if (tooMany) {
      limit(what, cursor.startIndex, `more than ${what === 'a class' ? `${LIMITS.classes} classes` : `${LIMITS.functions} functions and lambdas`}; the later ones were not analysed`);
      return false;
    }
    return true;
  };

  walk: for (;;) {
    const typeId = cursor.nodeTypeId;
    const visitorWants = visitor !== undefined && visitor.enter(cursor, typeId, depth);
    if (visitorOnly >= 0) {
      if (depth > visitorOnly) {
        if (!next(visitorWants && hasChildren(typeId))) break;
        continue;
      }
      visitorOnly = -1;
    }
    const code = codes[typeId];
    // Leave every frame this node is not inside.
    while (frames.length > 1 && frames[frames.length - 1].depth >= depth) pop(frames.pop()!);
    let descend = true;
    let awaited = false;

    // Direct child of a frame: the roles that depend on position.
    const parent = frames[frames.length - 1];
    if (parent.depth === depth - 1) {
      parent.child++;
      switch (parent.kind) {
        case F.Call:
          if (parent.child === 1) {
            const call = parent.call!;
            call.callee = calleeOf(cursor);
            // The call starts where its callee starts; the span covers the callee.
            const line = lineOf(lastStart);
            const endLine = lineOf(lastEnd);
            call.line = line;
            call.column = columnOf(lastStart, line);
            call.endLine = endLine;
            call.endColumn = columnOf(lastEnd, endLine);
          }
          else if (code === K.ArgumentList) frames.push({ kind: F.Args, depth, child: 0, call: parent.call });
          break;
        case F.Args: {
          if (parent.call!.args.length >= LIMITS.argsPerCall) {
            // Leave the argument list: what is left of it is not recorded, nor walked.
            limit('args', cursor.startIndex, `a call with more than ${LIMITS.argsPerCall} arguments; only the first ${LIMITS.argsPerCall} were recorded`);
            if (visitor) {
              // The visitor still reads the rest of the list.
              visitorOnly = depth - 1;
              if (next(visitorWants && hasChildren(typeId))) continue walk;
              break walk;
            }
            cursor.gotoParent();
            depth--;
            if (next(false)) continue walk;
            break walk;
          }
          if (code === K.KeywordArgument) {
            const arg: ArgFact = { kind: 'other' };
            parent.call!.args.push(arg);
            frames.push({ kind: F.Kwarg, depth, child: 0, arg, call: parent.call });
          } else {
            const arg = argFact(cursor, code, parent.call);
            if (arg) {
              parent.call!.args.push(arg);
              pendingArg = arg;
            }
          }
          break;
        }
        case F.Kwarg:
          if (parent.child === 1) parent.arg!.keyword = text(cursor);
          else if (parent.child === 3) {
            const value = argFact(cursor, code, parent.call);
            if (value) {
              Object.assign(parent.arg!, value);
              pendingArg = parent.arg;
            }
          }
          break;
        case F.Assign:
          if (parent.child === 1) {
            parent.left = text(cursor);
            parent.line = lineOf(lastStart);
            if (lazyOpen > 0) {
              const lazy = innermostLazy();
              const left = parent.left.trim();
              if (lazy && (left === lazy.name || left.startsWith(`${lazy.name}[`))) lazy.assigned = true;
            }
            const loop = innermostLoop();
            // Each name stored is interpreter work on every pass (`a, b = pair` stores two).
            if (loop) loop.assignments += code === K.Identifier ? 1 : Math.max(1, targetNames(parent.left).length);
          }
          else if (parent.child === 3 && code === K.TypeNode) {
            parent.annotated = true;
            // An annotation types the name: `repo: Repo` (dataclass fields, `client: httpx.Client = make()`).
            parent.annotation = text(cursor);
          }
          else if ((parent.child === 3 && !parent.annotated) || parent.child === 5) {
            if (code === K.Identifier || code === K.Attribute) parent.value = valueOfName(text(cursor));
            else if (code === K.Lambda) parent.value = '<lambda>';
            // `(requests.Session())`, `Path(p) / "x"`: the value the expression gives.
            else if (code === K.Parenthesized || (code === K.Arithmetic && !parent.left?.includes(','))) parent.value = normaliseValue(text(cursor));
            // A type alias, `SessionDep = Annotated[Session, Depends(get_db)]`, names the type it aliases.
            else if (code === K.Subscript && /^(?:typing(?:_extensions)?\.)?(?:Annotated|Optional)\[/.test(text(cursor))) parent.value = `<typealias>${text(cursor)}`;
            else if (code !== K.Call) {
              // `self.x = None` (initialising or resetting) says nothing about what x holds otherwise.
              parent.value = code === K.None ? '<none>' : '';
              // A non-empty literal (`FIELDS = ("a", "b")`): its length tells how many passes a loop over the name makes.
              if (code === K.Literal && !parent.annotated && cursor.endIndex - cursor.startIndex > 2) {
                parent.value = `<literal:${cursor.currentNode.namedChildCount}>`;
              }
              // `a, b = open(x), Path(y)`: each name gets its own value.
              if (parent.left?.includes(',')) parent.tuple = text(cursor);
            }
          }
          break;
        case F.AsPattern:
          if (parent.child === 1) {
            if (code === K.Identifier || code === K.Attribute) parent.value = normaliseCallee(text(cursor));
          } else if (code === K.AsPatternTarget) {
            // `with X(...) as y`: y is what `X(...).__enter__()` returns (the graph stage knows it).
            const value = parent.valueCall ? `${parent.valueCall.callee}().__enter__()` : parent.value ?? '';
            parent.line = parent.valueCall?.line ?? 0;
            bindTargets(text(cursor), value, parent);
          }
          break;
        case F.Return:
        case F.Yield:
          if (parent.child === 2 && (code === K.Identifier || code === K.Attribute)) parent.value = valueOfName(text(cursor));
          else if (parent.child === 2 && (code === K.Parenthesized || code === K.Arithmetic)) parent.value = normaliseValue(text(cursor));
          break;
        case F.Await:
          if (parent.child === 2 && code === K.Call) awaited = true;
          break;
        case F.If:
          if (parent.child === 2 && /__name__\s*==\s*['"]__main__['"]|['"]__main__['"]\s*==\s*__name__/.test(text(cursor))) {
            out.hasMainGuard = true;
            out.mainGuard = [parent.line!, parent.endLine!];
          }
          break;
        case F.LazyIf:
          if (parent.child === 2) {
            const name = code === K.Logic || code === K.Identifier || code === K.Attribute ? lazyGuardName(text(cursor)) : undefined;
            if (name) parent.lazy = { name, inBlock: false, assigned: false, calls: [], loops: [] };
          } else if (parent.lazy && code === K.Block && !parent.lazy.inBlock && !parent.lazy.assigned && parent.child <= 4) {
            parent.lazy.inBlock = true;
            lazyOpen++;
          } else if (parent.lazy?.inBlock) {
            // An `elif`/`else` branch: the guarded block is over.
            parent.lazy.inBlock = false;
            lazyOpen--;
          }
          break;
        case F.ForTarget:
        case F.Loop:
          if (parent.kind === F.ForTarget && code !== K.AsyncKeyword && code !== K.Comment && cursor.nodeIsNamed) {
            const target = text(cursor);
            const names = target.length <= 65536 ? targetNames(target) : [];
            for (const name of names) addBinding(current(), { name, value: '', line: 0 });
            if (names.length === 1 && names[0] === target) parent.element = current().raw.bindings.at(-1);
            parent.loop!.vars = names;
            parent.kind = F.Loop; // the target is read; the frame goes on as the loop
            parent.iterPending = true;
          } else if (parent.iterPending && code !== K.Block && code !== K.Comment && cursor.nodeIsNamed) {
            readIterable(parent.loop!, cursor, code);
            bindElement(parent, parent.loop!.iter);
            parent.iterPending = false;
          } else if (parent.child === 2 && parent.loop!.kind === 'while') readIterable(parent.loop!, cursor, code);
          else if (code === K.AsyncKeyword) parent.loop!.awaits++;
          else if (code === K.Block && !parent.inBody) {
            // A `for` loop's body begins: calls from here on run once per pass; its iterable did not.
            parent.inBody = true;
            fnFrame.loopIndexes!.push(parent.loopIndex!);
            fnFrame.loops!.push(parent.loop!);
          }
          break;
        case F.ForIn:
          // `for <vars> in <iterable>` inside a comprehension: the first clause describes the loop, later ones nest in it.
          if (!parent.iterPending && (code === K.Identifier || code === K.PatternList)) {
            const vars = targetNames(text(cursor));
            if (parent.loop!.vars === undefined) parent.loop!.vars = vars;
            else (parent.loop!.clauses ??= []).push((parent.clause = { iter: '', vars }));
            parent.iterPending = true;
            // Comprehension variables are the comprehension's own: bound only when the function does not use the name itself.
            const fn = current();
            parent.element = code === K.Identifier && !fn.raw.bindings.some((b) => b.name === vars[0]) && !fn.params.some((p) => p.name === vars[0]) ? { name: vars[0], value: '', line: 0 } : undefined;
            if (parent.element) addBinding(fn, parent.element);
          } else if (parent.iterPending && cursor.nodeIsNamed) {
            const target = parent.clause ?? parent.loop!;
            readIterable(target, cursor, code);
            bindElement(parent, target.iter);
            parent.iterPending = false;
          }
          break;
      }
    }

    switch (code) {
      case K.FunctionDef:
      case K.Lambda: {
        const isLambda = code === K.Lambda;
        if (!withinBounds(isLambda ? 'a lambda' : 'a def', out.functions.length >= LIMITS.functions)) {
          if (!isLambda) pendingDecorators = [];
          descend = false;
          break;
        }
        const node = cursor.currentNode;
        const span = spanOf(node);
        const name = isLambda ? `<lambda:${span.line}>` : node.childForFieldName('name')?.text ?? '<anonymous>';
        const prefix = scopeQualname();
        const qualname = prefix ? `${prefix}.${name}` : name;
        if (qualname.length > LIMITS.qualname) {
          limit('qualname', cursor.startIndex, `a qualified name longer than ${LIMITS.qualname} characters; that definition was not analysed`);
          if (!isLambda) pendingDecorators = [];
          descend = false;
          break;
        }
        const className = !isLambda && scopeFrame.kind === F.Class ? out.classes[scopeFrame.cls!].qualname : '';
        const fn = newFunction(name, qualname, isLambda ? 'lambda' : 'def', span, fnFrame.fn!, className);
        const params = node.childForFieldName('parameters');
        if (params) {
          const paramsText = params.text;
          if (paramsText.length <= 65536) fn.params = parseParams(paramsText).slice(0, LIMITS.perFunction);
        }
        const returnType = isLambda ? null : node.childForFieldName('return_type');
        if (returnType && returnType.endIndex - returnType.startIndex <= 4096) fn.raw.returnType = returnType.text;
        if (!isLambda) {
          fn.isAsync = source.startsWith('async', node.startIndex);
          fn.decorators = pendingDecorators.slice(0, LIMITS.perFunction);
          pendingDecorators = [];
          if (scopeFrame.kind === F.Function) out.functions[fnFrame.fn!].raw.defs.set(name, fn.qualname);
        }
        const index = out.functions.push(fn) - 1;
        if (isLambda && pendingArg && pendingArg.kind === 'lambda') pendingArg.lambda = index;
        if (isLambda && parent.kind === F.Assign && parent.child >= 3) parent.value = `<local>${fn.qualname}`;
        const frame: Frame = { kind: F.Function, depth, child: 0, fn: index, loops: [], loopIndexes: [], outerFn: fnFrame, outerScope: scopeFrame };
        frames.push(frame);
        scopeDepth++;
        fnFrame = scopeFrame = frame;
        break;
      }
      case K.ClassDef: {
        if (!withinBounds('a class', out.classes.length >= LIMITS.classes)) {
          pendingDecorators = [];
          descend = false;
          break;
        }
        const node = cursor.currentNode;
        const name = node.childForFieldName('name')?.text ?? '<anonymous>';
        const prefix = scopeQualname();
        if (prefix.length + name.length >= LIMITS.qualname) {
          limit('qualname', cursor.startIndex, `a qualified name longer than ${LIMITS.qualname} characters; that definition was not analysed`);
          pendingDecorators = [];
          descend = false;
          break;
        }
        const supers = node.childForFieldName('superclasses');
        const bases = supers
          ? splitTopLevel(supers.text.slice(1, -1)).filter((b) => !/^[A-Za-z_]\w*\s*=/.test(b) && !b.startsWith('*')).map(normaliseCallee)
          : [];
        const cls: ClassFact = {
          name, qualname: prefix ? `${prefix}.${name}` : name, bases, span: spanOf(node),
          decorators: pendingDecorators.slice(0, LIMITS.perFunction), attributes: [],
        };
        pendingDecorators = [];
        if (scopeFrame.kind === F.Function) out.functions[fnFrame.fn!].raw.defs.set(name, cls.qualname);
        const index = out.classes.push(cls) - 1;
        const frame: Frame = { kind: F.Class, depth, child: 0, cls: index, outerFn: fnFrame, outerScope: scopeFrame };
        frames.push(frame);
        scopeDepth++;
        scopeFrame = frame;
        break;
      }
      case K.Decorator:
        if (pendingDecorators.length < LIMITS.perFunction) pendingDecorators.push(normaliseCallee(text(cursor).replace(/^@\s*/, '')));
        descend = false;
        break;
      // Read as text where needed; nothing below them is used.
      case K.Parameters:
      case K.TypeNode:
        descend = false;
        break;
      case K.Call: {
        if (calls >= LIMITS.calls) {
          limit('calls', cursor.startIndex, `more than ${LIMITS.calls} calls; the later ones were not analysed`);
          descend = false;
          break;
        }
        calls++;
        const call: CallFact = { callee: '', target: '', line: 0, column: 0, endLine: 0, endColumn: 0, args: [] };
        if (awaited) call.awaited = true;
        if (fnFrame.loopIndexes!.length) call.loop = fnFrame.loopIndexes![fnFrame.loopIndexes!.length - 1];
        current().calls.push(call);
        const loop = innermostLoop();
        if (loop) loop.calls++;
        if (lazyOpen > 0) innermostLazy()?.calls.push(call);
        if (pendingArg && pendingArg.kind === 'call' && parent.depth === depth - 1) (pendingArg as ArgFact & { call?: CallFact }).call = call;
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
        frames.push({ kind: F.Call, depth, child: 0, call });
        break;
      }
      case K.Assignment:
        frames.push({ kind: F.Assign, depth, child: 0, inClass: scopeFrame.kind === F.Class ? scopeFrame.cls : undefined });
        break;
      case K.ForIn:
        if (parent.kind === F.Loop && parent.depth === depth - 1) frames.push({ kind: F.ForIn, depth, child: 0, loop: parent.loop });
        break;
      case K.AugmentedAssignment:
        countOperation('augmented');
        break;
      case K.AsPattern:
        frames.push({ kind: F.AsPattern, depth, child: 0 });
        break;
      case K.For:
      case K.While:
      case K.Comprehension: {
        if (current().loops.length >= LIMITS.loopsPerFunction) {
          limit('loops', cursor.startIndex, `a function with more than ${LIMITS.loopsPerFunction} loops; the later ones were not analysed`);
          descend = false;
          break;
        }
        const startIndex = cursor.startIndex;
        const line = lineOf(startIndex);
        const loop: LoopFact = {
          kind: code === K.For ? 'for' : code === K.While ? 'while' : 'comprehension',
          line, column: columnOf(startIndex, line), endLine: lineOf(cursor.endIndex), depth: fnFrame.loops!.length + 1,
          arithmetic: 0, subscripts: 0, comparisons: 0, augmented: 0, calls: 0, awaits: 0, assignments: 0,
        };
        const loopIndex = current().loops.push(loop) - 1;
        if (lazyOpen > 0) innermostLazy()?.loops.push(loop);
        // A `for` loop is entered when its body begins (its iterable is evaluated once, before).
        const inBody = code !== K.For;
        if (inBody) {
          fnFrame.loopIndexes!.push(loopIndex);
          fnFrame.loops!.push(loop);
        }
        const frame: Frame = { kind: code === K.For ? F.ForTarget : F.Loop, depth, child: 0, loop, fn: fnFrame.fn, loopIndex, inBody, outerLoop: loopFrame };
        frames.push(frame);
        loopFrame = frame;
        break;
      }
      case K.Arithmetic:
        countOperation('arithmetic');
        break;
      case K.Logic:
        countOperation('comparisons');
        break;
      case K.Subscript:
        countOperation('subscripts');
        break;
      case K.Await: {
        current().awaits++;
        const loop = innermostLoop();
        if (loop) loop.awaits++;
        frames.push({ kind: F.Await, depth, child: 0 });
        break;
      }
      case K.AsyncKeyword:
        if (!(parent.kind === F.Function && parent.depth === depth - 1)) current().awaits++;
        break;
      case K.Yield: {
        current().isGenerator = true;
        // An async generator gives the event loop back at every `yield`, like an `await`.
        const loop = current().isAsync ? innermostLoop() : undefined;
        if (loop) loop.awaits++;
        frames.push({ kind: F.Yield, depth, child: 0 });
        break;
      }
      case K.WithItem: {
        // A sync `with` calls the context manager's `__enter__` (a lock acquires, a file lock
        // waits): recorded as a call of `<manager>.__enter__` at the item.
        const statement = cursor.currentNode.parent?.parent;
        if (!statement || source.startsWith('async', statement.startIndex)) break;
        const value = normaliseValue(withItemValue(text(cursor)));
        if (!value) break;
        const line = lineOf(lastStart);
        const endLine = lineOf(lastEnd);
        const call: CallFact = {
          callee: `${value}.__enter__`, target: '', line, column: columnOf(lastStart, line), endLine, endColumn: columnOf(lastEnd, endLine), args: [],
        };
        if (fnFrame.loopIndexes!.length) call.loop = fnFrame.loopIndexes![fnFrame.loopIndexes!.length - 1];
        current().calls.push(call);
        break;
      }
      case K.Attribute: {
        // A read of `a.b` (not a callee, not an assignment target) runs a property's getter.
        if (fnFrame.fn === 0) break;
        if (parent.depth === depth - 1 && parent.child === 1 && (parent.kind === F.Call || parent.kind === F.Assign)) break;
        const name = text(cursor);
        if (!DOTTED.test(name)) break;
        let seen = readsSeen.get(fnFrame.fn!);
        if (!seen) readsSeen.set(fnFrame.fn!, (seen = new Set()));
        if (seen.has(name) || seen.size >= LIMITS.perFunction) break;
        seen.add(name);
        const line = lineOf(lastStart);
        current().raw.reads.push({ callee: name, target: '', line, column: columnOf(lastStart, line), endLine: line, endColumn: columnOf(lastEnd, line), args: [] });
        break;
      }
      case K.Import: {
        const importText = text(cursor);
        const line = lineOf(lastStart);
        for (const imp of parseImport(importText, module, isPackage)) {
          if (out.imports.length >= LIMITS.imports) {
            limit('imports', lastStart, `more than ${LIMITS.imports} imported names; the later ones were not recorded`);
            break;
          }
          out.imports.push({ local: imp.local, target: imp.target, line, scope: fnFrame.fn!, ...(imp.star ? { star: true } : {}) });
        }
        descend = false;
        break;
      }
      case K.Return:
        frames.push({ kind: F.Return, depth, child: 0 });
        break;
      case K.If:
        if (depth === 1) frames.push({ kind: F.If, depth, child: 0, line: cursor.startPosition.row + 1, endLine: cursor.endPosition.row + 1 });
        else if (fnFrame.fn !== 0) frames.push({ kind: F.LazyIf, depth, child: 0 });
        break;
      case K.Global: {
        const declared = text(cursor);
        const names = declared.replace(/^(global|nonlocal)\s+/, '').split(',').map((s) => s.trim());
        const raw = current().raw;
        for (const name of names) {
          if (raw.globals.length < LIMITS.perFunction) raw.globals.push(name);
          if (declared.startsWith('global') && raw.moduleGlobals.length < LIMITS.perFunction) raw.moduleGlobals.push(name);
        }
        descend = false;
        break;
      }
      case K.StringLike:
      case K.Comment:
        descend = false;
        break;
      // An ERROR node (syntax errors are reported by parse/recover.ts) is walked like any other:
      // what tree-sitter could structure inside it is analysed.
    }
    if (cursor.nodeIsNamed && code !== K.Lambda && code !== K.Call && code !== K.Await) pendingArg = undefined;

    if (descend || visitorWants) {
      const into = hasChildren(typeId);
      if (into && !descend) visitorOnly = depth;
      descend = into;
    }
    if (!next(descend)) break;
  }
  while (frames.length > 1) pop(frames.pop()!);
  // Arguments that are calls: record the callee text.
  for (const fn of out.functions) {
    for (const call of fn.calls) {
      for (const arg of call.args as (ArgFact & { call?: CallFact })[]) {
        if (arg.call) {
          arg.text = arg.call.callee;
          delete arg.call;
        }
      }
    }
  }
  out.suppressions = suppressions(source, tree);
  return out;
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

/** A plain string literal of up to 200 characters, no escapes or placeholders (`'/proc/stat'`, `r"json"`). */
const PLAIN_STRING = /^[rRuU]?(['"])([^'"\\\n{}]{0,200})\1$/;
/** The value of a name or attribute read: `(await client.get(url)).text` continues from the awaited call. */
function valueOfName(written: string): string {
  return written.startsWith('(') ? normaliseValue(written) : normaliseCallee(written);
}
/** A short decimal integer literal (underscores allowed). */
const DECIMAL = /^[1-9][0-9_]{0,14}$/;

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

const LAZY_GUARD = /^(?:not\s+((?:self\.|cls\.)?[A-Za-z_][\w.]*)|((?:self\.|cls\.)?[A-Za-z_][\w.]*)\s+is\s+None|[^=<>!]+\s+not\s+in\s+((?:self\.|cls\.)?[A-Za-z_][\w.]*))$/;

/**
 * The name a lazy-initialisation guard tests: `_x` for `if _x is None:` and `if not _x:`,
 * `self._cache` for `if key not in self._cache:`; undefined for other conditions.
 */
function lazyGuardName(condition: string): string | undefined {
  if (condition.length > 120) return undefined;
  const m = LAZY_GUARD.exec(condition.trim());
  return m ? m[1] ?? m[2] ?? m[3] : undefined;
}
