/**
 * ModuleFacts: everything later stages know about one Python file, as plain JSON.
 *
 * Stage: facts. Produced inside a parse worker from one syntax tree; the tree itself never
 * leaves the worker. Every later stage (graph, classify, rules) reads only these facts.
 * Lines are 1-based; columns are 1-based and count UTF-16 code units of the source text.
 */

/** A source range. */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** One name bound by an import statement. */
export interface ImportFact {
  /** Name bound in the importing scope: `c` for `import a.b as c`, `a` for `import a.b`. */
  local: string;
  /** Absolute dotted name it stands for: `a.b` for `import a.b as c`, `a` for `import a.b`. */
  target: string;
  line: number;
  /** Index into `ModuleFacts.functions` of the scope holding the import (0 = module body). */
  scope: number;
  /** `from m import *`: `local` is `*`, `target` is `m`. */
  star?: boolean;
}

/** What a call passes on as one argument. */
export interface ArgFact {
  /** Keyword name for `k=v` arguments. */
  keyword?: string;
  /**
   * `ref`: a plain or dotted name (a function, possibly); `lambda`: a lambda (see `lambda`);
   * `call`: a call expression; `none`/`true`/`false`: that literal; `literal`: other literals;
   * `splat`: `*a`/`**k`; `other`: anything else.
   */
  kind: 'ref' | 'lambda' | 'call' | 'none' | 'true' | 'false' | 'literal' | 'splat' | 'other';
  /**
   * For `ref`: the name as written; for `call`: the normalised callee; for a `literal` that is a
   * short plain string (`"/proc/stat"`, `"json"`) or a decimal integer (`600_000`): its value.
   */
  text?: string;
  /** For `ref` and `call`: the resolved target (see `CallFact.target`). */
  target?: string;
  /** For `lambda`: index of the lambda's FunctionFact. */
  lambda?: number;
}

/** How the head name of a callee was resolved inside its module. */
export type Resolution =
  /** Through an import binding (`import requests`, `from x import y as z`). */
  | 'import'
  /** A def or class of this module (module level or enclosing function). */
  | 'local-def'
  /** A local variable whose value is known (`s = requests.Session()`, `with open() as f`, `p: Path`). */
  | 'binding'
  /** `self.x`/`cls.x` inside a method: `target` starts with the class's qualified name. */
  | 'self'
  /** `super().m` inside a method: `target` is `<class>.<m>`, looked up from the bases. */
  | 'super'
  /** A Python builtin (`open`, `input`, `map`). */
  | 'builtin'
  /** A name bound nowhere in the file: the text itself, matched at lower confidence. */
  | 'unbound'
  /** Bound to something whose value cannot be known (a parameter, a loop variable). */
  | 'unknown';

/**
 * One call expression. Its span's members are its own (a call's `line` is the line it starts on):
 * calls are most of the facts, and a span object for each took an eighth of their memory.
 */
export interface CallFact extends Span {
  /** The callee as written, whitespace removed, argument lists folded to `()`, subscripts to `[]`. */
  callee: string;
  /**
   * The callee's absolute dotted name where it can be known in this module: `requests.get`,
   * `requests.Session().get` (a method of an instance made by calling `requests.Session`),
   * `app.util.digest`, `app.models.Repo.save` (for `self.save` in class `Repo`). A receiver bound
   * to something unknowable (a parameter) is `?`: `?.run_in_executor`. Empty when unknown.
   */
  target: string;
  /** How `target` was found; absent means `unknown` (absent fields keep facts small). */
  resolution?: Resolution;
  /** The call is the operand of `await` (absent: it is not). */
  awaited?: true;
  /** Index into the function's `loops` of the innermost enclosing loop; absent outside loops. */
  loop?: number;
  /**
   * Made under a lazy-initialisation guard (`if _cache is None: _cache = build()`), so it runs
   * once per process; absent otherwise.
   */
  once?: true;
  /**
   * The guard tests an attribute of `self` (`if self._rows is None:`), so what it keeps to one run
   * runs once per instance: once per process only if the instances live as long (see
   * graph/lifetime.ts). Set only with `once`.
   */
  perInstance?: true;
  /**
   * Made in an `except` clause of its function (the handler or its exception types): it runs when
   * the work it guards fails, not on every call. Absent otherwise.
   */
  onError?: true;
  /**
   * Made where tests of its function's parameters decide whether it runs: in a branch of
   * `if isinstance(param, T):`, `if param:`, `if param is None:` (or an `elif`, an `else`, a test
   * joined with `and`/`or`/`not`), or after `if not param: return`. `types` are resolved where
   * they can be. Absent: no such test decides whether it runs.
   */
  condition?: RunCondition;
  args: ArgFact[];
}

