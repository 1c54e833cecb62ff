/**
 * GA111: CPU-heavy pure-Python work inside `async def`, written in the coroutine (reported at the
 * heavy loop or the heavy library call) or reached through sync helpers (reported at the call,
 * with the chain).
 *
 * Stage: rules. While the loop runs, no other task, timeout or I/O callback runs; `to_thread` keeps
 * the loop responsive but the GIL still serialises the work, so the remedy is a process pool, or
 * a task queue when the coroutine serves requests. Work that runs once per process (behind a
 * cache or a lazy initialiser) is reported as such, at note severity, with the warm-up remedy;
 * when its size is known exactly (a constant table) it must reach the higher `min-work-once`.
 * Coroutines that only start-up code reaches (lifespan and startup hooks) are not reported, nor the
 * straight-line calls of a main coroutine (`asyncio.run(main())`), which run once per process.
 */
import type { Span } from '../../facts/types.js';
import type { RawFinding, RuleImpl } from '../types.js';
import { confidenceFor, fillTemplate, messageVariant, recommendation, ruleOption } from '../message.js';

export const create: RuleImpl = (ctx, rule) => {
  const { index, provenWork: workload, entries } = ctx;
  const out: RawFinding[] = [];
  const minWork = ruleOption(rule, 'min-work');
  const minOnce = ruleOption(rule, 'min-work-once');
  const onceRemedy = recommendation(rule, 'once');
  const onceMessage = messageVariant(rule, 'once');
  const inCoroutine = confidenceFor(rule, 'in-coroutine');
  const viaHelper = confidenceFor(rule, 'via-helper');
  // A lifespan or startup hook runs before the server takes requests: nothing waits on its loop yet.
  const startup = ctx.startupOnly;
  const main = ctx.mainCoroutines;
  for (const node of index.functions) {
    if (!node.fact.isAsync || startup[node.id]) continue;
    const framework = entries.handlerFramework(node.id);
    const remedy = framework ? fillTemplate(recommendation(rule, 'request-handler'), { framework }) : recommendation(rule, 'process-pool');
    // Loops over a literal, a config list or a handful of fields are everyday code: only loop
    // nests whose work grows with the data and reaches `min-work` operations are reported.
    for (const once of [false, true]) {
      for (const loop of workload.heavyLoops(node.id, minWork, once, once ? minOnce : minWork)) {
        const fact = node.fact.loops[loop.loop!];
        const span: Span = { line: fact.line, column: fact.column, endLine: fact.line, endColumn: fact.column + (fact.kind === 'comprehension' ? 1 : fact.kind.length) };
        out.push({
          rule, fn: node, severity: once ? 'note' : rule.severity, confidence: inCoroutine,
          call: { callee: `loop@${fact.line}`, ...span },
          message: fillTemplate(once ? onceMessage : rule.message, { function: node.fact.qualname, reason: loop.reason, callee: fact.kind, chain: '' }),
          recommendation: once ? onceRemedy : remedy, equivalents: [],
          chain: [{ function: node.fqn, file: node.module.path, line: fact.line }],
        });
      }
    }
    // Heavy library calls made in the coroutine itself (a page parsed with BeautifulSoup).
    for (const e of workload.heavyApiCalls(node.id, minWork)) {
      if (main[node.id] && !e.inLoop) continue;
      out.push({
        rule, fn: node, severity: rule.severity, confidence: inCoroutine,
        call: { callee: e.api!, line: e.line, column: e.column, endLine: e.line, endColumn: e.column + e.api!.length },
        message: fillTemplate(rule.message, { function: node.fact.qualname, reason: e.reason, callee: e.api!, chain: '' }),
        recommendation: remedy, equivalents: [],
        chain: [{ function: node.fqn, file: node.module.path, line: e.line }],
      });
    }
    const reported = new Set<number>();
    for (const edge of index.outgoing[node.id]) {
      const callee = index.functions[edge.to];
      // One finding per helper and coroutine: the first call stands for the others.
      if (reported.has(edge.to) || callee.fact.isAsync || (main[node.id] && edge.call.loop === undefined)) continue;
      if (workload.heavyCall(edge, minWork)) {
        reported.add(edge.to);
        const chain = workload.chainFrom(edge, 'cpu-gil');
        out.push({
          rule, fn: node, call: edge.call, severity: rule.severity, confidence: viaHelper,
          message: fillTemplate(rule.message, {
            function: node.fact.qualname, reason: workload.reason(edge.to, 'cpu-gil'), callee: edge.call.callee,
            chain: chain.slice(1).map((s) => `\`${s.function}\``).join(' → '),
          }),
          recommendation: remedy, equivalents: [], chain,
        });
      } else if (workload.heavyOnceCall(edge, minWork, minOnce)) {
        reported.add(edge.to);
        const { chain, reason } = workload.onceChain(edge);
        out.push({
          rule, fn: node, call: edge.call, severity: 'note', confidence: viaHelper,
          message: fillTemplate(onceMessage, { function: node.fact.qualname, reason, callee: edge.call.callee }),
          recommendation: onceRemedy, equivalents: [], chain,
        });
      }
    }
  }
  return out;
};
