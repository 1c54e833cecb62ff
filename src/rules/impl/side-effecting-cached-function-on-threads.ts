/**
 * Reports functions behind a cache decorator (`lru_cache`, `cache`, `cached_property`, the
 * cachetools ones: every decorator of rules/work-model.yaml `once-only`, none of which holds a
 * lock while it computes a missing entry) that threads call and that have side effects (network,
 * database, subprocess, file-tree changes): two threads that miss the cache at once both run them
 * (shared/FREE-THREADING.md §6.4 P08, P09).
 *
 * Stage: rules. Reads the blocking analysis (what each function's calls do) and the shared-state
 * analysis (which functions threads reach, and how).
 */
import type { RawFinding, RuleImpl } from '../types.js';
import { fillTemplate } from '../message.js';
import { cacheDecorator } from '../../graph/lifetime.js';

/** Blocking kinds whose effect is not harmless when it happens twice; reads (files, metadata) and waits are. */
const SIDE_EFFECTS: Record<string, string> = {
  http: 'makes network requests',
  socket: 'opens network connections',
  database: 'talks to a database',
  subprocess: 'starts processes',
  'fs-tree': 'changes the file tree',
};

export const create: RuleImpl = (ctx, rule) => {
  const out: RawFinding[] = [];
  const { index, blocking, sharedState } = ctx;
  for (const node of index.functions) {
    const decorator = cacheDecorator(index.caches, node.fact.decorators);
    if (!decorator) continue;
    const reach = sharedState.reachOf(node.id);
    if (!reach) continue;
    // Its own calls first, then what its callees do (a cached function is not given effects of its own: it runs once).
    const own = blocking.direct[node.id].find((c) => SIDE_EFFECTS[c.match.entry.kind] !== undefined);
    const viaCallee = own ? undefined : index.outgoing[node.id].map((e) => [...blocking.effects[e.to].values()].find((f) => SIDE_EFFECTS[f.kind] !== undefined)).find((f) => f !== undefined);
    const effect = own ? { kind: own.match.entry.kind, api: own.api } : viaCallee ? { kind: viaCallee.kind, api: viaCallee.terminal.api } : undefined;
    if (!effect) continue;
    const values = {
      function: node.fact.qualname, decorator: `@${decorator}`, effect: SIDE_EFFECTS[effect.kind], api: effect.api, via: reach.entry.via,
    };
    const span = node.fact.span;
    out.push({
      rule, fn: node, severity: rule.severity, confidence: rule.confidence,
      call: { callee: node.fact.name, line: span.line, column: span.column, endLine: span.line, endColumn: span.column + 3 },
      message: fillTemplate(rule.message, values),
      recommendation: fillTemplate(rule.fix.recommendation, values),
      equivalents: rule.equivalents,
      chain: sharedState.chainTo(node.id, span.line),
    });
  }
  return out;
};
