/**
 * Resolves names inside one module: every callee, decorator, base class, binding and return
 * value becomes an absolute dotted name where the module alone can tell.
 *
 * Stage: facts. Input: RawModule from extract.ts; output: ModuleFacts. Scopes follow Python's
 * rules: a function sees its own names, then those of enclosing functions (not of class bodies),
 * then the module's, then the builtins. `self.x` inside a method resolves through the class's
 * attributes; what needs other modules (base classes, re-exports) is left to the graph stage.
 * Every lookup is bounded (a depth limit) and takes logarithmic time in the bindings of a name,
 * so a generated file that rebinds one name a hundred thousand times stays linear.
 */
import type { ArgFact, BindingFact, CallFact, FunctionFact, LoopFact, ModuleFacts, Resolution } from './types.js';
import type { RawBinding, RawFunction, RawModule } from './extract.js';
import { bindsFirstParameter } from './arguments.js';
import { annotationClass, calleeText, iterSubject, returnTypeClass, splitHead } from './text.js';

const BUILTINS = new Set([
  'abs', 'aiter', 'all', 'anext', 'any', 'ascii', 'bin', 'bool', 'breakpoint', 'bytearray', 'bytes',
  'callable', 'chr', 'classmethod', 'compile', 'complex', 'delattr', 'dict', 'dir', 'divmod',
  'enumerate', 'eval', 'exec', 'exit', 'filter', 'float', 'format', 'frozenset', 'getattr', 'globals',
  'hasattr', 'hash', 'help', 'hex', 'id', 'input', 'int', 'isinstance', 'issubclass', 'iter', 'len',
  'list', 'locals', 'map', 'max', 'memoryview', 'min', 'next', 'object', 'oct', 'open', 'ord', 'pow',
  'print', 'property', 'quit', 'range', 'repr', 'reversed', 'round', 'set', 'setattr', 'slice',
  'sorted', 'staticmethod', 'str', 'sum', 'super', 'tuple', 'type', 'vars', 'zip', '__import__',
]);

interface Resolved {
  value: string;
  resolution: Resolution;
  /** For `self.x...`: the value as an instance's (`pkg.Cls().x`), for use as a value rather than a callee. */
  instance?: string;
}

/** A resolved expression used as a value (a binding, a return, an argument): `self` is an instance. */
function valueOf(resolved: Resolved): string {
  return resolved.instance ?? resolved.value;
}

const UNKNOWN: Resolved = { value: '', resolution: 'unknown' };

/** Decorators that make a generator function a context manager whose `with` gives what it yields. */
const CONTEXT_MANAGERS = new Set(['contextlib.contextmanager', 'contextlib.asynccontextmanager']);

/** Resolves a RawModule into ModuleFacts (in place where it can, for speed). */
export function resolveModule(raw: RawModule): ModuleFacts {
  const resolver = new ModuleResolver(raw);
  return resolver.run();
}

class ModuleResolver {
  private readonly prefix: string;
  private readonly importsByScope = new Map<number, Map<string, string>>();
  private readonly classByQualname = new Map<string, number>();
  private readonly attributes = new Map<string, Map<string, string>>();
  /** Per function: its plain (non-attribute) bindings by name, in source order. */
  private readonly bindingsByName = new Map<number, Map<string, Bindings>>();
  private readonly hasStarImport: boolean;
  /** Functions (not the module body) by qualified name, the first of each name. */
  private readonly functionByQualname = new Map<string, number>();
  private readonly dottedByFunction = new Map<number, Set<string>>();
  /** Modules star-imported at the top level. */
  private readonly starSources: string[];

