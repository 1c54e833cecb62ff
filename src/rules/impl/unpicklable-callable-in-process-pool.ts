/**
 * GA303: a lambda or a nested function (closure) sent to a process pool or `Process(target=...)`.
 *
 * Stage: rules. The callable is pickled to reach the worker; these are not picklable, so the
 * submission fails at run time.
 */
import type { RawFinding, RuleImpl } from '../types.js';
import { fillTemplate, recommendation } from '../message.js';

export const create: RuleImpl = (ctx, rule) => {
  const out: RawFinding[] = [];
  for (const spawn of ctx.entries.spawns) {
    if (spawn.runs !== 'process' || !spawn.unpicklable) continue;
    // `get_context(method)` names its start method; with 'fork' nothing is pickled, and the
    // method's literal is not in the facts, so leave these alone.
    if (spawn.via.includes('get_context()')) continue;
    const target = spawn.wrapper === 'lambda' ? 'lambda' : spawn.target?.fact.qualname ?? spawn.targetText;
    out.push({
      rule, fn: spawn.caller, call: spawn.call, severity: rule.severity, confidence: rule.confidence,
      message: fillTemplate(rule.message, { target, via: spawn.via, reason: spawn.unpicklable }),
      recommendation: recommendation(rule, 'module-level'),
      equivalents: [],
      chain: [{ function: spawn.caller.fqn, file: spawn.caller.module.path, line: spawn.call.line }],
    });
  }
  return out;
};
