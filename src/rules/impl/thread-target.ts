/**
 * Shared by GA201 and GA301: CPU-bound GIL-holding functions handed to threads.
 *
 * Stage: rules. The recommendation names the process-pool remedy and says when the target cannot
 * be pickled as written (a lambda, a closure), which the process pool would need.
 */
import type { EntryPoints, Spawn } from '../../classify/entry-points.js';
import type { WorkloadAnalysis } from '../../classify/workload.js';
import type { RawFinding, RuleContext } from '../types.js';
import type { RuleMeta } from '../../model/types.js';
import { fillTemplate, recommendation, ruleOption } from '../message.js';

/**
 * Functions started on threads (any thread API: GA201's and GA301's spawns together) whose CPU
 * work holding the GIL the strict work model proves heavy: what those rules report, whatever
 * rules are selected. The readiness verdict answers "would free-threading help?" from it.
 */
export function provenCpuOnThreads(entries: EntryPoints, provenWork: WorkloadAnalysis, minWork: number): Set<number> {
  const found = new Set<number>();
  for (const spawn of entries.spawns) {
    if (spawn.runs === 'thread' && spawn.target && provenWork.heavyCpu(spawn.target.id, minWork)) found.add(spawn.target.id);
  }
  return found;
}

/**
 * Findings for spawns that `select` picks whose target is CPU-bound and holds the GIL. `remedy`
 * picks the id of the rule's `fix.recommendations` that fits the spawn.
 */
export function cpuBoundSpawns(ctx: RuleContext, rule: RuleMeta, select: (s: Spawn) => boolean, remedy: (s: Spawn) => string): RawFinding[] {
  const out: RawFinding[] = [];
  const minWork = ruleOption(rule, 'min-work');
  for (const spawn of ctx.entries.spawns) {
    if (!select(spawn) || !spawn.target) continue;
    const id = spawn.target.id;
    if (!ctx.provenWork.heavyCpu(id, minWork)) continue;
    const targetName = spawn.wrapper === 'lambda' ? `lambda (line ${spawn.target.fact.span.line})` : spawn.target.fact.qualname;
    const reason = ctx.provenWork.reason(id, 'cpu-gil');
    const pickle = spawn.unpicklable ? ` ${fillTemplate(recommendation(rule, 'unpicklable'), { reason: spawn.unpicklable })}` : '';
    const evidence = ctx.provenWork.evidence(id, 1)[0];
    out.push({
      rule, fn: spawn.caller, call: spawn.call, severity: rule.severity, confidence: ctx.provenWork.confidence[id],
      message: fillTemplate(rule.message, { target: targetName, via: spawn.via, reason }),
      recommendation: recommendation(rule, remedy(spawn)) + pickle,
      equivalents: [],
      chain: [
        { function: spawn.caller.fqn, file: spawn.caller.module.path, line: spawn.call.line },
        { function: spawn.target.fqn, file: spawn.target.module.path, line: evidence?.line ?? spawn.target.fact.span.line },
      ],
    });
  }
  return out;
}