  constructor(private readonly raw: RawModule) {
    this.prefix = raw.module ? `${raw.module}.` : '';
    for (const imp of raw.imports) {
      if (imp.star) continue;
      let scope = this.importsByScope.get(imp.scope);
      if (!scope) this.importsByScope.set(imp.scope, (scope = new Map()));
      // The first binding wins: `try: from queue import Queue / except ImportError: from Queue
      // import Queue` keeps the modern module.
      if (!scope.has(imp.local)) scope.set(imp.local, imp.target.replace(/^builtins\./, ''));
    }
    raw.classes.forEach((cls, i) => this.classByQualname.set(cls.qualname, i));
    raw.functions.forEach((fn, i) => {
      if (fn.kind !== 'module' && !this.functionByQualname.has(fn.qualname)) this.functionByQualname.set(fn.qualname, i);
    });
    this.hasStarImport = raw.imports.some((i) => i.star);
    this.starSources = [...new Set(raw.imports.filter((i) => i.star && i.scope === 0).map((i) => i.target))];
  }

  private bindingsOf(fn: number, name: string): Bindings | undefined {
    let map = this.bindingsByName.get(fn);
    if (!map) {
      const lists = new Map<string, RawBinding[]>();
      for (const b of this.raw.functions[fn].raw.bindings) {
        if (b.attribute) continue;
        const list = lists.get(b.name);
        if (list) list.push(b);
        else lists.set(b.name, [b]);
      }
      map = new Map();
      for (const [key, list] of lists) map.set(key, indexBindings(list));
      this.bindingsByName.set(fn, map);
    }
    return map.get(name);
  }

