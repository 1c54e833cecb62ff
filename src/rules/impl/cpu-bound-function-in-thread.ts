/**
 * GA201: a CPU-bound, GIL-holding function started on threads (`threading.Thread`, thread pools).
 *
 * Stage: rules. Only one thread runs Python bytecode at a time on a GIL build, so the threads add
 * switching overhead and no throughput.
 */
import type { RuleImpl } from '../types.js';
import { cpuBoundSpawns } from './thread-target.js';

export const create: RuleImpl = (ctx, rule) =>
  cpuBoundSpawns(
    ctx, rule,
    (s) => s.runs === 'thread' && (s.kind === 'thread' || s.kind === 'thread-pool'),
    (s) => (s.wrapper === 'subclass' ? 'subclass' : 'process-pool'),
  );
