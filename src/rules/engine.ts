/**
 * Runs the selected rules over the classified index.
 *
 * Stage: rules. Declarative rules share one engine; `engine: ts` rules live in
 * `src/rules/impl/<name>.ts` and are loaded when selected.
 */
import type { RuleMeta } from '../model/types.js';
import type { RawFinding, RuleContext, RuleImpl } from './types.js';
import { declarative } from './declarative.js';

export async function runRules(ctx: RuleContext, rules: RuleMeta[]): Promise<RawFinding[]> {
  const out: RawFinding[] = [];
  for (const rule of rules) {
    if (!ctx.isSelected(rule.id)) continue;
    const impl: RuleImpl = rule.engine === 'declarative'
      ? declarative
      : ((await import(`./impl/${rule.name}.js`)) as { create: RuleImpl }).create;
    out.push(...impl(ctx, rule));
  }
  return out;
}