  run(): ModuleFacts {
    const raw = this.raw;
    // Class attributes first: `self.x = ...` in any method, resolved in that method's scope.
    raw.functions.forEach((fn, index) => {
      if (!fn.className) return;
      for (const binding of fn.raw.bindings) {
        if (!binding.attribute || binding.value === '<none>') continue;
        let attrs = this.attributes.get(fn.className);
        if (!attrs) this.attributes.set(fn.className, (attrs = new Map()));
        let value = valueOf(this.resolveExpr(binding.value, index, binding.line, 0));
        // `self.repo = repo` with an unannotated `__init__` parameter: typed later from what the
        // project's construction sites pass (graph stage).
        const param = fn.name === '__init__' && !value ? fn.params.findIndex((p, i) => i > 0 && p.name === binding.value) : -1;
        if (param > 0 && !fn.raw.bindings.some((b) => !b.attribute && b.name === binding.value)) value = `@param:${param}:${binding.value}`;
        // Conflicting assignments make the attribute unknown.
        attrs.set(binding.name, attrs.has(binding.name) && attrs.get(binding.name) !== value ? '' : value);
      }
    });
    // Class-level assignments and annotations, where methods did not assign the attribute or
    // assigned it values that disagree (`helper: HelperProtocol`, set to `Helper()` or to a
    // parameter): the declared type is what every value has in common.
    for (const attr of raw.classAttributes) {
      const cls = raw.classes[attr.cls];
      let attrs = this.attributes.get(cls.qualname);
      if (!attrs) this.attributes.set(cls.qualname, (attrs = new Map()));
      if (attrs.get(attr.name)) continue;
      const scope = this.definingScope(cls.qualname);
      const value = this.resolveExpr(attr.value, scope, attr.line, 0).value;
      if (value) attrs.set(attr.name, value);
    }
    for (const cls of raw.classes) {
      const attrs = this.attributes.get(cls.qualname);
      // Made here, in the worker, as a list (the main thread holds it flat: binding-list.ts).
      if (attrs) for (const [name, value] of attrs) if (value) (cls.attributes as BindingFact[]).push({ name, value, line: 0 });
      cls.bases = cls.bases.map((b) => this.resolveExpr(b, this.definingScope(cls.qualname), cls.span.line, 0).value || b);
      cls.decorators = cls.decorators.map((d) => this.resolveExpr(d, this.definingScope(cls.qualname), cls.span.line, 0).value || d);
    }
    raw.functions.forEach((fn, index) => {
      for (const call of fn.calls) this.resolveCall(call, index);
      for (const call of fn.calls) {
        const condition = call.condition;
        if (condition) call.condition = condition.map((clause) => clause.map((test) => (test.types.length === 0 ? test : { ...test, types: test.types.map((t) => this.resolveExpr(t, index, call.line, 0).value || t) })));
        for (const arg of call.args) {
          if (arg.kind === 'ref' && arg.text) arg.target = this.resolveExpr(arg.text, index, call.line, 0).value || this.integerConstant(arg.text, index);
          else if (arg.kind === 'call' && arg.text) arg.target = this.resolveExpr(arg.text, index, call.line, 0).value;
        }
      }
      fn.decorators = fn.decorators.map((d) => this.resolveExpr(d, fn.parent < 0 ? 0 : fn.parent, fn.span.line, 0).value || d);
      const bindings: BindingFact[] = [];
      for (const b of fn.raw.bindings) {
        if (b.attribute || !b.value) continue;
        const value = this.resolveExpr(b.value, index, b.line, 0).value;
        if (value) bindings.push({ name: b.name, value, line: b.line });
      }
      fn.bindings = bindings;
      const rebound = fn.params.filter((p) => fn.raw.bindings.some((b) => !b.attribute && b.name === p.name)).map((p) => p.name);
      if (rebound.length > 0) fn.rebound = rebound;
      // `global _x` ... `_x = build()`: module state initialised lazily, once.
      const globals = fn.raw.moduleGlobals;
      if (globals.length > 0 && fn.raw.bindings.some((b) => !b.attribute && globals.includes(b.name))) fn.initOnce = true;
      // A `@contextmanager` function's `with` gives what it yields, and so does a generator that
      // returns nothing (a FastAPI dependency: `def get_db(): ... yield session`).
      const yields = fn.decorators.some((d) => CONTEXT_MANAGERS.has(d)) || (fn.raw.returns.length === 0 && fn.raw.yields.length > 0);
      // A value on an unknown receiver (`(conn or db).fetchone()` gives `?.fetchone()`) says nothing.
      fn.returns = [...new Set((yields ? fn.raw.yields : fn.raw.returns).map((r) => valueOf(this.resolveExpr(r, index, fn.span.endLine, 0))).filter((v) => v && !v.startsWith('?')))];
      // Nothing the body returns is known: the return annotation says what it gives.
      if (fn.returns.length === 0 && fn.raw.returnType) {
        const named = returnTypeClass(fn.raw.returnType);
        const resolved = named ? this.resolveExpr(named, fn.parent < 0 ? 0 : fn.parent, fn.span.line, 0).value : '';
        if (resolved && !resolved.startsWith('?')) fn.returns = [`${resolved}()`];
      }
      const reads: CallFact[] = [];
      for (const read of fn.raw.reads) {
        // Only reads on instances can run a property getter: `self.x`, or a name bound to `C()`.
        const resolved = this.resolveExpr(read.callee, index, read.line, 0);
        if (resolved.resolution !== 'self' && !(resolved.resolution === 'binding' && resolved.value.includes('()'))) continue;
        read.target = resolved.value;
        read.resolution = resolved.resolution;
        reads.push(read);
      }
      if (reads.length > 0) fn.reads = reads;
      for (const loop of fn.loops) {
        if (loop.iter === undefined || loop.kind === 'while') continue;
        this.resolveIterable(loop, loop, fn.loops, index);
        for (const clause of loop.clauses ?? []) this.resolveIterable(clause, loop, fn.loops, index, loop.vars);
      }
    });
    const libs = new Set<string>();
    for (const imp of raw.imports) {
      const top = imp.target.split('.')[0];
      if (top === 'asyncio' || top === 'trio' || top === 'anyio') libs.add(top);
    }
    // The module and each function copied without what resolution used, members in order:
    // deleting a member that is not the last one added would turn the object into a slow
    // dictionary, which JSON.stringify (the facts' way out of the worker) and every later read
    // take the slow path for. Calls and arguments lose the members the walk left undefined.
    const { classAttributes: _attributes, ...module } = raw;
    const facts: ModuleFacts = { ...module, functions: raw.functions.map(handedOn) };
    facts.asyncLibraries = [...libs].sort();
    return facts;
  }

