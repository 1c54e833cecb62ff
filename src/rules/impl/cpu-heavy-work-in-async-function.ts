/**
 * GA111: CPU-heavy pure-Python work inside `async def`, written in the coroutine (reported at the
 * heavy loop) or reached through sync helpers (reported at the call, with the chain).
 *
 * Stage: rules. While the loop runs, no other task, timeout or I/O callback runs; `to_thread` keeps
 * the loop responsive but the GIL still serialises the work, so the remedy is a process pool, or
 * a task queue when the coroutine serves requests.
 */
import type { RawFinding, RuleImpl } from '../types.js';
import { fillTemplate, ruleOption } from '../message.js';

export const create: RuleImpl = (ctx, rule) => {
  const { index, workload, entries } = ctx;
  const out: RawFinding[] = [];
  const minWork = ruleOption(rule, 'min-work');
  for (const node of index.functions) {
    if (!node.fact.isAsync) continue;
    const framework = entries.handlerFramework(node.id);
    const remedy = framework
      ? `This coroutine serves requests (${framework}): move the work to a task queue (Celery, RQ, Dramatiq, arq) and return early, or at least run it in a process pool with \`await loop.run_in_executor(process_pool, ...)\`.`
      : 'Run it in a process pool: `await loop.run_in_executor(process_pool, func, ...)` with a module-level `ProcessPoolExecutor`; `asyncio.to_thread` keeps the loop responsive but the GIL still serialises the work (unless it releases the GIL, or on free-threaded 3.14t). Or vectorise it with NumPy.';
    // Loops over a literal, a config list or a handful of fields are everyday code: only loop
    // nests whose work grows with the data and reaches `min-work` operations are reported.
    for (const loop of workload.heavyLoops(node.id, minWork)) {
      const fact = node.fact.loops[loop.loop!];
      out.push({
        rule, fn: node, severity: rule.severity, confidence: 'medium',
        call: { callee: `loop@${fact.line}`, span: { line: fact.line, column: fact.column, endLine: fact.line, endColumn: fact.column + (fact.kind === 'comprehension' ? 1 : fact.kind.length) } },
        message: fillTemplate(rule.message, { function: node.fact.qualname, reason: loop.reason, callee: fact.kind, chain: '' }),
        recommendation: remedy, equivalents: [],
        chain: [{ function: node.fqn, file: node.module.path, line: fact.line }],
      });
    }
    const reported = new Set<number>();
    for (const edge of index.outgoing[node.id]) {
      const callee = index.functions[edge.to];
      // One finding per helper and coroutine: the first call stands for the others.
      if (reported.has(edge.to)) continue;
      if (callee.fact.isAsync || !workload.heavyCall(edge, minWork)) continue;
      reported.add(edge.to);
      const chain = workload.chainFrom(edge, 'cpu-gil');
      out.push({
        rule, fn: node, call: edge.call, severity: rule.severity, confidence: 'low',
        message: fillTemplate(rule.message, {
          function: node.fact.qualname, reason: workload.reason(edge.to, 'cpu-gil'), callee: edge.call.callee,
          chain: chain.slice(1).map((s) => `\`${s.function}\``).join(' → '),
        }),
        recommendation: remedy, equivalents: [], chain,
      });
    }
  }
  return out;
};
