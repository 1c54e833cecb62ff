/**
 * The Markdown report's closing chapters: method and limitations, how to read the scores (the
 * rubric the findings stage applies, written out), and the rules appendix, where each fired
 * rule's rationale appears once.
 *
 * Stage: report. Input: an `AuditRun`. Output: Markdown lines. The numbers in the rubric are the
 * ones src/findings/groups.ts uses, imported from it, so the text cannot drift from the scores.
 */

import type { AuditRun, RuleMeta, Severity } from '../model/types.js';
import { EXTRA_SITE_COST_MAX, GROUP_COST, RATING_BOUNDS, WIDESPREAD_SITES } from '../findings/groups.js';
import { SEVERITIES, sortedKeys, sortedRules } from './format.js';
import { cell, mdCode, mdText } from './markdown-text.js';

export function methodSection(run: AuditRun): string[] {
  return [
    '## Method and limitations',
    '',
    `${mdText(run.tool.name)} ${mdText(run.tool.version)} reads the source statically: the code is parsed with tree-sitter and never imported or run. ` +
      'It resolves imports, classes and methods across the project into a call graph, marks every call it knows from its catalogue of blocking, ' +
      'CPU-heavy and GIL-releasing APIs, and follows the graph from each coroutine, thread target, request handler and task, keeping the shortest chain ' +
      'of calls that proves each finding. Dependency manifests and native sources (C, C++, Cython, Rust) are read for the free-threading verdict.',
    '',
    '- **What a finding means.** The code as written makes this call on this path. The severity says how much harm the pattern does when it runs; ' +
      'the confidence says how sure the analysis is that it runs there (high: the call is in the function; medium: reached through helpers, ' +
      'or the API blocks only with some arguments; low: inferred from names or types).',
    '- **Not measured.** Hotness, effort and impact are estimates from the code\'s shape (loops, entry points, call sites), not timings. ' +
      'Data sizes, request rates and what the network does are unknown to a static reading; a profiler (py-spy, scalene) or an asyncio debug run ' +
      '(`PYTHONASYNCIODEBUG=1`, `loop.slow_callback_duration`) confirms what matters most.',
    '- **What it can miss.** Calls made through values it cannot follow: functions picked at run time (`getattr`, registries, dependency injection), ' +
      'monkey-patching, code generated or loaded at run time, and APIs missing from its catalogue (add your own with `blocking-apis` in the configuration). ' +
      'Native extensions are judged by their declarations, not by running them.',
    '- **What it can over-report.** A call that is slow only on inputs the program never sees, or code that only runs at start-up where the analysis could not tell. ' +
      'Accept such a finding with `# noqa: GA101` (or the rule\'s id) on its line, or record all current findings in a baseline (`--write-baseline`).',
    '- **Test code** is audited but kept apart: its findings are listed in their own section and count in no score, action or exit code.',
  ];
}

