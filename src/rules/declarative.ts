/**
 * The declarative engine: a rule whose YAML `match` names catalogue kinds reports every direct
 * call of such an API in the body of an `async def`; one whose `match` names readiness checks
 * reports every readiness problem of those checks, at its place in a manifest or native source.
 *
 * Stage: rules. Calls in nested sync defs and lambdas belong to those functions, not to the
 * coroutine, so they are not reported here (GA110 reports the coroutine's call of a nested def).
 * Sync functions the loop itself calls (a Home Assistant `@callback`, a `call_soon` callback) are
 * reported like coroutines, and their messages say so.
 */
import type { RawFinding, RuleImpl } from './types.js';
import { matchedChecks, matchedKinds } from '../model/types.js';
import { alternativeFor, asyncLibrary, fillTemplate, onLoopWording } from './message.js';

export const declarative: RuleImpl = (ctx, rule) => (matchedChecks(rule) ? readiness(ctx, rule) : blockingCalls(ctx, rule));

const blockingCalls: RuleImpl = (ctx, rule) => {
  const kinds = new Set(matchedKinds(rule));
  const out: RawFinding[] = [];
  for (const node of ctx.index.functions) {
    if (!ctx.loop.onLoop[node.id]) continue;
    const library = asyncLibrary(node.module);
    for (const blocking of ctx.blocking.direct[node.id]) {
      const entry = blocking.match.entry;
      if (!kinds.has(entry.kind)) continue;
      out.push({
        rule, fn: node, call: blocking.call, severity: rule.severity, confidence: blocking.confidence,
        message: onLoopWording(fillTemplate(rule.message, { callee: blocking.call.callee, api: blocking.api, function: node.fact.qualname }), node.fact.isAsync),
        recommendation: alternativeFor(entry, library, rule.fix.recommendation, blocking.call.callee),
        equivalents: entry.equivalents,
        chain: [
          { function: node.fqn, file: node.module.path, line: blocking.call.line },
          { function: blocking.api, file: '', line: 0 },
        ],
      });
    }
  }
  return out;
};

/** Each readiness problem of the rule's checks, with its values filled into the message and recommendation. */
const readiness: RuleImpl = (ctx, rule) => {
  const checks = new Set(matchedChecks(rule) ?? []);
  const out: RawFinding[] = [];
  for (const problem of ctx.readiness.problems) {
    if (!checks.has(problem.check)) continue;
    out.push({
      rule, severity: rule.severity, confidence: rule.confidence,
      place: { file: problem.file, subject: problem.subject, suppressions: ctx.readiness.suppressions[problem.file] ?? [] },
      call: { callee: problem.subject, line: problem.span.line, column: problem.span.column, endLine: problem.span.endLine, endColumn: problem.span.endColumn },
      message: fillTemplate(rule.message, problem.values).trim(),
      // A placeholder filled with '' (an optional note) leaves no trailing space.
      recommendation: fillTemplate(rule.fix.recommendation, problem.values).trim(),
      equivalents: rule.equivalents,
      chain: [],
    });
  }
  return out;
};
