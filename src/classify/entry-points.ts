/**
 * Where functions are started concurrently or served: thread and process spawns, executor
 * submissions, `to_thread`/`run_in_executor`, async tasks, request handlers, task-queue tasks,
 * the `run` method of Thread and Process subclasses, generator bodies handed to a streaming
 * response, and the `__main__` block.
 *
 * Stage: classify. Input: the ProjectIndex and the catalogue's `offload` and `entry-point`
 * entries; output: one Spawn per call that hands a function over (with the function resolved
 * through names, lambdas, `functools.partial` objects, also when kept in a local, and generator
 * objects), and the entry points of every function.
 */
import { sameCall } from '../facts/call-table.js';
import type { ArgFact, CallFact } from '../facts/types.js';
import type { EntryPoint } from '../model/types.js';
import type { FunctionNode, ProjectIndex } from '../graph/index.js';
import type { Catalogue, CatalogueEntry } from './catalogue.js';

/** A call that hands a function to a thread, a process, an executor, a task runner. */
export interface Spawn {
  kind: EntryPoint['kind'];
  /** The function making the call, and the call. */
  caller: FunctionNode;
  call: CallFact;
  /** The API, canonical (`concurrent.futures.ThreadPoolExecutor().submit`). */
  via: string;
  entry: CatalogueEntry;
  /** Where the function runs: decided by the API or its executor argument. */
  runs: 'thread' | 'process' | 'unknown' | 'none';
  /** The project function that runs, if known (a lambda counts, as a function). */
  target?: FunctionNode;
  /** How the target was written: `f`, `lambda`, `functools.partial(f, ...)`, a call, a subclass's method. */
  wrapper: 'name' | 'lambda' | 'partial' | 'call' | 'subclass';
  /** What is passed, as written. */
  targetText: string;
  /** Why the target cannot be pickled for a process, when it cannot. */
  unpicklable?: string;
}

const PARTIAL = new Set(['functools.partial', 'functools.partialmethod']);
const NO_ENTRIES: readonly EntryPoint[] = Object.freeze([]);

export class EntryPoints {
  readonly spawns: Spawn[] = [];
  /**
   * Entry points per function id. Most functions have none: they share one frozen empty list
   * (one list each came to 10 MB on 5 M lines), replaced on the first entry point (see `add`).
   */
  readonly byFunction: (readonly EntryPoint[])[];

  /** `wrappers`: project functions that run an argument in a worker thread (see loop.ts). */
  constructor(readonly index: ProjectIndex, catalogue: Catalogue, wrappers?: Map<number, { argument: number; via: string }>) {
    this.byFunction = new Array<readonly EntryPoint[]>(index.functions.length).fill(NO_ENTRIES);
    for (const node of index.functions) {
      index.eachTarget(node.id, (target, i) => {
        const wrapper = target.kind === 'function' ? wrappers?.get(target.id) : undefined;
        if (wrapper) {
          const entry: CatalogueEntry = {
            kind: 'offload', effect: 'offload', calls: [wrapper.via], label: `the project's offload wrapper \`${wrapper.via}\``,
            equivalents: [], function: { argument: wrapper.argument }, runs: 'thread', entry: 'to-thread', source: 'project',
          };
          this.record(node, node.fact.calls.at(i)!, wrapper.via, entry);
          return;
        }
        if (target.kind !== 'external') return;
        // A name can be both a base class (Thread subclasses) and a call taking a function (Thread(target=f)).
        const match = catalogue.matches(target.name).find((m) => (m.entry.effect === 'offload' || m.entry.effect === 'entry-point') && m.entry.function);
        if (!match) return;
        const entry = match.entry;
        if (!entry.function) return;
        this.record(node, node.fact.calls.at(i)!, target.name, entry);
      });
      this.decoratorEntries(node, catalogue);
    }
    this.subclassEntries(catalogue);
    this.mainEntries();
    this.djangoViews();
  }

  private record(node: FunctionNode, call: CallFact, via: string, entry: CatalogueEntry): void {
    const spawn = this.spawnOf(node, call, via, entry);
    if (!spawn) return;
    this.spawns.push(spawn);
    if (spawn.target) this.add(spawn.target.id, { kind: spawn.kind, file: node.module.path, line: call.line, via });
  }

