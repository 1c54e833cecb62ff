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
    (s) => s.entry.remedy ?? 'process-pool',
  );
