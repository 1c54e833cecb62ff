/**
 * GA112: a slow native call (bcrypt, argon2, PBKDF2/scrypt, Pillow, heavy compression) made on the
 * event loop inside `async def`, directly or through synchronous project helpers.
 *
 * Stage: rules. Slow calls are the catalogue entries with a measured `costMs`; the remedy is the
 * entry's `remedy` id among the rule's `fix.recommendations` (GIL-releasing calls go to a thread,
 * argon2 to a small dedicated pool, GIL-holding ones to a process pool). Chains are found by a
 * breadth-first search backwards from the functions that make slow calls, through synchronous
 * functions only, so each kept chain is a shortest one. Coroutines that only start-up code reaches
 * (lifespan and startup hooks) are not reported, nor the straight-line calls of a main coroutine
 * (`asyncio.run(main())`): nothing waits on the loop yet.
 */
import type { CallFact, Span } from '../../facts/types.js';
import { callCostMs, type CatalogueEntry } from '../../classify/catalogue.js';
import type { Edge, FunctionNode } from '../../graph/index.js';
import type { RawFinding, RuleImpl } from '../types.js';
import { confidenceFor, fillTemplate, recommendation, ruleOption } from '../message.js';

interface SlowCall {
  fn: number;
  call: CallFact;
  api: string;
  entry: CatalogueEntry;
  /** The time of this call (the entry's cost, scaled by the call's arguments). */
  costMs: number;
}

interface Reach {
  hops: number;
  next?: Edge;
  terminal: SlowCall;
}

export const create: RuleImpl = (ctx, rule) => {
  const { index, catalogue, workload } = ctx;
  const minCost = ruleOption(rule, 'min-cost-ms');
  const maxHops = ruleOption(rule, 'max-hops');
  const direct: SlowCall[][] = index.functions.map(() => []);
  for (const node of index.functions) {
    index.eachTarget(node.id, (target, i) => {
      if (target.kind !== 'external') return;
      const call = node.fact.calls.at(i)!;
      if (call.awaited) return;
      // Slow Python work with a measured cost (a document parser) is GA111's: it holds the GIL.
      const entry = catalogue.matches(target.name).find((m) => m.entry.costMs !== undefined && m.entry.effect === 'releases-gil')?.entry;
      const costMs = entry && callCostMs(entry, call);
      if (!entry || costMs === undefined || costMs < minCost) return;
      if (entry.dataSized && !workload.dataSizedArgument(node, call)) return;
      direct[node.id].push({ fn: node.id, call, api: target.name, entry, costMs });
    });
  }
  // Shortest chains through sync functions, from the callers' side.
  const reach: (Reach | undefined)[] = index.functions.map((node) => (direct[node.id][0] ? { hops: 0, terminal: direct[node.id][0] } : undefined));
  const queue = index.functions.filter((node) => reach[node.id] && !node.fact.isAsync).map((node) => node.id);
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    const current = reach[id]!;
    if (current.hops >= maxHops) continue;
    for (const edge of index.callers[id]) {
      const caller = index.functions[edge.from];
      if (reach[edge.from] || caller.fact.kind === 'module') continue;
      reach[edge.from] = { hops: current.hops + 1, next: edge, terminal: current.terminal };
      if (!caller.fact.isAsync) queue.push(edge.from);
    }
  }
  const out: RawFinding[] = [];
  const report = (node: FunctionNode, call: Pick<CallFact, 'callee' | keyof Span>, slow: SlowCall, chain: { function: string; file: string; line: number }[], hops: number) => {
    const entry = slow.entry;
    const remedy = entry.remedy ?? (entry.effect === 'cpu-gil' ? 'process-pool' : 'to-thread');
    const gil = entry.effect === 'releases-gil' ? 'it releases the GIL' : 'it holds the GIL';
    const where = hops > 0 ? ` through ${chain.slice(1, -1).map((s) => `\`${s.function}\``).join(' → ')}` : '';
    out.push({
      rule, fn: node, call, severity: rule.severity, confidence: confidenceFor(rule, hops > 1 || entry.confidence === 'medium' ? 'uncertain' : 'direct'),
      message: fillTemplate(rule.message, {
        callee: call.callee, cost: `${formatMs(slow.costMs)} ms`, function: node.fact.qualname,
        reason: `\`${slow.api}\` (${entry.label ?? slow.api})${where} runs in native code on the event loop's thread; ${gil}`,
      }),
      recommendation: recommendation(rule, remedy), equivalents: [], chain,
    });
  };
  const startup = ctx.startupOnly;
  const main = ctx.mainCoroutines;
  const once = (node: FunctionNode, call: CallFact) => main[node.id] && call.loop === undefined;
  for (const node of index.functions) {
    if (!node.fact.isAsync || startup[node.id]) continue;
    for (const slow of direct[node.id]) {
      if (once(node, slow.call)) continue;
      report(node, slow.call, slow, [
        { function: node.fqn, file: node.module.path, line: slow.call.line },
        { function: slow.api, file: '', line: 0 },
      ], 0);
    }
    const reported = new Set<number>();
    for (const edge of index.outgoing[node.id]) {
      const callee = index.functions[edge.to];
      const found = reach[edge.to];
      if (callee.fact.isAsync || !found || reported.has(edge.to) || found.hops + 1 > maxHops || once(node, edge.call)) continue;
      reported.add(edge.to);
      const chain = [{ function: node.fqn, file: node.module.path, line: edge.call.line }];
      let id = edge.to;
      for (let guard = 0; guard < 100; guard++) {
        const step = reach[id]!;
        const fn = index.functions[id];
        chain.push({ function: fn.fqn, file: fn.module.path, line: step.next ? step.next.call.line : step.terminal.call.line });
        if (!step.next) break;
        id = step.next.to;
      }
      chain.push({ function: found.terminal.api, file: '', line: 0 });
      report(node, edge.call, found.terminal, chain, found.hops + 1);
    }
  }
  return out;
};

/** A cost for a message: whole milliseconds, two significant digits below 10 ms. */
function formatMs(ms: number): string {
  return ms >= 10 ? String(Math.round(ms)) : String(Number(ms.toPrecision(2)));
}
