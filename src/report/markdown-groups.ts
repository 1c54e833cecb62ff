/**
 * The Markdown report's action plan and its findings grouped by root cause: one section per
 * group, with its call sites, its call chain as a flowchart, a code frame and the remedy.
 *
 * Stage: report. Presents `run.assessment` as the analysis built it; decides nothing. The
 * flowchart is drawn by the caller's `flow` (Mermaid in Markdown, SVG in the HTML page).
 */

import type { Action, AuditRun, ChainStep, Finding, FindingGroup } from '../model/types.js';
import { count } from './format.js';
import { cell, mdCode, mdFence, mdText } from './markdown-text.js';

/** Draws a call chain as Markdown lines (a fenced block). */
export type FlowRenderer = (chain: ChainStep[]) => string[];

/** How many actions the plan's table lists; the JSON report has them all. */
const ACTIONS_SHOWN = 30;
/** How many call sites a group lists before folding the rest into a collapsed list. */
const SITES_SHOWN = 8;

export const AREA_NAMES: Record<FindingGroup['area'], string> = {
  'event-loop': 'Event loop',
  gil: 'GIL / CPU',
  'free-threading': 'Free-threading',
  other: 'Other',
};

const PRIORITY_WORDS: Record<Action['priority'], string> = { now: 'Now', next: 'Next', later: 'Later' };

/** `app/api.py:14` as a code span. */
function at(file: string, line: number): string {
  return mdCode(line > 0 ? `${file}:${line}` : file);
}

/** Where a group is fixed: its function's place, else its first site. */
function place(group: FindingGroup): string {
  if (group.function && group.function.file !== '') return at(group.function.file, group.function.line);
  return at(group.sites[0].file, group.sites[0].line);
}

/** The heading of a group's section, and the anchor GitHub and the HTML page give it. */
export function groupHeading(group: FindingGroup): string {
  return `### ${group.id}: ${mdText(group.title)}`;
}

export function actionPlan(run: AuditRun): string[] {
  const a = run.assessment;
  if (!a || a.actions.length === 0) return [];
  const shown = a.actions.slice(0, ACTIONS_SHOWN);
  const byPriority = (p: Action['priority']) => a.actions.filter((x) => x.priority === p).length;
  const out = [
    '## Action plan',
    '',
    `${count(a.actions.length, 'action fixes', 'actions fix')} every finding above test code: ${byPriority('now')} to do now, ${byPriority('next')} next and ${byPriority('later')} later. ` +
      'Each action is one root cause (its section under Findings by root cause has the call sites and the remedy); ' +
      'priority follows impact, and effort is a rough size of the change (see How to read the scores).',
    '',
    '| # | Priority | Action | Where | Sites | Effort | Impact |',
    '| --- | --- | --- | --- | ---: | --- | --- |',
  ];
  for (const action of shown) {
    const group = a.groups.find((g) => g.id === action.group);
    if (!group) continue;
    out.push(
      `| ${group.id} | **${action.priority}** | ${cell(mdText(action.text))} | ${cell(place(group))} | ${group.sites.length} | ${action.effort} | **${action.impact}** |`,
    );
  }
  const rest = a.actions.slice(shown.length);
  if (rest.length > 0) {
    const counts = (['now', 'next', 'later'] as const).map((p) => [p, rest.filter((x) => x.priority === p).length] as const).filter(([, n]) => n > 0);
    out.push('', `The other ${rest.length} actions (${counts.map(([p, n]) => `${n} ${p}`).join(', ')}) follow in the same order: each is a section of Findings by root cause, from ${rest[0].group} on.`);
  }
  return out;
}

/** The finding behind a site, for its code frame. */
function findingOf(run: AuditRun, fingerprint: string): Finding | undefined {
  return run.findings.find((f) => f.fingerprint === fingerprint);
}

function siteLine(site: FindingGroup['sites'][number], group: FindingGroup): string {
  const rule = group.rules.length > 1 ? ` (${site.rule})` : '';
  return `- ${at(site.file, site.line)} in ${mdCode(site.function)}${rule}`;
}

function groupSection(run: AuditRun, group: FindingGroup, flow: FlowRenderer): string[] {
  const facts = [`**${group.severity}**`, `confidence ${group.confidence}`, AREA_NAMES[group.area], `rule ${group.rules.join(', ')}`];
  const out = [groupHeading(group), '', facts.join(' · '), ''];
  const first = findingOf(run, group.sites[0].fingerprint);
  if (group.kind === 'helper' && group.function) {
    out.push(
      `${mdCode(group.function.qualname)} makes the call at ${at(group.function.file, group.function.line)}. ` +
        (group.sites.length === 1
          ? 'Fixing it there fixes the finding below, where a coroutine reaches it.'
          : `Fixing it there fixes all ${group.sites.length} findings below, one per place a coroutine reaches it.`),
      '',
    );
  } else if (group.sites.length > 1) {
    out.push(`One change fixes the ${group.sites.length} findings below.`, '');
  }
  if (first && first.snippet !== '') out.push(`${at(first.file, first.line)}:`, '', mdFence(first.snippet, 'python'), '');
  if (group.chain.length > 2) out.push('**Call chain** (from the first call site down to the API):', '', ...flow(group.chain), '');
  out.push(`**${group.sites.length === 1 ? 'Call site' : 'Call sites'}:**`, '');
  out.push(...group.sites.slice(0, SITES_SHOWN).map((s) => siteLine(s, group)));
  if (group.sites.length > SITES_SHOWN) {
    out.push('', `<details><summary>${group.sites.length - SITES_SHOWN} more call sites</summary>`, '');
    out.push(...group.sites.slice(SITES_SHOWN).map((s) => siteLine(s, group)));
    out.push('', '</details>');
  }
  out.push('', `**Remedy:** ${mdText(group.remedy)}`);
  return out;
}

export function rootCauses(run: AuditRun, flow: FlowRenderer): string[] {
  const a = run.assessment;
  if (!a || a.groups.length === 0) return [];
  const out = [
    '## Findings by root cause',
    '',
    `The ${count(run.findings.length, 'finding')} come from ${count(a.groups.length, 'root cause')}. Each section is one change: ` +
      'a blocking helper with every call site that reaches it, one function\'s calls under one rule, or one dependency named in several files. ' +
      'Sections are in action-plan order; why each rule matters is explained once, in the appendix.',
  ];
  for (const group of a.groups) out.push('', ...groupSection(run, group, flow));
  return out;
}