  private spawnOf(node: FunctionNode, call: CallFact, via: string, entry: CatalogueEntry): Spawn | undefined {
    const arg = functionArgument(call.args, entry.function!);
    if (!arg) return undefined;
    const spawn: Spawn = {
      kind: entry.entry ?? 'thread', caller: node, call, via, entry, runs: this.runsOn(call, entry),
      wrapper: 'name', targetText: arg.text ?? '',
    };
    if (arg.kind === 'lambda' && arg.lambda !== undefined) {
      spawn.wrapper = 'lambda';
      spawn.targetText = 'lambda';
      spawn.target = this.index.functionByFqn(`${node.module.module}.${node.module.functions[arg.lambda].qualname}`);
      spawn.unpicklable = 'a lambda cannot be pickled';
    } else if (arg.kind === 'ref' && arg.target) {
      spawn.target = this.resolveFunction(arg.target);
      const partial = spawn.target ? undefined : this.partialInLocal(node, arg.text ?? '', call);
      if (partial) {
        // `job = functools.partial(f, x); pool.submit(job)`: the partial object kept in a local.
        this.partialTarget(node, spawn, partial);
      } else if (!spawn.target && arg.target.endsWith('()')) {
        // `body = stream_rows(q); StreamingResponse(body)`: a generator object kept in a local.
        const generator = this.resolveFunction(arg.target.slice(0, -2));
        if (generator?.fact.isGenerator) {
          spawn.target = generator;
          spawn.wrapper = 'call';
        }
      }
    } else if (arg.kind === 'call' && arg.target) {
      const resolved = this.index.resolve(arg.target);
      if (resolved.kind === 'external' && PARTIAL.has(resolved.name)) {
        // functools.partial(f, ...): the partial call is itself among the caller's calls.
        const inner = node.fact.calls.find((c) => !sameCall(c, call) && c.callee === arg.text && c.line >= call.line && c.endLine <= call.endLine);
        this.partialTarget(node, spawn, inner);
      } else {
        // A coroutine call handed to a task runner (`asyncio.create_task(worker(q))`), or a
        // generator object handed to whatever iterates it (`StreamingResponse(rows())`).
        spawn.wrapper = 'call';
        spawn.target = resolved.kind === 'function' ? this.index.functions[resolved.id] : undefined;
      }
    }
    // An async function (or async generator) handed to a thread API runs on an event loop, not on the thread.
    if (spawn.target?.fact.isAsync && spawn.wrapper === 'call' && spawn.runs === 'thread') {
      spawn.kind = 'async-task';
      spawn.runs = 'none';
    }
    if (spawn.target && !spawn.unpicklable) {
      const fact = spawn.target.fact;
      if (fact.kind === 'lambda') spawn.unpicklable = 'a lambda cannot be pickled';
      else if (fact.parent > 0 && fact.className) spawn.unpicklable = `\`${fact.qualname}\` is a method of a class defined inside a function, which cannot be pickled`;
      else if (fact.parent > 0) spawn.unpicklable = `\`${fact.qualname}\` is a nested function (a closure), which cannot be pickled`;
    }
    return spawn;
  }

  /** The `functools.partial(...)` call bound to local `name` before `call`, if there is one. */
  private partialInLocal(node: FunctionNode, name: string, call: CallFact): CallFact | undefined {
    const binding = node.fact.bindings.filter((b) => b.name === name && b.line <= call.line).pop();
    if (!binding || !PARTIAL.has(binding.value.replace(/\(\)$/, ''))) return undefined;
    return node.fact.calls.find((c) => c.line === binding.line && PARTIAL.has(this.externalName(c.target)));
  }

  private externalName(target: string): string {
    const resolved = this.index.resolve(target);
    return resolved.kind === 'external' ? resolved.name : '';
  }

  /** Fills the spawn's target from a `functools.partial(f, ...)` call. */
  private partialTarget(node: FunctionNode, spawn: Spawn, inner: CallFact | undefined): void {
    spawn.wrapper = 'partial';
    const first = inner?.args.find((a) => !a.keyword);
    spawn.targetText = `functools.partial(${first?.text ?? '...'}, ...)`;
    if (first?.kind === 'lambda' && first.lambda !== undefined) {
      spawn.target = this.index.functionByFqn(`${node.module.module}.${node.module.functions[first.lambda].qualname}`);
      spawn.unpicklable = 'it wraps a lambda, which cannot be pickled';
    } else if (first?.kind === 'ref' && first.target) spawn.target = this.resolveFunction(first.target);
  }

