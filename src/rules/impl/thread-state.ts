/**
 * Shared by GA450–GA456 and GA458: one finding per unlocked write to shared state (or process-wide
 * call, loop, iterator use, context read) of one kind, in a function that threads run, with the
 * chain from the thread's entry point; in a library, worded for its callers' threads.
 *
 * Stage: rules. The analysis is src/classify/shared-state.ts; this only picks the kind and fills
 * the rule's message and recommendation.
 */
import type { ThreadStateKind } from '../../classify/shared-state.js';
import type { RawFinding, RuleImpl } from '../types.js';
import { fillTemplate, messageVariant } from '../message.js';

export function threadStateRule(kind: ThreadStateKind): RuleImpl {
  return (ctx, rule) => {
    const out: RawFinding[] = [];
    for (const issue of ctx.sharedState.issues) {
      if (issue.kind !== kind) continue;
      const values = {
        function: issue.fn.fact.qualname, target: issue.target, what: issue.what, operation: issue.operation,
        via: issue.entry.via, entry: `${issue.entry.file}:${issue.entry.line}`,
      };
      out.push({
        rule, fn: issue.fn, severity: rule.severity, confidence: issue.confidence,
        call: { callee: issue.target, line: issue.line, column: issue.column, endLine: issue.line, endColumn: issue.endColumn },
        message: fillTemplate(issue.library ? messageVariant(rule, 'library') : rule.message, values),
        recommendation: fillTemplate(rule.fix.recommendation, values),
        equivalents: rule.equivalents,
        chain: issue.chain,
      });
    }
    return out;
  };
}
