/**
 * The workload profile of every function worth reporting: classification, evidence, how it is
 * started, how hot it is likely to be, and the remedy that fits.
 *
 * Stage: classify. Hotness (0..100) is the estimated work per call (the work model's operations,
 * on a log scale, waiting weighing less than CPU work) times how often the function runs: per request, per task message, per frame of
 * a worker thread's loop for what request handlers, tasks and thread targets reach; rarely for
 * start-up code (the `__main__` block, lifespan and startup hooks) and for code no entry point
 * reaches. It ranks; it does not measure.
 */
import type { EntryPoint, FunctionReport } from '../model/types.js';
import type { FunctionNode, ProjectIndex } from '../graph/index.js';
import type { EntryPoints } from './entry-points.js';
import { isTestPath } from '../discover/test-paths.js';
import type { WorkloadAnalysis } from './workload.js';

/** How often a function started this way runs, relative to a request handler's per-request run. */
const FREQUENCY: Record<EntryPoint['kind'], number> = {
  'request-handler': 1, task: 1, thread: 0.9, 'thread-pool': 0.95, 'to-thread': 0.95, process: 0.9,
  'process-pool': 0.95, 'async-task': 0.8, main: 0.2,
};
/** A thread or process target that loops until stopped runs its body per frame or message. */
const SERVICE_LOOP = 1;
/** Start-up code (lifespan and startup hooks) runs once per process. */
const STARTUP = 0.1;
/** Code that no entry point reaches may still be hot (a library, an unseen framework): ranked low, not zero. */
const UNREACHED = 0.25;
/** Each call hop away from the entry point: the callee may run on only some paths. */
const DECAY = 0.95;
/** Work (operations per call) that scores full marks: about half a second. */
const FULL_WORK = 1e7;

/** Decorators and names of start-up hooks: FastAPI/Starlette startup events and lifespans, Flask's first-request hook. */
const STARTUP_DECORATOR = /\.(on_event|on_startup|before_first_request|before_serving|startup|lifespan)(\(\))?$/;
const STARTUP_NAME = /^(lifespan|startup|on_startup|app_lifespan|before_first_request)$/;

/** How often each function runs, relative to a request (0 when unknown), propagated along calls. */
export function frequency(index: ProjectIndex, entries: EntryPoints, workload: WorkloadAnalysis): number[] {
  const startup = startupFunctions(index);
  const weight = index.functions.map((node, id) => {
    if (startup.has(id)) return STARTUP;
    let w = 0;
    for (const e of entries.byFunction[id]) {
      let f = FREQUENCY[e.kind];
      if ((e.kind === 'thread' || e.kind === 'process') && hasServiceLoop(node, workload)) f = SERVICE_LOOP;
      w = Math.max(w, f);
    }
    return w;
  });
  // Relax along call edges, strongest first (a Dijkstra over multiplicative decay); start-up
  // hooks pass on their low weight, so what they call ranks low too.
  const queue = index.functions.map((f) => f.id).filter((id) => weight[id] > 0).sort((a, b) => weight[b] - weight[a]);
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    for (const edge of index.outgoing[id]) {
      const next = weight[id] * DECAY;
      if (next > weight[edge.to] + 1e-9 && !startup.has(edge.to)) {
        weight[edge.to] = next;
        queue.push(edge.to);
      }
    }
  }
  return weight.map((w) => (w > 0 ? w : UNREACHED));
}

/** Functions that only start-up code reaches (a lifespan hook and what it calls): they run once, before serving. */
export function startupOnly(often: readonly number[]): boolean[] {
  return often.map((w) => w <= STARTUP);
}

/** The APIs that start an event loop on a coroutine and run it to completion. */
const LOOP_RUNNER = /^(?:asyncio|trio|anyio)\.run$|\.run_until_complete$|^asyncio\.Runner\(\)\.run$/;

/**
 * Main coroutines: async functions an event loop is started on (`asyncio.run(main())`, a CLI
 * command's `asyncio.run(init())`) that no coroutine outside the tests awaits. Their straight-line code runs once
 * per process, before the tasks they start, so it stalls nothing; their loops may still serve.
 */
export function mainCoroutines(index: ProjectIndex, entries: EntryPoints): boolean[] {
  return index.functions.map((node) =>
    node.fact.isAsync
    && entries.byFunction[node.id].some((e) => e.kind === 'async-task' && LOOP_RUNNER.test(e.via))
    && !index.callers[node.id].some((edge) => index.functions[edge.from].fact.isAsync && !isTestPath(index.functions[edge.from].module.path)));
}