  /**
   * `class Worker(threading.Thread)` with `def run(self)`: `run` runs on its own thread (or
   * process) when the object is started. A spawn stands at the class line.
   */
  private subclassEntries(catalogue: Catalogue): void {
    const seen = new Set<number>();
    for (const cls of this.index.classes.values()) {
      const mro = this.index.mro(cls);
      let found: CatalogueEntry | undefined;
      let via = '';
      for (const c of mro) {
        for (const base of c.fact.bases) {
          const entry = catalogue.match(base, 'entry-point')?.entry;
          if (entry?.subclass) {
            found = entry;
            via = base;
            break;
          }
        }
        if (found) break;
      }
      if (!found) continue;
      const method = mro.map((c) => this.index.functionByFqn(`${c.fqn}.${found!.subclass!.method}`)).find((f) => f !== undefined);
      if (!method || seen.has(method.id)) continue;
      seen.add(method.id);
      const kind = found.entry ?? 'thread';
      const span = cls.fact.span;
      const call: CallFact = { callee: `class ${cls.fact.name}`, target: '', line: span.line, column: span.column, endLine: span.line, endColumn: span.column + 5, args: [] };
      this.spawns.push({
        kind, caller: method, call, via, entry: found, runs: kind === 'process' ? 'process' : 'thread', target: method,
        wrapper: 'subclass', targetText: `${cls.fact.name}.${found.subclass!.method}`,
      });
      this.add(method.id, { kind, file: cls.module.path, line: span.line, via });
    }
  }

  private resolveFunction(target: string): FunctionNode | undefined {
    const resolved = this.index.resolve(target);
    return resolved.kind === 'function' ? this.index.functions[resolved.id] : undefined;
  }

  private runsOn(call: CallFact, entry: CatalogueEntry): Spawn['runs'] {
    if (entry.runs === 'thread' || entry.runs === 'process') return entry.runs;
    if (entry.runs !== 'executor' || !entry.executor) return 'none';
    const positional = call.args.filter((a) => !a.keyword);
    const executor = positional[entry.executor.argument];
    if (!executor || executor.kind === 'none') return 'thread';
    if (executor.kind === 'ref' || executor.kind === 'call') {
      const value = executor.target ?? '';
      const name = this.index.resolve(value);
      const text = name.kind === 'external' ? name.name : value;
      if (/ProcessPoolExecutor|InterpreterPoolExecutor/.test(text)) return 'process';
      if (/ThreadPoolExecutor/.test(text)) return 'thread';
    }
    return 'unknown';
  }

  /** Records an entry point of function `id`. */
  private add(id: number, entry: EntryPoint): void {
    const known = this.byFunction[id];
    if (known === NO_ENTRIES) this.byFunction[id] = [entry];
    else (known as EntryPoint[]).push(entry);
  }

  /** `@app.get("/x")` on a FastAPI app, `@shared_task`, `@dramatiq.actor`... */
  private decoratorEntries(node: FunctionNode, catalogue: Catalogue): void {
    for (const decorator of node.fact.decorators) {
      const bare = decorator.replace(/\(\)$/, '');
      const resolved = this.index.resolve(bare);
      const name = resolved.kind === 'external' ? resolved.name : bare;
      const match = catalogue.match(name, 'entry-point');
      if (!match || match.entry.function || match.entry.subclass) continue;
      this.add(node.id, {
        kind: match.entry.entry ?? 'request-handler', file: node.module.path, line: node.fact.span.line,
        via: match.entry.framework ?? name,
      });
    }
  }

  /** Project functions called from an `if __name__ == "__main__":` block. */
  private mainEntries(): void {
    for (const node of this.index.functions) {
      if (node.fact.kind !== 'module' || !node.module.mainGuard) continue;
      const [start, end] = node.module.mainGuard;
      for (const edge of this.index.outgoing[node.id]) {
        if (edge.call.line < start || edge.call.line > end) continue;
        this.add(edge.to, { kind: 'main', file: node.module.path, line: edge.call.line, via: '__main__' });
      }
    }
  }

  /** Django function views: `def view(request, ...)` in a `views.py` module. */
  private djangoViews(): void {
    for (const node of this.index.functions) {
      const fact = node.fact;
      if (fact.kind !== 'def' || fact.parent !== 0 || fact.className || !/(^|\/)views\.py$/.test(node.module.path)) continue;
      if (fact.params[0]?.name !== 'request') continue;
      if (this.byFunction[node.id].some((e) => e.kind === 'request-handler')) continue;
      this.add(node.id, { kind: 'request-handler', file: node.module.path, line: fact.span.line, via: 'django' });
    }
  }

  /** The framework of the function's request-handler entry point, if it is one. */
  handlerFramework(id: number): string | undefined {
    return this.byFunction[id].find((e) => e.kind === 'request-handler')?.via;
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