/**
 * A function's calls, in source order. Where the facts are made this is an array; once they have
 * crossed threads it is a range of the module's call columns (facts/call-table.ts), whose calls
 * are read-only views made on each read: compare calls with `sameCall` (call-table.ts), never by identity.
 */
export interface Calls extends Iterable<CallFact> {
  readonly length: number;
  at(index: number): CallFact | undefined;
  some(test: (call: CallFact, index: number) => unknown): boolean;
  find(test: (call: CallFact, index: number) => unknown): CallFact | undefined;
  forEach(visit: (call: CallFact, index: number) => void): void;
  map<T>(convert: (call: CallFact, index: number) => T): T[];
  filter(test: (call: CallFact, index: number) => unknown): CallFact[];
}

/** What a parameter's literal default value is (see FunctionFact.params). */
export type ParamDefault = 'none' | 'false' | 'true' | 'empty' | 'value';

/** A test of a parameter in a condition (see CallFact.condition), and the outcome `runsWhen` that the condition asks of it. */
export interface TypeTest {
  param: string;
  /** The classes of an `isinstance` test; empty for a test of the value. */
  types: string[];
  /** A test of the value: `param is None` (`none`) or `param` alone (`truthy`); absent for `isinstance`. */
  value?: 'none' | 'truthy';
  runsWhen: boolean;
}

/**
 * When a call runs, as far as tests of its function's parameters tell: every clause holds, and a
 * clause holds when any one of its tests has the outcome it asks for (`if a and not b:` is two
 * clauses of one test, the `else` of `if a and b:` one clause of two tests).
 */
export type RunCondition = readonly (readonly TypeTest[])[];

/** A local (or module-level) name whose value is known well enough to resolve calls through it. */
export interface BindingFact {
  name: string;
  /** Resolved dotted value: `requests.Session()` for an instance, `app.util.f` for an alias. */
  value: string;
  line: number;
}

/**
 * A function's bindings, in source order. Where the facts are made this is an array; once they
 * have crossed threads it is a flat list whose bindings are views made on each read (see
 * facts/binding-list.ts): compare bindings by their members, never by identity.
 */
export interface Bindings extends Iterable<BindingFact> {
  readonly length: number;
  at(index: number): BindingFact | undefined;
  some(test: (binding: BindingFact, index: number) => unknown): boolean;
  find(test: (binding: BindingFact, index: number) => unknown): BindingFact | undefined;
  filter(test: (binding: BindingFact, index: number) => unknown): BindingFact[];
  map<T>(convert: (binding: BindingFact, index: number) => T): T[];
}

/** A loop or comprehension, with the kinds of work found in its body. */
export interface LoopFact {
  kind: 'for' | 'while' | 'comprehension';
  line: number;
  column: number;
  endLine: number;
  /** Nesting depth within the function, 1 for an outermost loop. */
  depth: number;
  /** Arithmetic, bitwise and unary operators. */
  arithmetic: number;
  /** Subscripts (`a[i]`). */
  subscripts: number;
  /** Comparisons and boolean operators. */
  comparisons: number;
  /** Augmented assignments (`x += 1`). */
  augmented: number;
  /** Calls made in the body. */
  calls: number;
  /** `await` expressions in the body (an awaiting loop is not CPU work). */
  awaits: number;
  /** `range(N)` bound when it is an integer literal (the largest seen). */
  rangeBound?: number;
  /** Assignments in the body, each unpacked name counted (`a, b = pair` is 2). */
  assignments: number;
  /**
   * What the loop runs over: a `for` loop's or comprehension's iterable, a `while` loop's
   * condition, as compact source text (whitespace collapsed, at most 120 characters).
   */
  iter?: string;
  /** Passes known from the source: a literal's length, a constant `range`, a name bound to a literal. */
  size?: number;
  /**
   * The collection the passes come from, wrappers removed: `rows` for `enumerate(rows)`,
   * `sorted(rows.items())` and `range(len(rows))`.
   */
  subject?: string;
  /**
   * Where the subject's first name comes from: a parameter of the function (or of an enclosing
   * one), the `*args` or `**kwargs` of one (the arguments one call writes out), a variable of an
   * enclosing loop (an element of another collection), a module-level constant (bound to a
   * literal, or named in capitals), or a local name bound to a call.
   */
  origin?: 'param' | 'arguments' | 'element' | 'constant' | 'local';
  /** The subject resolved to an absolute value where known (`sqlite3.connect().execute().fetchall()`). */
  value?: string;
  /** Runs under a lazy-initialisation guard, so once per process (see CallFact.once); absent otherwise. */
  once?: true;
  /** The guard is on an attribute of `self`: once per instance (see CallFact.perInstance). */
  perInstance?: true;
  /** In an `except` clause: runs when the work it guards fails (see CallFact.onError); absent otherwise. */
  onError?: true;
  /**
   * A `for` or `while` loop that leaves on its first pass: its body's last statement returns,
   * breaks or raises, and the body never continues. Absent otherwise.
   */
  onePass?: true;
  /** Names the loop binds (`for key, value in ...`). */
  vars?: string[];
  /** A comprehension's further `for` clauses (`[c for row in rows for c in row]`), each a pass inside the previous. */
  clauses?: { iter: string; size?: number; subject?: string; origin?: LoopFact['origin']; value?: string; vars?: string[] }[];
}

