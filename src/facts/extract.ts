/**
 * Turns one syntax tree into ModuleFacts in a single cursor walk.
 *
 * Stage: facts. Input: a tree-sitter tree and its source text; output: ModuleFacts with callee
 * texts still unresolved (see resolve-local.ts). Every call into the native parser costs far
 * more than the JavaScript around it, so the walk reads one numeric type id per node and asks
 * for text or positions only on the few nodes that need them. Nesting is tracked with an explicit
 * stack of frames keyed by depth: no recursion, so deeply nested code cannot overflow the stack.
 */
import type Parser from 'tree-sitter';
import { Python, type TypeIds } from '../parse/language.js';
import type { ArgFact, CallFact, ClassFact, FunctionFact, LoopFact, ModuleFacts, Span } from './types.js';
import { displayCallee, DOTTED, normaliseCallee, normaliseValue, parseImport, parseParams, splitTopLevel, targetNames, withItemValue } from './text.js';

/** Small integer codes for the node types the walk tells apart (0: anything else). */
const enum K {
  Other = 0, FunctionDef, ClassDef, Decorator, Lambda, Call, ArgumentList, KeywordArgument,
  Identifier, Attribute, Assignment, AugmentedAssignment, AsPattern, AsPatternTarget, For, While,
  Comprehension, Arithmetic, Logic, Subscript, Await, Yield, Import, Return, If, StringLike,
  ErrorNode, None, True, False, Integer, Literal, Splat, Global, Comment, AsyncKeyword,
  PatternList, Parenthesized, TypeNode, Parameters, Block, WithItem,
}

type Codes = Uint8Array;
let cachedCodes: Codes | undefined;