  /**
   * What a loop runs over: the subject collection, where its name comes from, and its size when
   * a literal gives it. `outerVars` are the names of an earlier clause of the same comprehension.
   */
  private resolveIterable(target: IterableTarget, loop: LoopFact, loops: LoopFact[], fnIndex: number, outerVars?: string[]): void {
    const subject = iterSubject(target.iter!);
    if (subject !== target.iter) target.subject = subject;
    const head = /^[A-Za-z_][A-Za-z0-9_]*/.exec(subject)?.[0];
    if (!head || head === 'range' && subject.startsWith('range(')) return;
    const whole = head === subject;
    // The loops around this one; a variable of one of them is an element of another collection.
    const around = loops.filter((l) => l !== loop && l.depth < loop.depth && l.line <= loop.line && l.endLine >= loop.endLine);
    const enclosingVar = (value: string) => {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value)?.[0];
      return name !== undefined && around.some((l) => l.vars?.includes(name));
    };
    if (enclosingVar(head) || outerVars?.includes(head) || (target !== loop && loop.vars?.includes(head))) {
      target.origin = 'element';
      return;
    }
    // Bound inside a loop that encloses this one: a new value on every pass of that loop.
    const rebuiltPerPass = (line: number) => around.some((l) => l.line < line);
    const fns = this.raw.functions;
    // A comprehension reads its iterable before the statement it is in binds anything: in
    // `values = (f(v) for v in values)` the iterable is the earlier `values`.
    const boundBy = loop.kind === 'comprehension' ? loop.line - 1 : loop.line;
    for (let f = fnIndex; f > 0; f = fns[f].parent) {
      const fn = fns[f];
      if (fn.kind === 'module' || fn.raw.globals.includes(head)) break;
      const bindings = this.bindingsOf(f, head);
      const binding = bindings && pickBinding(bindings, boundBy);
      if (binding && binding.line > 0 && binding.line <= boundBy) {
        const literal = /^<literal:(\d+)>$/.exec(binding.value);
        if (literal) {
          if (whole) target.size = Number(literal[1]);
          target.origin = 'constant';
        } else if (enclosingVar(binding.value) || rebuiltPerPass(binding.line)) {
          // `words = line.split(",")` inside `for line in fh`: part of an element; so is
          // `content = f.read()` inside `for fd in fds`: one file of many, rebuilt on every pass.
          target.origin = 'element';
        } else {
          target.origin = 'local';
          const value = this.resolveExpr(subject, fnIndex, loop.line, 0).value;
          if (value) target.value = value;
        }
        return;
      }
      const param = fn.params.find((p) => p.name === head);
      if (param) {
        if (!(f === fnIndex && fn.className && fn.params[0] === param)) {
          target.origin = param.variadic ? 'arguments' : 'param';
          return;
        }
        break;
      }
      if (bindings?.list.length) break;
    }
    const moduleBinding = this.bindingsOf(0, head);
    const literal = moduleBinding && /^<literal:(\d+)>$/.exec(pickBinding(moduleBinding, Number.MAX_SAFE_INTEGER)?.value ?? '');
    if (literal || /^[A-Z][A-Z0-9_]*$/.test(head)) {
      target.origin = 'constant';
      if (literal && whole) target.size = Number(literal[1]);
      return;
    }
    const value = this.resolveExpr(subject, fnIndex, loop.line, 0).value;
    if (value) target.value = value;
  }

  /**
   * `<int:2048>` for a constant bound once to an integer (`ROUNDS = 2048`, see extract.ts) in
   * function `fn` or, when `fn` binds no such name, in the module; else ''.
   */
  private integerConstant(name: string, fn: number): string {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) return '';
    const bindings = (this.bindingsOf(fn, name) ?? this.bindingsOf(0, name))?.list;
    return bindings?.length === 1 && /^<int:\d+>$/.test(bindings[0].value) ? bindings[0].value : '';
  }

  /** The function index whose scope a class body runs in. */
  private definingScope(classQualname: string): number {
    const dot = classQualname.lastIndexOf('.');
    if (dot < 0) return 0;
    return this.functionByQualname.get(classQualname.slice(0, dot)) ?? 0;
  }

  private resolveCall(call: CallFact, fnIndex: number): void {
    // `(base / "x").read_text`: resolved through the value of the parenthesised expression.
    const callee = call.callee.startsWith('(') ? calleeText(call.callee) : call.callee;
    const split = splitHead(callee);
    if (!split) return;
    const [head, rest] = split;
    if (head === 'super' && rest.startsWith('()')) {
      const cls = this.raw.functions[fnIndex].className || this.enclosingClass(fnIndex);
      if (cls) {
        call.target = `${this.prefix}${cls}${rest.slice(2)}`;
        call.resolution = 'super';
      }
      return;
    }
    const resolved = this.resolveExpr(callee, fnIndex, call.line, 0);
    // `self(...)` calls the instance, so its class's `__call__`, not its constructor (as `cls(...)` does).
    call.target = callee === 'self' && resolved.resolution === 'self' ? `${resolved.value}().__call__` : resolved.value;
    if (resolved.resolution !== 'unknown') call.resolution = resolved.resolution;
  }

  private enclosingClass(fnIndex: number): string {
    for (let f = fnIndex; f > 0; f = this.raw.functions[f].parent) {
      if (this.raw.functions[f].className) return this.raw.functions[f].className;
    }
    return '';
  }

  /** Resolves a normalised expression text seen in function `fnIndex` at `line`. */
  resolveExpr(text: string, fnIndex: number, line: number, depth: number): Resolved {
    if (!text || depth > 6) return UNKNOWN;
    if (text.startsWith('<local>')) return { value: this.prefix + text.slice(7), resolution: 'local-def' };
    if (text.startsWith('<typealias>')) {
      const named = annotationClass(text.slice('<typealias>'.length));
      const resolved = named ? this.resolveExpr(named, fnIndex, line, depth + 1).value : '';
      return resolved && !resolved.startsWith('?') ? { value: resolved, resolution: 'binding' } : UNKNOWN;
    }
    if (text.startsWith('<annotation>')) {
      const named = annotationClass(text.slice('<annotation>'.length));
      const resolved = named ? this.resolveExpr(named, fnIndex, line, depth + 1).value : '';
      return resolved && !resolved.startsWith('?') ? { value: `${resolved}()`, resolution: 'binding' } : UNKNOWN;
    }
    // `(session.execute()).scalars().all()` (a value that starts with a parenthesised expression): its chain.
    if (text.startsWith('(')) {
      const chain = calleeText(text);
      if (!chain || chain.startsWith('(')) return UNKNOWN;
      text = chain;
    }
    const split = splitHead(text);
    if (!split) return UNKNOWN;
    const [head, rest] = split;
    if (rest.startsWith('.') && this.dottedNames(fnIndex).size > 0) {
      const bound = this.dottedBinding(text, fnIndex, line, depth);
      if (bound) return bound;
    }
    const found = this.lookup(head, fnIndex, line, depth);
    if (!found.value) {
      if (found.resolution === 'unbound') return { value: text, resolution: 'unbound' };
      // Bound to something unknowable: keep the shape, so `loop.run_in_executor` is `?.run_in_executor`.
      return rest.startsWith('.') ? { value: `?${rest}`, resolution: 'unknown' } : UNKNOWN;
    }
    if (found.resolution === 'self') return this.resolveSelf(found.value, rest);
    // `import builtins; builtins.open(...)` is the builtin `open`.
    const value = found.value + rest;
    return { value: value.startsWith('builtins.') ? value.slice(9) : value, resolution: found.resolution };
  }

  /** Dotted names (`request.state.db`) the function binds, memoised. */
  private dottedNames(fnIndex: number): Set<string> {
    let names = this.dottedByFunction.get(fnIndex);
    if (!names) {
      names = new Set(this.raw.functions[fnIndex].raw.bindings.filter((b) => !b.attribute && b.name.includes('.')).map((b) => b.name));
      this.dottedByFunction.set(fnIndex, names);
    }
    return names;
  }

  /** `request.state.db.commit` after `request.state.db = SessionLocal()` earlier in the same function. */
  private dottedBinding(text: string, fnIndex: number, line: number, depth: number): Resolved | undefined {
    const chain = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(text)?.[0] ?? '';
    const parts = chain.split('.');
    const names = this.dottedNames(fnIndex);
    for (let k = parts.length; k >= 2; k--) {
      const prefix = parts.slice(0, k).join('.');
      if (!names.has(prefix)) continue;
      let before: RawBinding | undefined;
      for (const b of this.bindingsOf(fnIndex, prefix)?.list ?? []) if (b.line <= line) before = b;
      if (!before?.value) return undefined;
      const resolved = this.resolveExpr(before.value, fnIndex, before.line, depth + 1);
      return resolved.value ? { value: valueOf(resolved) + text.slice(prefix.length), resolution: 'binding' } : undefined;
    }
    return undefined;
  }

  /** `self.conn.execute` in class `Repo`: through the attribute `conn` when its value is known. */
  private resolveSelf(classFqn: string, rest: string): Resolved {
    const match = /^\.([A-Za-z_][A-Za-z0-9_]*)(.*)$/.exec(rest);
    if (match) {
      const qualname = classFqn.slice(this.prefix.length);
      const value = this.attributes.get(qualname)?.get(match[1]);
      if (value && !value.startsWith('@param:')) return { value: value + match[2], resolution: 'binding' };
    }
    return { value: classFqn + rest, resolution: 'self', instance: `${classFqn}()${rest}` };
  }

  private lookup(name: string, fnIndex: number, line: number, depth: number): Resolved {
    const fns = this.raw.functions;
    for (let f = fnIndex; f >= 0; f = fns[f].parent) {
      const fn = fns[f];
      if (fn.kind === 'module') break;
      if (fn.raw.globals.includes(name)) break;
      // A name rebound before this line is that binding, not the parameter.
      const bindings = this.bindingsOf(f, name);
      const rebound = bindings && pickBinding(bindings, line);
      if (rebound && rebound.line <= line && rebound.line > fn.span.line) {
        if (!rebound.value) return UNKNOWN;
        const resolved = this.resolveExpr(rebound.value, f, rebound.line, depth + 1);
        return resolved.value ? { value: valueOf(resolved), resolution: 'binding' } : UNKNOWN;
      }
      const paramIndex = fn.params.findIndex((p) => p.name === name);
      if (paramIndex >= 0) {
        const param = fn.params[paramIndex];
        if (paramIndex === 0 && bindsFirstParameter(fn)) {
          return { value: this.prefix + fn.className, resolution: 'self' };
        }
        const cls = param.annotation ? annotationClass(param.annotation) : null;
        if (cls) {
          const resolved = this.resolveExpr(cls, fn.parent < 0 ? 0 : fn.parent, line, depth + 1);
          if (resolved.value) return { value: `${resolved.value}()`, resolution: 'binding' };
        }
        // `session=Depends(generate_session)`: what the dependency returns or yields.
        if (param.depends) {
          const resolved = this.resolveExpr(param.depends, fn.parent < 0 ? 0 : fn.parent, line, depth + 1);
          if (resolved.value && !resolved.value.startsWith('?')) return { value: `${resolved.value}()`, resolution: 'binding' };
        }
        return UNKNOWN;
      }
      const imported = this.importsByScope.get(f)?.get(name);
      if (imported) return { value: imported, resolution: 'import' };
      const def = fn.raw.defs.get(name);
      if (def) return { value: this.prefix + def, resolution: 'local-def' };
      const binding = bindings && pickBinding(bindings, line);
      if (binding) {
        if (!binding.value) return UNKNOWN;
        const resolved = this.resolveExpr(binding.value, f, binding.line, depth + 1);
        return resolved.value ? { value: valueOf(resolved), resolution: 'binding' } : UNKNOWN;
      }
    }
    // Module scope.
    const imported = this.importsByScope.get(0)?.get(name);
    if (imported) return { value: imported, resolution: 'import' };
    const module = fns[0];
    const def = module.raw.defs.get(name);
    if (def) return { value: this.prefix + def, resolution: 'local-def' };
    const moduleBindings = this.bindingsOf(0, name);
    const binding = moduleBindings && pickBinding(moduleBindings, Number.MAX_SAFE_INTEGER);
    if (binding) {
      if (!binding.value) return UNKNOWN;
      const resolved = this.resolveExpr(binding.value, 0, binding.line, depth + 1);
      return resolved.value ? { value: resolved.value, resolution: 'binding' } : UNKNOWN;
    }
    // Imports made inside some function bind nothing here; names bound by any function's
    // `global` declaration are unknown rather than unbound.
    if (BUILTINS.has(name)) return { value: name, resolution: 'builtin' };
    // With one star import, an unbound name most likely comes from it (`from peewee import *`).
    if (this.starSources.length === 1) return { value: `${this.starSources[0]}.${name}`, resolution: 'import' };
    if (this.hasStarImport) return UNKNOWN;
    return { value: '', resolution: 'unbound' };
  }
}