/** A function, method, lambda or the module body (index 0). */
export interface FunctionFact {
  name: string;
  /** Qualified name inside the module: `Repo.save`, `outer.inner`, `outer.<lambda:12>`, `<module>`. */
  qualname: string;
  kind: 'module' | 'def' | 'lambda';
  isAsync: boolean;
  span: Span;
  /** Enclosing function's index, or -1 for the module body. */
  parent: number;
  /** Qualified name of the class this is a method of (directly in its body), else empty. */
  className: string;
  /** Decorators as normalised callee text, resolved where possible: `app.task`, `functools.lru_cache`. */
  decorators: string[];
  /**
   * `depends`: the callable of a `= Depends(get_db)` default, whose result the framework passes;
   * `variadic`: `*args` or `**kwargs` (the name without its stars).
   */
  /**
   * `default`: what a literal default value is (None, False, True, an empty or zero literal, any
   * other literal); absent without a default or for any other expression.
   */
  params: { name: string; annotation?: string; depends?: string; variadic?: true; default?: ParamDefault }[];
  /** Read by position, as an array where the facts are made and as columns once they cross threads (see facts/call-table.ts). */
  calls: Calls;
  bindings: Bindings;
  /**
   * Resolved values this function returns (`return sqlite3.connect(...)` gives `sqlite3.connect()`);
   * for a `@contextmanager` function, the values it yields (what its `with` statement gives).
   */
  returns: string[];
  /**
   * Attribute reads on instances (`self.items`, `svc.repo`), resolved like callees: a read of a
   * property runs its getter. Absent when there are none.
   */
  reads?: CallFact[];
  loops: LoopFact[];
  /** Number of `await`, `async for` and `async with` in the body. */
  awaits: number;
  /** Arithmetic, comparison and subscript operations anywhere in the body. */
  ops: number;
  /** Contains `yield`. */
  isGenerator: boolean;
  /**
   * Assigns a module global it declares (`global _client; if _client is None: _client = make()`,
   * `global _loaded; if _loaded: return; ...; _loaded = True`): lazily initialised module state,
   * whose expensive work runs once. Absent: no.
   */
  initOnce?: true;
  /**
   * Parameters the body binds again (`icon = icon or DEFAULT`, a loop variable of that name):
   * passed on after that, such a name no longer holds what the caller gave. Absent: none.
   */
  rebound?: string[];
}

export interface ClassFact {
  name: string;
  /** Qualified name inside the module. */
  qualname: string;
  /** Bases resolved to absolute dotted names where possible, else as written. */
  bases: string[];
  span: Span;
  decorators: string[];
  /** The metaclass as written (`metaclass=Singleton`); absent when none is named. */
  metaclass?: string;
  /** Attributes with known values: `self.db = sqlite3.connect()` in any method, or class-level. */
  attributes: Bindings;
}

/** A `# noqa` / `# gil-audit: ignore[...]` comment. */
export interface SuppressionFact {
  line: number;
  /** Codes named (`GA101`, `ASYNC251`); empty means every rule. */
  codes: string[];
}