function codesFor(ids: TypeIds): Codes {
  if (cachedCodes) return cachedCodes;
  const codes = new Uint8Array(1024);
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

/** Frame kinds on the walk's stack. */
const enum F { Function, Class, Call, Args, Kwarg, Assign, AsPattern, Loop, Await, Return, If, ForTarget, Yield }

interface Frame {
  kind: F;
  depth: number;
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
}

/** Extracts ModuleFacts from one tree. `rel` is the audit-relative path. */
export function extract(tree: Parser.Tree, source: string, rel: string, ids: TypeIds): RawModule {
  const codes = codesFor(ids);
  const { module, isPackage } = moduleName(rel);
  const out: RawModule = {
    path: rel, module, isPackage, lines: 0, bytes: Buffer.byteLength(source),
    imports: [], classes: [], functions: [], suppressions: [], issues: [], asyncLibraries: [],
    hasMainGuard: false, classAttributes: [],
  };
  const lineStarts = lineStartsOf(source);
  /** Start and end index of the node whose text was fetched last. */
  let lastStart = 0;
  let lastEnd = 0;
  const text = (c: Parser.TreeCursor) => {
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
  /** Innermost function and class-or-function scope frames. */
  let fnFrame = frames[0];
  let scopeFrame = frames[0];
  let pendingDecorators: string[] = [];
  let errorCount = 0;
  /** Attribute reads already recorded, per function index. */
  const readsSeen = new Map<number, Set<string>>();

  const current = () => out.functions[fnFrame.fn!];
  const innermostLoop = () => fnFrame.loops!.length ? fnFrame.loops![fnFrame.loops!.length - 1] : undefined;
  const scopeQualname = () =>
    scopeFrame.kind === F.Class ? out.classes[scopeFrame.cls!].qualname : fnFrame.fn === 0 ? '' : current().qualname;

  /** One more operation of this kind in the current function and its innermost loop. */
  const countOperation = (kind: 'arithmetic' | 'comparisons' | 'subscripts' | 'augmented') => {
    current().ops++;
    const loop = innermostLoop();
    if (loop) loop[kind]++;
  };

  const recomputeScopes = () => {
    fnFrame = frames[0];
    scopeFrame = frames[0];
    for (const frame of frames) {
      if (frame.kind === F.Function) fnFrame = scopeFrame = frame;
      else if (frame.kind === F.Class) scopeFrame = frame;
    }
  };

  const pop = (frame: Frame) => {
    switch (frame.kind) {
      case F.Function:
      case F.Class:
        return true;
      case F.Loop:
      case F.ForTarget: {
        if (!frame.inBody) return false;
        const owner = fnFrameOf(frames, frame);
        owner.loops!.pop();
        owner.loopIndexes!.pop();
        return false;
      }
      case F.Assign: {
        const value = frame.valueCall ? `${frame.valueCall.callee}()` : frame.value ?? '';
        if (frame.inClass !== undefined) {
          // Class body: an attribute of the class, not a name of the enclosing scope.
          const name = (frame.left ?? '').trim();
          const typed = value || (frame.annotation ? `<annotation>${frame.annotation}` : '');
          if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && typed) out.classAttributes.push({ cls: frame.inClass, name, value: typed, line: frame.line ?? 0 });
          return false;
        }
        if (frame.annotation) bindTargets(frame.left ?? '', `<annotation>${frame.annotation}`, frame);
        else if (frame.tuple) bindTuple(frame.left ?? '', frame.tuple, frame);
        else bindTargets(frame.left ?? '', value, frame);
        return false;
      }
      case F.AsPattern:
        return false;
      case F.Return:
      case F.Yield: {
        const value = frame.valueCall ? `${frame.valueCall.callee}()` : frame.value;
        const raw = out.functions[fnFrameOf(frames, frame).fn!].raw;
        if (value) (frame.kind === F.Return ? raw.returns : raw.yields).push(value);
        return false;
      }
      default:
        return false;
    }
  };

  const bindTargets = (left: string, value: string, frame: Frame) => {
    const fn = out.functions[fnFrameOf(frames, frame).fn!];
    const line = frame.line ?? 0;
    const attr = /^(self|cls)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(left);
    if (attr) {
      fn.raw.bindings.push({ name: attr[2], value, line, attribute: true });
      return;
    }
    // `request.state.db = SessionLocal()`: a dotted name bound for the rest of this function.
    const dotted = left.trim();
    if (DOTTED.test(dotted) && dotted.includes('.')) {
      if (value) fn.raw.bindings.push({ name: dotted, value, line });
      return;
    }
    const names = targetNames(left);
    const single = names.length === 1 && names[0] === left.trim();
    for (const name of names) fn.raw.bindings.push({ name, value: single ? value : '', line });
  };

  const bindTuple = (left: string, value: string, frame: Frame) => {
    const names = targetNames(left);
    const parts = splitTopLevel(value.trim().replace(/^\((.*)\)$/s, '$1'));
    if (parts.length !== names.length || names.length !== splitTopLevel(left.trim().replace(/^\((.*)\)$/s, '$1')).length) {
      bindTargets(left, '', frame);
      return;
    }
    const fn = out.functions[fnFrameOf(frames, frame).fn!];
    names.forEach((name, i) => {
      const part = normaliseCallee(parts[i]);
      fn.raw.bindings.push({ name, value: /^[A-Za-z_][\w.]*(\(\))?$/.test(part) ? part : '', line: frame.line ?? 0 });
    });
  };

  /** Classifies one argument node and returns its ArgFact (text fetched only when useful). */
  const argFact = (c: Parser.TreeCursor, code: number, call: CallFact | undefined): ArgFact | null => {
    switch (code) {
      case K.Identifier:
      case K.Attribute:
        return { kind: 'ref', text: normaliseCallee(text(c)) };
      case K.Lambda:
        return { kind: 'lambda' };
      case K.Call:
        return { kind: 'call' };
      case K.None:
        return { kind: 'none' };
      case K.True:
        return { kind: 'true' };
      case K.False:
        return { kind: 'false' };
      case K.Integer:
        if (call && call.callee === 'range') {
          const bound = Number(text(c).replace(/_/g, ''));
          // The nearest loop, header included: `for i in range(10_000)` bounds that loop.
          const loop = frames.findLast((f) => f.loop !== undefined)?.loop;
          if (loop && Number.isFinite(bound)) loop.rangeBound = Math.max(loop.rangeBound ?? 0, bound);
        }
        return { kind: 'literal' };
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

  walk: for (;;) {
    const typeId = cursor.nodeTypeId;
    const code = codes[typeId];
    // Leave every frame this node is not inside.
    let popped = false;
    while (frames.length > 1 && frames[frames.length - 1].depth >= depth) {
      if (pop(frames.pop()!)) popped = true;
    }
    if (popped) recomputeScopes();
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
            call.callee = displayCallee(text(cursor));
            // The call starts where its callee starts; the span covers the callee.
            const line = lineOf(lastStart);
            const endLine = lineOf(lastEnd);
            call.span = { line, column: columnOf(lastStart, line), endLine, endColumn: columnOf(lastEnd, endLine) };
          }
          else if (code === K.ArgumentList) frames.push({ kind: F.Args, depth, child: 0, call: parent.call });
          break;
        case F.Args: {
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
          }
          else if (parent.child === 3 && code === K.TypeNode) {
            parent.annotated = true;
            // An annotation types the name: `repo: Repo` (dataclass fields, `client: httpx.Client = make()`).
            parent.annotation = text(cursor);
          }
          else if ((parent.child === 3 && !parent.annotated) || parent.child === 5) {
            if (code === K.Identifier || code === K.Attribute) parent.value = normaliseCallee(text(cursor));
            else if (code === K.Lambda) parent.value = '<lambda>';
            // `(requests.Session())`, `Path(p) / "x"`: the value the expression gives.
            else if (code === K.Parenthesized || (code === K.Arithmetic && !parent.left?.includes(','))) parent.value = normaliseValue(text(cursor));
            // A type alias, `SessionDep = Annotated[Session, Depends(get_db)]`, names the type it aliases.
            else if (code === K.Subscript && /^(?:typing(?:_extensions)?\.)?(?:Annotated|Optional)\[/.test(text(cursor))) parent.value = `<typealias>${text(cursor)}`;
            else if (code !== K.Call) {
              // `self.x = None` (initialising or resetting) says nothing about what x holds otherwise.
              parent.value = code === K.None ? '<none>' : '';
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
            parent.line = parent.valueCall?.span.line ?? 0;
            bindTargets(text(cursor), value, parent);
          }
          break;
        case F.Return:
        case F.Yield:
          if (parent.child === 2 && (code === K.Identifier || code === K.Attribute)) parent.value = normaliseCallee(text(cursor));
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
        case F.ForTarget:
        case F.Loop:
          if (parent.kind === F.ForTarget && (code === K.Identifier || code === K.PatternList || code === K.Attribute)) {
            for (const name of targetNames(text(cursor))) current().raw.bindings.push({ name, value: '', line: 0 });
            parent.kind = F.Loop; // the target is read; the frame goes on as the loop
          } else if (code === K.AsyncKeyword) parent.loop!.awaits++;
          else if (code === K.Block && !parent.inBody) {
            // A `for` loop's body begins: calls from here on run once per pass; its iterable did not.
            parent.inBody = true;
            fnFrame.loopIndexes!.push(parent.loopIndex!);
            fnFrame.loops!.push(parent.loop!);
          }
          break;
      }
    }

    switch (code) {
      case K.FunctionDef:
      case K.Lambda: {
        const node = cursor.currentNode;
        const span = spanOf(node);
        const isLambda = code === K.Lambda;
        const name = isLambda ? `<lambda:${span.line}>` : node.childForFieldName('name')?.text ?? '<anonymous>';
        const prefix = scopeQualname();
        const className = !isLambda && scopeFrame.kind === F.Class ? out.classes[scopeFrame.cls!].qualname : '';
        const fn = newFunction(name, prefix ? `${prefix}.${name}` : name, isLambda ? 'lambda' : 'def', span, fnFrame.fn!, className);
        const params = node.childForFieldName('parameters');
        if (params) fn.params = parseParams(params.text);
        const returnType = isLambda ? null : node.childForFieldName('return_type');
        if (returnType) fn.raw.returnType = returnType.text;
        if (!isLambda) {
          fn.isAsync = source.startsWith('async', node.startIndex);
          fn.decorators = pendingDecorators;
          pendingDecorators = [];
          if (scopeFrame.kind === F.Function) out.functions[fnFrame.fn!].raw.defs.set(name, fn.qualname);
        }
        const index = out.functions.push(fn) - 1;
        if (isLambda && pendingArg && pendingArg.kind === 'lambda') pendingArg.lambda = index;
        if (isLambda && parent.kind === F.Assign && parent.child >= 3) parent.value = `<local>${fn.qualname}`;
        const frame: Frame = { kind: F.Function, depth, child: 0, fn: index, loops: [], loopIndexes: [] };
        frames.push(frame);
        fnFrame = scopeFrame = frame;
        break;
      }
      case K.ClassDef: {
        const node = cursor.currentNode;
        const name = node.childForFieldName('name')?.text ?? '<anonymous>';
        const prefix = scopeQualname();
        const supers = node.childForFieldName('superclasses');
        const bases = supers
          ? splitTopLevel(supers.text.slice(1, -1)).filter((b) => !/^[A-Za-z_]\w*\s*=/.test(b) && !b.startsWith('*')).map(normaliseCallee)
          : [];
        const cls: ClassFact = {
          name, qualname: prefix ? `${prefix}.${name}` : name, bases, span: spanOf(node),
          decorators: pendingDecorators, attributes: [],
        };
        pendingDecorators = [];
        if (scopeFrame.kind === F.Function) out.functions[fnFrame.fn!].raw.defs.set(name, cls.qualname);
        const index = out.classes.push(cls) - 1;
        const frame: Frame = { kind: F.Class, depth, child: 0, cls: index };
        frames.push(frame);
        scopeFrame = frame;
        break;
      }
      case K.Decorator:
        pendingDecorators.push(normaliseCallee(text(cursor).replace(/^@\s*/, '')));
        descend = false;
        break;
      // Read as text where needed; nothing below them is used.
      case K.Parameters:
      case K.TypeNode:
        descend = false;
        break;
      case K.Call: {
        const call: CallFact = { callee: '', target: '', span: { line: 0, column: 0, endLine: 0, endColumn: 0 }, args: [] };
        if (awaited) call.awaited = true;
        if (fnFrame.loopIndexes!.length) call.loop = fnFrame.loopIndexes![fnFrame.loopIndexes!.length - 1];
        current().calls.push(call);
        const loop = innermostLoop();
        if (loop) loop.calls++;
        if (pendingArg && pendingArg.kind === 'call' && parent.depth === depth - 1) (pendingArg as ArgFact & { call?: CallFact }).call = call;
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
      case K.AugmentedAssignment:
        countOperation('augmented');
        break;
      case K.AsPattern:
        frames.push({ kind: F.AsPattern, depth, child: 0 });
        break;
      case K.For:
      case K.While:
      case K.Comprehension: {
        const startIndex = cursor.startIndex;
        const line = lineOf(startIndex);
        const loop: LoopFact = {
          kind: code === K.For ? 'for' : code === K.While ? 'while' : 'comprehension',
          line, column: columnOf(startIndex, line), endLine: lineOf(cursor.endIndex), depth: fnFrame.loops!.length + 1,
          arithmetic: 0, subscripts: 0, comparisons: 0, augmented: 0, calls: 0, awaits: 0,
        };
        const loopIndex = current().loops.push(loop) - 1;
        // A `for` loop is entered when its body begins (its iterable is evaluated once, before).
        const inBody = code !== K.For;
        if (inBody) {
          fnFrame.loopIndexes!.push(loopIndex);
          fnFrame.loops!.push(loop);
        }
        frames.push({ kind: code === K.For ? F.ForTarget : F.Loop, depth, child: 0, loop, fn: fnFrame.fn, loopIndex, inBody });
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
      case K.Yield:
        current().isGenerator = true;
        frames.push({ kind: F.Yield, depth, child: 0 });
        break;
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
          callee: `${value}.__enter__`, target: '', args: [],
          span: { line, column: columnOf(lastStart, line), endLine, endColumn: columnOf(lastEnd, endLine) },
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
        if (seen.has(name)) break;
        seen.add(name);
        const line = lineOf(lastStart);
        current().raw.reads.push({ callee: name, target: '', args: [], span: { line, column: columnOf(lastStart, line), endLine: line, endColumn: columnOf(lastEnd, line) } });
        break;
      }
      case K.Import: {
        const importText = text(cursor);
        const line = lineOf(lastStart);
        for (const imp of parseImport(importText, module, isPackage)) {
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
        break;
      case K.Global: {
        const declared = text(cursor);
        const names = declared.replace(/^(global|nonlocal)\s+/, '').split(',').map((s) => s.trim());
        current().raw.globals.push(...names);
        if (declared.startsWith('global')) current().raw.moduleGlobals.push(...names);
        descend = false;
        break;
      }
      case K.StringLike:
      case K.Comment:
        descend = false;
        break;
      case K.ErrorNode:
        if (errorCount++ < 5) {
          out.issues.push({ kind: 'syntax', line: cursor.startPosition.row + 1, message: 'syntax error; the rest of the file was analysed as far as it parsed' });
        }
        break;
    }
    if (code !== K.Lambda && code !== K.Call) pendingArg = undefined;

    let isLeaf = leaf[typeId];
    if (isLeaf < 0) isLeaf = leaf[typeId] = LEAF_TYPES.has(cursor.nodeType) || !cursor.nodeIsNamed ? 1 : 0;
    if (descend && isLeaf === 0 && cursor.gotoFirstChild()) {
      depth++;
      continue;
    }
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) break walk;
      depth--;
    }
  }
  while (frames.length > 1) pop(frames.pop()!);

  if (errorCount === 0 && tree.rootNode.hasError) {
    out.issues.push({ kind: 'syntax', message: 'syntax error (a missing token); the file was analysed as far as it parsed' });
  }
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
  out.suppressions = suppressions(source);
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
  cachedLeaf ??= new Int8Array(2048).fill(-1);
  return cachedLeaf;
}

function fnFrameOf(frames: Frame[], frame: Frame): Frame {
  if (frame.fn !== undefined && (frame.kind === F.Loop || frame.kind === F.ForTarget)) {
    for (let i = frames.length - 1; i >= 0; i--) if (frames[i].kind === F.Function && frames[i].fn === frame.fn) return frames[i];
  }
  for (let i = frames.length - 1; i >= 0; i--) if (frames[i].kind === F.Function) return frames[i];
  return frames[0];
}

function spanOf(node: Parser.SyntaxNode): Span {
  const s = node.startPosition;
  const e = node.endPosition;
  return { line: s.row + 1, column: s.column + 1, endLine: e.row + 1, endColumn: e.column + 1 };
}

/** A plain string literal of up to 200 characters, no escapes or placeholders (`'/proc/stat'`, `r"json"`). */
const PLAIN_STRING = /^[rRuU]?(['"])([^'"\\\n{}]{0,200})\1$/;

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

/** `# noqa`, `# noqa: GA101, ASYNC251` and `# gil-audit: ignore[GA101]` comments. */
function suppressions(source: string): ModuleFacts['suppressions'] {
  if (!source.includes('noqa') && !source.includes('gil-audit')) return [];
  const out: ModuleFacts['suppressions'] = [];
  let line = 1;
  let last = 0;
  for (const match of source.matchAll(SUPPRESSION)) {
    for (let i = source.indexOf('\n', last); i !== -1 && i < match.index!; i = source.indexOf('\n', i + 1)) line++;
    last = match.index!;
    const codes = (match[1] ?? '').split(/[\s,]+/).filter((c) => /^[A-Z]+[0-9]+$/.test(c));
    out.push({ line, codes });
  }
  return out;
}