/**
 * The bindings of one name in one function, in source order, with what answers "the last one
 * at or before line L" and "the first one after L" by binary search, whatever the order of
 * their lines (loop targets carry line 0): `suffixMin[i]` is the least line from i on (it
 * grows with i), `prefixMax[i]` the greatest line up to i (it grows too).
 */
interface Bindings {
  list: RawBinding[];
  suffixMin: number[];
  prefixMax: number[];
}

function indexBindings(list: RawBinding[]): Bindings {
  const n = list.length;
  const suffixMin = new Array<number>(n);
  const prefixMax = new Array<number>(n);
  for (let i = n - 1, min = Infinity; i >= 0; i--) suffixMin[i] = min = Math.min(min, list[i].line);
  for (let i = 0, max = -Infinity; i < n; i++) prefixMax[i] = max = Math.max(max, list[i].line);
  return { list, suffixMin, prefixMax };
}

/** The binding in effect at `line`: the last one (in source order) at or before it, else the first after it. */
function pickBinding(bindings: Bindings, line: number): RawBinding | undefined {
  const { list, suffixMin, prefixMax } = bindings;
  // The largest i with suffixMin[i] <= line is the last binding at or before `line`.
  let lo = 0;
  let hi = list.length - 1;
  let before = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (suffixMin[mid] <= line) {
      before = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (before >= 0) return list[before];
  // The smallest i with prefixMax[i] > line is the first binding after it.
  lo = 0;
  hi = list.length - 1;
  let after = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (prefixMax[mid] > line) {
      after = mid;
      hi = mid - 1;
    } else lo = mid + 1;
  }
  return after >= 0 ? list[after] : undefined;
}