/** A problem found while reading or parsing the file. The file is still analysed where possible. */
export interface FileIssue {
  /**
   * `syntax` (tree-sitter recovered), `encoding`, `binary`, `too-large`, `unreadable`, `limit`
   * (the file would record absurdly many facts: it was analysed up to a bound).
   */
  kind: 'syntax' | 'encoding' | 'binary' | 'too-large' | 'unreadable' | 'limit';
  message: string;
  line?: number;
}

/** A write, inside a function, to a name that may be shared between threads (see facts/shared-state.ts). */
export interface StateWrite {
  /** Start of the enclosing `def` (its FunctionFact's span start). */
  defLine: number;
  defColumn: number;
  /** What is written, as written: `CACHE`, `self.items`, `Registry.count`, `os.environ`. */
  target: string;
  /** `X[k] = v`, `del X[k]`, `X.append(v)`, `global x; x = v`, `x += 1` / `X[k] += 1` / `C.n += 1`. */
  how: 'subscript' | 'del' | 'method' | 'augmented' | 'rebind';
  /** For `method`: which one (`append`, `setdefault`). */
  method?: string;
  line: number;
  column: number;
  /** Inside a `with` that takes a lock. */
  locked?: true;
  /** Inside an `if` whose condition reads the same target (check-then-act, lazy initialisation). */
  guarded?: true;
  /** The target is a module global declared with `global` in the function. */
  global?: true;
}

/** Mutable containers at module or class level, and writes to possibly shared names in functions. */
export interface SharedStateFacts {
  /** `CACHE = {}` at module level, `items = []` in a class body (`cls` names the class). */
  containers: { name: string; kind: string; line: number; cls?: string }[];
  writes: StateWrite[];
  /** Lines of calls and loops run while a lock is held (`with lock:`, or between `acquire()` and `release()`). */
  lockedLines?: number[];
  /**
   * Class-level containers a method of the module replaces on `self` (`seen = {}` in the class,
   * `self.seen = {}` in a method): each instance writes its own, not the shared default.
   */
  shadowed?: string[];
  /**
   * Lines of calls inside `with warnings.catch_warnings():`. Its filters are the context's own on
   * free-threaded 3.14+ (`sys.flags.context_aware_warnings`, on by default there).
   */
  warningsScopeLines?: number[];
}

export interface ModuleFacts {
  /** Path relative to the audit root, `/` separated. */
  path: string;
  /** Dotted module name derived from the path (`app/db/__init__.py` gives `app.db`). */
  module: string;
  isPackage: boolean;
  lines: number;
  bytes: number;
  imports: ImportFact[];
  classes: ClassFact[];
  /** Index 0 is the module body. */
  functions: FunctionFact[];
  suppressions: SuppressionFact[];
  issues: FileIssue[];
  /** Async libraries imported by the module: `asyncio`, `trio`, `anyio`. */
  asyncLibraries: string[];
  /** Has an `if __name__ == "__main__":` block. */
  hasMainGuard: boolean;
  /** Lines of that block (first and last), when there is one. */
  mainGuard?: [number, number];
  /** Shared mutable state and writes to it; absent when the file has none. */
  sharedState?: SharedStateFacts;
  /**
   * Names (the last part: `q` for `self.q`) assigned a thread queue made with a size
   * (`queue.Queue(maxsize=100)`, `Queue(10)`): only their `put` can wait. Absent when none.
   */
  boundedQueues?: string[];
  /**
   * Names (the last part, as for `boundedQueues`) assigned a datagram socket
   * (`socket.socket(socket.AF_INET, socket.SOCK_DGRAM)`): its `connect` sends nothing. Absent when none.
   */
  datagramSockets?: string[];
  /**
   * Names (the last part, as for `boundedQueues`) assigned a connection to an in-memory SQLite
   * database (`sqlite3.connect(":memory:")`), and those assigned any other database connection
   * (`sqlite3.connect(path)`, `psycopg2.connect(dsn)`): a name in both may be either. Absent when none.
   */
  memoryDatabases?: string[];
  otherDatabases?: string[];
  /**
   * Compiled by Cython in pure-Python mode, so an extension module (a `# cython:` header comment,
   * a `cython.cimports` import, or `@cython.cclass`/`cfunc`/`ccall`): its header line, if any,
   * and whether the header declares `freethreading_compatible=True`. Absent otherwise.
   */
  cython?: { header?: Span; declares: boolean };
}
