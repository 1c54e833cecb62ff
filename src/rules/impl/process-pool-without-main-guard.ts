/**
 * GA302: a process pool or process started at import time, outside `if __name__ == "__main__":`.
 *
 * Stage: rules. With the spawn and forkserver start methods (spawn is the default on Windows and
 * macOS; forkserver on Linux from 3.14) each worker imports the main module again, which starts
 * the pool again: Python stops it with a RuntimeError, or it spawns without end.
 */
import type { RawFinding, RuleImpl } from '../types.js';
import { fillTemplate, recommendation } from '../message.js';

export const create: RuleImpl = (ctx, rule) => {
  const out: RawFinding[] = [];
  for (const node of ctx.index.functions) {
    if (node.fact.kind !== 'module') continue;
    const guard = node.module.mainGuard;
    node.fact.calls.forEach((call, i) => {
      const target = ctx.index.target(node.id, i);
      // The APIs that start worker processes are the catalogue's `starts-processes` entries.
      if (target.kind !== 'external' || !ctx.catalogue.match(target.name, 'starts-processes')) return;
      if (guard && call.line >= guard[0] && call.line <= guard[1]) return;
      out.push({
        rule, fn: node, call, severity: rule.severity, confidence: rule.confidence,
        message: fillTemplate(rule.message, { callee: call.callee }),
        recommendation: recommendation(rule, 'main-guard'),
        equivalents: [],
        chain: [{ function: node.fqn, file: node.module.path, line: call.line }, { function: target.name, file: '', line: 0 }],
      });
    });
  }
  return out;
};