type IterableTarget = Pick<LoopFact, 'iter' | 'size' | 'subject' | 'origin' | 'value'>;

/** A function's facts as they leave this stage: without `raw`, each call and argument without its absent members. */
function handedOn({ raw: _raw, ...fn }: RawFunction): FunctionFact {
  fn.calls = fn.calls.map(callHandedOn);
  if (fn.reads) fn.reads = fn.reads.map(callHandedOn);
  return fn;
}

/**
 * `call` with only the members it has: the walk makes every call and argument with all of them,
 * undefined when absent (see newCall in extract.ts), and facts compare and travel without them.
 */
function callHandedOn(call: CallFact): CallFact {
  const out: CallFact = {
    callee: call.callee, target: call.target, line: call.line, column: call.column, endLine: call.endLine, endColumn: call.endColumn,
    args: call.args.length === 0 ? call.args : call.args.map(argHandedOn),
  };
  if (call.awaited) out.awaited = true;
  if (call.loop !== undefined) out.loop = call.loop;
  if (call.once) out.once = true;
  if (call.perInstance) out.perInstance = true;
  if (call.onError) out.onError = true;
  if (call.resolution !== undefined) out.resolution = call.resolution;
  if (call.condition !== undefined) out.condition = call.condition;
  return out;
}

function argHandedOn(arg: ArgFact): ArgFact {
  const out: ArgFact = { kind: arg.kind };
  if (arg.keyword !== undefined) out.keyword = arg.keyword;
  if (arg.text !== undefined) out.text = arg.text;
  if (arg.lambda !== undefined) out.lambda = arg.lambda;
  if (arg.target !== undefined) out.target = arg.target;
  return out;
}
