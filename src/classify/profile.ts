/**
 * The workload profile of every function worth reporting: classification, evidence, how it is
 * started, how hot it is likely to be, and the remedy that fits.
 *
 * Stage: classify. Hotness (0..100) weighs three things: reachability from an entry point (thread
 * targets, request handlers and tasks weigh most; each call hop away decays it), loop nesting in
 * the function itself, and how many places call it. It ranks; it does not measure.
 */
import type { EntryPoint, FunctionReport } from '../model/types.js';
import type { ProjectIndex } from '../graph/index.js';
import type { EntryPoints } from './entry-points.js';
import type { WorkloadAnalysis } from './workload.js';

const ENTRY_WEIGHT: Record<EntryPoint['kind'], number> = {
  'request-handler': 1, task: 0.95, thread: 0.9, 'thread-pool': 0.95, 'to-thread': 0.9, process: 0.85,
  'process-pool': 0.9, 'async-task': 0.8, main: 0.6,
};
const DECAY = 0.8;

/** Reachability weight from the nearest entry point, per function (0 when none reaches it). */
export function reachability(index: ProjectIndex, entries: EntryPoints): number[] {
  const weight = index.functions.map((_, id) => Math.max(0, ...entries.byFunction[id].map((e) => ENTRY_WEIGHT[e.kind])));
  // Relax along call edges, strongest first: a Dijkstra over multiplicative decay.
  const order = index.functions.map((f) => f.id).filter((id) => weight[id] > 0).sort((a, b) => weight[b] - weight[a]);
  const queue = [...order];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    for (const edge of index.outgoing[id]) {
      const next = weight[id] * DECAY;
      if (next > weight[edge.to] + 1e-9) {
        weight[edge.to] = next;
        queue.push(edge.to);
      }
    }
  }
  return weight;
}

export function profiles(index: ProjectIndex, workload: WorkloadAnalysis, entries: EntryPoints): FunctionReport[] {
  const reach = reachability(index, entries);
  const out: FunctionReport[] = [];
  for (const node of index.functions) {
    const fact = node.fact;
    if (fact.kind === 'module') continue;
    const classification = workload.labels[node.id];
    const entryPoints = [...entries.byFunction[node.id]].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
    if (classification === 'unknown' && entryPoints.length === 0) continue;
    const loopDepth = Math.max(0, ...fact.loops.map((l) => l.depth));
    const callers = new Set(index.callers[node.id].map((e) => e.from)).size;
    const hotness = Math.round(100 * (0.55 * reach[node.id] + 0.3 * Math.min(1, loopDepth / 3) + 0.15 * Math.min(1, Math.log2(1 + callers) / 4)));
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
