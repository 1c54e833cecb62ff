/**
 * GA202: a sync web request handler (Flask, Django, FastAPI `def` routes) that does long CPU work.
 * Waiting (a subprocess, a sleep, a query) holds a server thread but not the GIL, and the
 * handler's thread pool overlaps it: that is not this rule's business.
 *
 * Stage: rules. Coroutine handlers are covered by GA110/GA111, whose recommendation then names a
 * task queue. Reported at the handler's `def`. CPU work reached only once per process (a cached
 * loader, a lazy initialiser) is reported as such, at note severity; a constant-sized table only from
 * `min-work-once`.
 */
import type { RawFinding, RuleImpl } from '../types.js';
import { fillTemplate, messageVariant, recommendation, ruleOption } from '../message.js';

export const create: RuleImpl = (ctx, rule) => {
  const { index, provenWork: workload, entries } = ctx;
  const out: RawFinding[] = [];
  const minWork = ruleOption(rule, 'min-work');
  for (const node of index.functions) {
    if (node.fact.isAsync) continue;
    const framework = entries.handlerFramework(node.id);
    if (!framework) continue;
    let reason = '';
    let once = false;
    if (workload.heavyCpu(node.id, minWork)) {
      reason = workload.reason(node.id, 'cpu-gil');
    } else if (workload.heavyOnceCpu(node.id, minWork, ruleOption(rule, 'min-work-once'))) {
      once = true;
      reason = workload.reason(node.id, 'cpu-gil', true);
    }
    if (!reason) continue;
    const fact = node.fact;
    out.push({
      rule, fn: node, severity: once ? 'note' : rule.severity, confidence: rule.confidence,
      call: { callee: `def ${fact.name}`, line: fact.span.line, column: fact.span.column, endLine: fact.span.line, endColumn: fact.span.column + 3 },
      message: fillTemplate(once ? messageVariant(rule, 'once') : rule.message, { function: fact.qualname, framework, reason }),
      recommendation: recommendation(rule, once ? 'once' : 'task-queue'),
      equivalents: [],
      chain: [{ function: node.fqn, file: node.module.path, line: fact.span.line }],
    });
  }
  return out;
};
