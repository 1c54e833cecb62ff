/**
 * GA110: a coroutine calls a project sync function that blocks, at any depth, across modules.
 *
 * Stage: rules. Reported at the coroutine's own call, with the whole chain as evidence. Each
 * kind of blocking has its own shortest chain; the finding takes the most severe kind whose
 * direct rule is selected (so `--ignore GA105` also drops chains that only touch file metadata),
 * and the shortest chain among equals. Chains to file-metadata calls are followed two calls deep.
 * Sync functions the loop calls (`@callback`, `call_soon` callbacks) count as coroutines; a call
 * of one is not reported (its own findings are), nor a call of a function decorated to run in a
 * worker thread, nor an awaited call of a sync function under an unknown decorator (it returns an
 * awaitable, so the decorator replaced it) or one that returns the call its blocking way goes
 * through (`return self.sync(self._get, ...)`: awaited, that call took its async way), nor a call
 * of a configured blocking API (GA114 reports it), nor a call that runs once per process (under a
 * cache's guard or after its early return).
 */
import type { RawFinding, RuleImpl } from '../types.js';
import type { Way } from '../../classify/blocking.js';
import type { RuleMeta, Severity } from '../../model/types.js';
import { alternativeFor, asyncLibrary, confidenceFor, fillTemplate, offloadFor, onLoopWording, recommendation, ruleOption } from '../message.js';

const RANK: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

export const create: RuleImpl = (ctx, rule) => {
  const { index, blocking } = ctx;
  const out: RawFinding[] = [];
  // Note-level chains (one `stat`) are followed only this deep; longer chains are less certain.
  const noteHops = ruleOption(rule, 'note-hops');
  const longChain = ruleOption(rule, 'long-chain');
  const uncertain = confidenceFor(rule, 'uncertain');
  const remedy = recommendation(rule, 'via-helper');
  for (const node of index.functions) {
    if (!ctx.loop.onLoop[node.id]) continue;
    const library = asyncLibrary(node.module);
    for (const edge of index.outgoing[node.id]) {
      const callee = index.functions[edge.to];
      if (ctx.loop.onLoop[edge.to] || ctx.loop.offloaded[edge.to] || blocking.isConfigured(edge.from, edge.call) || ctx.index.runsOnce(edge.from, edge.call)) continue;
      // `await f()` of a sync `f` under an unknown decorator: the decorator made it a coroutine function.
      if (edge.call.awaited && ctx.loop.rewrapped[edge.to]) continue;
      let best: { direct: RuleMeta; way: Way } | undefined;
      for (const kind of blocking.effects[edge.to].keys()) {
        const direct = ctx.ruleForKind(kind);
        const way = direct && blocking.way(edge, kind);
        if (!direct || !way || (direct.severity === 'note' && way.steps.length > noteHops)) continue;
        if (!best || RANK[direct.severity] < RANK[best.direct.severity] || (direct.severity === best.direct.severity && way.steps.length < best.way.steps.length)) best = { direct, way };
      }
      if (!best) continue;
      const { way, direct } = best;
      const { terminal } = way;
      const hops = way.steps.length;
      // `await client.get_task_stream()` where it is `return self.sync(...)`: what it returns is
      // awaited, so the dual sync/async call it returns took its async way, not the blocking one.
      if (edge.call.awaited && hops > 0 && returnsCallOf(callee.fact.returns, way.steps[0].call.target)) continue;
      const chain = blocking.chainOf(edge, way);
      const names = chain.slice(1).map((s) => `\`${s.function}\``);
      const api = terminal.api;
      const advice = alternativeFor(terminal.match.entry, library, direct.fix.recommendation, terminal.call.callee);
      out.push({
        rule, fn: node, call: edge.call, severity: direct.severity,
        confidence: terminal.confidence === 'low' || hops > longChain ? uncertain : rule.confidence,
        message: onLoopWording(fillTemplate(rule.message, {
          callee: edge.call.callee, api, function: node.fact.qualname, chain: names.join(' → '),
          helper: callee.fact.qualname,
        }), node.fact.isAsync),
        recommendation: fillTemplate(remedy, { callee: edge.call.callee, offload: offloadFor(library, edge.call.callee), api, advice }),
        equivalents: [],
        chain,
        via: direct.id,
      });
    }
  }
  return out;
};

/** Whether `returns` (a function's returned values) holds the result of a call of `target`: `self.sync(...)` is `pkg.Client.sync` as a call and `pkg.Client().sync()` as a value. */
function returnsCallOf(returns: readonly string[], target: string): boolean {
  if (target === '') return false;
  const name = target.replace(/\(\)/g, '');
  return returns.some((value) => value.endsWith('()') && value.replace(/\(\)/g, '') === name);
}