/** The rubric: what each score, rating, risk level, priority, effort and impact means. */
export function scoringSection(): string[] {
  const cost = (s: Severity) => GROUP_COST[s];
  return [
    '## How to read the scores',
    '',
    '**Areas.** *Event loop*: code an event loop runs (coroutines, loop callbacks) that blocks it, so every other request waits. ' +
      '*GIL / CPU*: CPU-bound Python started on threads, or work offloaded in a way that does not relieve the loop or the GIL, so threads take turns instead of running in parallel. ' +
      '*Free-threading readiness*: how close the project is to running on a free-threaded (PEP 703) Python, from its dependencies, native code and shared state.',
    '',
    `**Event-loop and GIL / CPU scores** start at 100. Each root cause in the area takes ${cost('error')} % of what is left when its worst finding is an error, ` +
      `${cost('warning')} % for a warning and ${cost('note')} % for a note, plus 1 % per call site after the first (at most ${EXTRA_SITE_COST_MAX} more), rounded at the end: ` +
      `one error-level root cause gives ${100 - cost('error')}, two give ${Math.round((100 - cost('error')) ** 2 / 100)}; each further root cause takes fewer points than the one before, so the score still tells a project with a dozen problems from one with a hundred. ` +
      'The free-threading score is the readiness score of its chapter, whose own rubric is given there.',
    '',
    `**Ratings.** ${RATING_BOUNDS.good} and above is *good*, ${RATING_BOUNDS.fair} to ${RATING_BOUNDS.good - 1} *fair*, ` +
      `${RATING_BOUNDS.poor} to ${RATING_BOUNDS.fair - 1} *poor*, below ${RATING_BOUNDS.poor} *critical*. ` +
      'A score is a summary for tracking change between audits, not a goal in itself: a fair score with one blocking call on the busiest request path can matter more than a poor one made of start-up code.',
    '',
    `**Overall risk** comes from the event-loop and GIL / CPU areas only (free-threading is an option, not a present risk): *critical* when either score is below ${RATING_BOUNDS.poor}; ` +
      `*high* when one is below ${RATING_BOUNDS.fair} or a root cause is of error severity; *medium* when one is below ${RATING_BOUNDS.good} or a root cause is a warning; ` +
      '*low* when only notes remain; *none* without findings in these areas.',
    '',
    `**Impact** follows the worst severity of a root cause (error: high, warning: medium, note: low), one step higher when it has ${WIDESPREAD_SITES} call sites or more, ` +
      'one step lower for free-threading findings. **Priority** follows impact: *now* for high, *next* for medium, *later* for low. ' +
      '**Effort** is a rough size of the change: *small* for a call swapped in place (up to 3 sites), *medium* for a helper many paths reach, a larger function or a dependency, ' +
      '*large* for CPU-bound work that must move to processes or native code.',
    '',
    `**Severities.** ${SEVERITIES.map((s) => `*${s}*`).join(', ')}: an *error* blocks the event loop or serialises threads whenever the code runs; ` +
      'a *warning* does so on some inputs or for a bounded time; a *note* is worth knowing and cheap to fix.',
  ];
}

function ruleEntry(rule: RuleMeta, countOf: number, tests: number): string[] {
  const facts = [`**${rule.severity}**`, `confidence ${rule.confidence}`, rule.category];
  const found = [`${countOf} in the code`];
  if (tests > 0) found.push(`${tests} in test code`);
  facts.push(found.join(', '));
  if (rule.equivalents.length > 0) facts.push(`same as ${rule.equivalents.map(mdCode).join(', ')}`);
  const out = [`### ${rule.id} ${mdCode(rule.name)}`, '', facts.join(' · '), '', mdText(rule.summary.trim())];
  if (rule.rationale.trim() !== '') out.push('', mdText(rule.rationale.trim(), true));
  if (rule.fix.recommendation.trim() !== '') out.push('', `**In general:** ${mdText(rule.fix.recommendation.trim(), true)}`);
  if (rule.references.length > 0) out.push('', `References: ${rule.references.map((r) => mdText(r)).join(', ')}`);
  return out;
}

/** Each rule that fired, once: summary table, then its rationale, general advice and references. */
export function rulesAppendix(run: AuditRun): string[] {
  const rules = sortedRules(run.rules);
  if (rules.length === 0) return [];
  const tests = new Map<string, number>();
  for (const f of run.testFindings ?? []) tests.set(f.rule, (tests.get(f.rule) ?? 0) + 1);
  const out = ['## Appendix: the rules', '', '| Rule | Name | Severity | Findings |', '| --- | --- | --- | ---: |'];
  for (const id of sortedKeys(run.rules)) {
    const rule = run.rules[id];
    out.push(`| ${cell(id)} | ${cell(mdCode(rule.name))} | ${rule.severity} | ${run.summary.byRule[id] ?? 0} |`);
  }
  for (const rule of rules) out.push('', ...ruleEntry(rule, run.summary.byRule[rule.id] ?? 0, tests.get(rule.id) ?? 0));
  return out;
}