function hasServiceLoop(node: FunctionNode, workload: WorkloadAnalysis): boolean {
  return node.fact.loops.some((l) => l.kind === 'while' && workload.model.loopPasses(l).size === 'service');
}

/** Functions that are start-up hooks: decorated as one, named as one, or passed as `lifespan=`. */
function startupFunctions(index: ProjectIndex): Set<number> {
  const out = new Set<number>();
  for (const node of index.functions) {
    const fact = node.fact;
    if (fact.kind === 'def' && (STARTUP_NAME.test(fact.name) || fact.decorators.some((d) => STARTUP_DECORATOR.test(d)))) out.add(node.id);
    for (const call of fact.calls) {
      for (const arg of call.args) {
        if ((arg.keyword === 'lifespan' || arg.keyword === 'on_startup') && arg.kind === 'ref' && arg.target) {
          const resolved = index.resolve(arg.target);
          if (resolved.kind === 'function') out.add(resolved.id);
        }
      }
    }
  }
  return out;
}

/**
 * Time spent waiting costs the process little (the GIL is released, other threads and tasks
 * run): it counts a twentieth of CPU work. Unknown library work may be either: a quarter.
 */
const WAIT_WEIGHT = 0.05;
const UNKNOWN_WEIGHT = 0.25;

/** 0..1: the estimated work per call on a log scale, full marks at FULL_WORK operations. */
function workScore(workload: WorkloadAnalysis, id: number): number {
  const t = workload.work(id);
  const work = t['cpu-gil'] + t['releases-gil'] + WAIT_WEIGHT * t.io + UNKNOWN_WEIGHT * t.unknown;
  return Math.min(1, Math.log10(1 + work) / Math.log10(1 + FULL_WORK));
}

/** `often`: each function's frequency (see `frequency`); `tests`: profile test code too. */
export function profiles(index: ProjectIndex, workload: WorkloadAnalysis, entries: EntryPoints, often: readonly number[], tests = true): FunctionReport[] {
  const out: FunctionReport[] = [];
  const testModules = new Set(tests ? [] : index.modules.filter((m) => isTestPath(m.path)));
  for (const node of index.functions) {
    const fact = node.fact;
    if (fact.kind === 'module' || testModules.has(node.module)) continue;
    const classification = workload.labels[node.id];
    const entryPoints = [...entries.byFunction[node.id]].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
    if (classification === 'unknown' && entryPoints.length === 0) continue;
    const hotness = Math.round(100 * workScore(workload, node.id) * often[node.id]);
    out.push({
      qualname: node.fqn, file: node.module.path, line: fact.span.line, isAsync: fact.isAsync, classification,
      confidence: workload.confidence[node.id], evidence: workload.evidence(node.id), entryPoints, hotness,
      remedy: remedyFor(classification, entryPoints, fact.isAsync),
    });
  }
  return out.sort((a, b) => b.hotness - a.hotness || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

/** The remedy that fits a classification and the way the function is run (FREE-THREADING.md §5). */
export function remedyFor(classification: FunctionReport['classification'], entries: EntryPoint[], isAsync: boolean): string {
  const on = new Set(entries.map((e) => e.kind));
  const threads = on.has('thread') || on.has('thread-pool') || on.has('to-thread');
  switch (classification) {
    case 'cpu-gil':
      if (on.has('request-handler')) return 'Move the work to a task queue (Celery, RQ, Dramatiq, arq) and return early; the worker can use processes.';
      if (threads) return 'Threads serialise on the GIL here: use a ProcessPoolExecutor (or InterpreterPoolExecutor on 3.14+), vectorise with NumPy, or move the loop to Cython/C/Rust that releases the GIL; free-threaded 3.14t lets threads scale.';
      if (isAsync) return 'Offload to a process pool with `loop.run_in_executor(ProcessPoolExecutor(), ...)`; it blocks the event loop meanwhile.';
      return 'Keep it off threads and the event loop; if it is hot, vectorise with NumPy or compile it (Cython, Rust) so it releases the GIL, or run it in a process pool.';
    case 'mixed':
      return 'Split it: keep the I/O on threads or async code and send the CPU-bound part to a process pool (or vectorise it).';
    case 'releases-gil':
      return threads ? 'Threads scale here: the native code releases the GIL.' : 'The work runs in native code that releases the GIL, so a thread pool can run it in parallel.';
    case 'io':
      if (isAsync) return 'Awaiting I/O is what coroutines are for; keep blocking calls out of it (use the async client).';
      return threads ? 'Threads are a good fit: the GIL is released while waiting on I/O.' : 'I/O-bound: threads or async code overlap the waits; more CPU will not help.';
    default:
      return '';
  }
}
