/**
 * What runs on the event loop's thread, and which calls hand work to a worker thread instead.
 *
 * Stage: classify. Input: the ProjectIndex, the catalogue, the entry points and the user's
 * offload wrappers; output, per function: whether it runs on the loop (a coroutine, or a sync
 * function the loop calls: a Home Assistant `@callback`, a `call_soon`/`call_later` callback),
 * and whether calling it runs it in a worker thread (it is decorated with an offload API, such
 * as asgiref's `sync_to_async`, or with a project wrapper). A project wrapper is a function that
 * hands one of its parameters to an offload API (`asyncio.to_thread`, `run_in_executor`,
 * `hass.async_add_executor_job`, ...) or to another wrapper; each wrapper found is followed to
 * its callers, so wrappers of wrappers count. FastAPI/Starlette run sync `def` handlers and
 * dependencies in a thread pool, so only coroutines among them are on the loop.
 */
import { sameCall } from '../facts/call-table.js';
import type { ArgFact, CallFact } from '../facts/types.js';
import { bindsFirstParameter } from '../facts/arguments.js';
import type { FunctionNode, ProjectIndex } from '../graph/index.js';
import type { Catalogue } from './catalogue.js';
import type { EntryPoints } from './entry-points.js';
import type { UserApis } from './user-apis.js';

/** A project function that runs one of its arguments in a worker thread. */
export interface OffloadWrapper {
  /** Position of the function among the call's positional arguments. */
  argument: number;
  /** The wrapper's qualified name, for reports. */
  via: string;
}

const PARTIAL = new Set(['functools.partial', 'functools.partialmethod']);
/** Decorators that keep a sync function sync (caches, descriptors, registration, typing). */
const TRANSPARENT = /^(?:functools\.(?:lru_cache|cache|wraps|singledispatch|cached_property)|staticmethod|classmethod|property|cached_property|.*\.setter|.*\.getter|.*\.deleter|abc\.abstractmethod|typing\.(?:overload|final|override)|typing_extensions\.\w+|contextlib\.contextmanager|homeassistant\.core\.callback)$/;
/** At most this many wrappers are followed to their callers (a bound on pathological projects). */
const WRAPPER_LIMIT = 10_000;

/** Project functions that hand one of their parameters to an offload API or another wrapper. */
export function findWrappers(index: ProjectIndex, catalogue: Catalogue, user?: UserApis): Map<number, OffloadWrapper> {
  const wrappers = new Map<number, OffloadWrapper>();
  const configured = (name: string) => user?.offloadWrappers.some((w) => w.regex.test(name)) ?? false;
  const found: number[] = [];
  const examine = (node: FunctionNode, call: CallFact, where: { argument?: number; keyword?: string }) => {
    const name = handedName(index, node, call, functionArgument(call.args, where));
    if (!name) return;
    const owner = paramOwner(index, node, name);
    if (!owner || wrappers.has(owner.node.id)) return;
    wrappers.set(owner.node.id, { argument: owner.argument, via: owner.node.fqn });
    found.push(owner.node.id);
  };
  for (const node of index.functions) {
    if (node.fact.kind === 'def' && (configured(node.fqn) || configured(index.importName(node.fqn)))) {
      wrappers.set(node.id, { argument: 0, via: node.fqn });
      found.push(node.id);
    }
  }
  // Calls of offload APIs, then (a worklist) calls of each wrapper found: wrappers of wrappers.
  for (const node of index.functions) {
    index.eachTarget(node.id, (target, i) => {
      if (target.kind !== 'external') return;
      const where = catalogue.match(target.name, 'offload')?.entry.function ?? (configured(target.name) ? { argument: 0 } : undefined);
      if (where) examine(node, node.fact.calls.at(i)!, where);
    });
  }
  for (let head = 0; head < found.length && head < WRAPPER_LIMIT; head++) {
    const wrapper = wrappers.get(found[head])!;
    for (const edge of index.callers[found[head]]) examine(index.functions[edge.from], edge.call, wrapper);
  }
  return wrappers;
}

export class LoopContext {
  /** Per function id: it runs on the event loop's thread. */
  readonly onLoop: boolean[];
  /** Per function id: calling it runs it in a worker thread (an offload decorator). */
  readonly offloaded: boolean[];
  /**
   * Per function id: a sync function with a decorator that may replace it (not a known
   * transparent one such as `functools.lru_cache`). Awaiting its call shows the decorator made it
   * a coroutine function (`@run_in_executor`-style helpers of libraries the catalogue does not
   * know), so an awaited call of one is not taken as running its body on the loop.
   */
  readonly rewrapped: boolean[];

