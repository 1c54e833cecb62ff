/**
 * GA301: `asyncio.to_thread`, `run_in_executor(None | thread pool)`, `anyio/trio.to_thread.run_sync`
 * given CPU-bound GIL-holding work: the loop stays responsive but throughput does not scale.
 *
 * Stage: rules.
 */
import type { RuleImpl } from '../types.js';
import { cpuBoundSpawns } from './thread-target.js';

export const create: RuleImpl = (ctx, rule) =>
  cpuBoundSpawns(
    ctx, rule,
    (s) => s.kind === 'to-thread' && s.runs === 'thread',
    () => 'Use a process pool instead: `await loop.run_in_executor(process_pool, func, ...)` with a module-level `concurrent.futures.ProcessPoolExecutor` (`InterpreterPoolExecutor` on 3.14+); keep `to_thread` for work that waits on I/O or releases the GIL.',
  );