  constructor(index: ProjectIndex, catalogue: Catalogue, entries: EntryPoints, readonly wrappers: Map<number, OffloadWrapper>, user?: UserApis) {
    this.onLoop = index.functions.map((node) => node.fact.isAsync || (node.fact.kind !== 'module' && entries.byFunction[node.id].some((e) => e.kind === 'async-task')));
    this.offloaded = index.functions.map((node) => node.fact.decorators.some((d) => this.offloads(index, catalogue, d, user)));
    this.rewrapped = index.functions.map((node) => !node.fact.isAsync && node.fact.decorators.some((d) => !TRANSPARENT.test(d.replace(/\(\)$/, ''))));
  }

  /** A decorator that makes calls of the function run in a worker thread. */
  private offloads(index: ProjectIndex, catalogue: Catalogue, decorator: string, user?: UserApis): boolean {
    // `@sync_to_async` and `@sync_to_async(thread_sensitive=True)` alike; `@make_offloader(pool)`
    // is the decorator its factory returns.
    for (const text of new Set([decorator, decorator.replace(/\(\)$/, '')])) {
      const resolved = index.resolve(text);
      if (resolved.kind === 'external') {
        const entry = catalogue.match(resolved.name, 'offload')?.entry;
        if (entry?.function?.argument === 0 && entry.runs !== 'process') return true;
        if (user?.offloadWrappers.some((w) => w.regex.test(resolved.name))) return true;
      } else if (resolved.kind === 'function' && this.wrappers.get(resolved.id)?.argument === 0) return true;
    }
    return false;
  }
}

/** The argument holding the function: by keyword first, else by position among positional ones. */
function functionArgument(args: ArgFact[], where: { argument?: number; keyword?: string }): ArgFact | undefined {
  if (where.keyword) {
    const byKeyword = args.find((a) => a.keyword === where.keyword);
    if (byKeyword) return byKeyword;
  }
  if (where.argument === undefined) return undefined;
  return args.filter((a) => !a.keyword && a.kind !== 'splat')[where.argument];
}

/**
 * The plain name handed over as the function: `fn`, `functools.partial(fn, ...)`, or the name a
 * lambda calls (`lambda: fn(*args)`).
 */
function handedName(index: ProjectIndex, node: FunctionNode, call: CallFact, arg: ArgFact | undefined): string | undefined {
  if (!arg) return undefined;
  const plain = (text: string | undefined) => (text && /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) ? text : undefined);
  if (arg.kind === 'ref') return plain(arg.text);
  if (arg.kind === 'call' && arg.target && PARTIAL.has(arg.target)) {
    const inner = node.fact.calls.find((c) => !sameCall(c, call) && c.callee === arg.text && c.line >= call.line && c.endLine <= call.endLine);
    return plain(inner?.args.find((a) => !a.keyword)?.text);
  }
  if (arg.kind === 'lambda' && arg.lambda !== undefined) {
    const lambda = index.functionByFqn(`${node.module.module}.${node.module.functions[arg.lambda].qualname}`);
    const params = new Set(lambda?.fact.params.map((p) => p.name));
    return lambda?.fact.calls.map((c) => plain(c.callee)).find((name) => name !== undefined && !params.has(name));
  }
  return undefined;
}

/** The function (this one or one enclosing it) whose parameter `name` is, and its position at call sites. */
function paramOwner(index: ProjectIndex, node: FunctionNode, name: string): { node: FunctionNode; argument: number } | undefined {
  for (let current: FunctionNode | undefined = node; current && current.fact.kind !== 'module'; ) {
    const params = current.fact.params;
    const position = params.findIndex((p) => p.name === name);
    if (position >= 0) {
      if (current.fact.kind !== 'def') return undefined;
      const argument = bindsFirstParameter(current.fact) ? position - 1 : position;
      return argument >= 0 ? { node: current, argument } : undefined;
    }
    // A name the function binds itself is not the enclosing function's parameter.
    if (current.fact.bindings.some((b) => b.name === name)) return undefined;
    const parent: number = current.fact.parent;
    current = parent >= 0 ? index.functionByFqn(`${current.module.module}.${current.module.functions[parent].qualname}`) : undefined;
  }
  return undefined;
}
