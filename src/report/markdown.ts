/**
 * Markdown reporter: the audit deliverable, written to be handed to a client as is.
 *
 * Stage: report. Input: an `AuditRun` with its cover and assessment. Output: GitHub-flavoured
 * Markdown: a cover, contents, an executive summary (risk, a score per area), the action plan
 * (now / next / later), the findings grouped by root cause with their call chains as Mermaid
 * flowcharts, the hot paths and thread verdicts, the free-threading chapter, test code apart,
 * method and limitations, how the scores are made, and the rules appendix. It presents what the
 * analysis decided and decides nothing; no clock is read, so the same run gives the same text.
 */

import type { AuditRun, Classification, EntryPoint, Finding, FunctionReport, ThreadVerdict } from '../model/types.js';
import { compareStrings, count, isTransitive, SEVERITIES, sortedKeys } from './format.js';
import { cell, grouped, listing, mdCode, mdText, slug, textCell } from './markdown-text.js';
import { actionPlan, rootCauses, type FlowRenderer } from './markdown-groups.js';
import { methodSection, rulesAppendix, scoringSection } from './markdown-method.js';
import { mermaidFlowchart } from './flowchart.js';
import type { ReportOptions } from './types.js';
import { readinessChapter } from './markdown-readiness.js';

export { mdCode, mdText } from './markdown-text.js';

/** What findings of each rule category mean, for the executive summary. */
const CATEGORY_SENTENCES: Record<string, (n: number) => string> = {
  'gil-contention': (n) =>
    `${count(n, 'place runs', 'places run')} CPU-bound Python in threads, where the GIL lets only one thread make progress at a time.`,
  offload: (n) => `${count(n, 'place hands', 'places hand')} work to a thread or executor in a way that does not relieve the event loop or the GIL.`,
  'free-threading': (n) => `${count(n, 'finding concerns', 'findings concern')} readiness for free-threaded Python.`,
  tool: (n) => `${count(n, 'finding is a', 'findings are')} diagnostic${n === 1 ? '' : 's'} about the analysis itself.`,
};

/** How many of the hottest functions the hot-path table shows. */
const HOT_PATHS_SHOWN = 20;
/** How many functions each list of the Concurrency section shows. */
const CONCURRENCY_SHOWN = 20;

/** What each classification means, as the report words it. */
const CLASSIFICATION_LABELS: Record<Classification, string> = {
  'cpu-gil': 'CPU-bound (holds the GIL)',
  'releases-gil': 'Releases the GIL',
  io: 'I/O-bound',
  mixed: 'Mixed CPU and I/O',
  unknown: 'Unknown',
};

/** How a function is run, per entry-point kind, for the "How it runs" column. */
const ENTRY_LABELS: Record<EntryPoint['kind'], string> = {
  thread: 'thread',
  'thread-pool': 'thread pool',
  'to-thread': 'offloaded to a thread',
  process: 'process',
  'process-pool': 'process pool',
  'request-handler': 'request handler',
  task: 'task queue',
  main: '`__main__`',
  'async-task': 'asyncio task',
};


function ruleLabel(run: AuditRun, id: string): string {
  const name = run.rules[id]?.name ?? run.findings.find((f) => f.rule === id)?.name;
  return name === undefined ? id : `${id} (${mdCode(name)})`;
}


function isEventLoopFinding(run: AuditRun, finding: Finding): boolean {
  const category = run.rules[finding.rule]?.category;
  return category === undefined ? /^GA1\d\d$/.test(finding.rule) : category === 'async-blocking';
}

/** The function profiles of the run, hottest first as the analysis ranked them. */
function profiled(run: AuditRun): FunctionReport[] {
  return run.functions ?? [];
}

/** The ways `fn` is run, in the order of its entry points, without repeats; `—` when none. */
function howItRuns(fn: FunctionReport): string {
  const labels = [...new Set(fn.entryPoints.map((e) => ENTRY_LABELS[e.kind] ?? e.kind))];
  return labels.length === 0 ? '—' : labels.join(', ');
}

/** `` `app.jobs.score` (`app/jobs.py:12`) `` */
function functionLabel(fn: FunctionReport): string {
  return `${mdCode(fn.qualname)} (${mdCode(`${fn.file}:${fn.line}`)})`;
}

function hotPaths(run: AuditRun): string[] {
  const fns = profiled(run);
  if (fns.length === 0) return [];
  const shown = fns.slice(0, HOT_PATHS_SHOWN);
  const more = fns.length > shown.length ? ` The ${shown.length} hottest of the ${fns.length} profiled functions are shown; the JSON report lists them all.` : '';
  const out = [
    '## Hot paths',
    '',
    'Functions are ranked by hotness (0–100), a static estimate rather than a measurement: the work a function is estimated to do per call, ' +
      'times how often it runs: per request, per task message or per frame of a worker loop for what request handlers, tasks and thread targets reach; ' +
      `rarely for start-up code (the ${mdCode('__main__')} block, lifespan and startup hooks) and for code no entry point reaches.${more}`,
    '',
    '| # | Function | Classification | How it runs | Hotness | Remedy |',
    '| ---: | --- | --- | --- | ---: | --- |',
  ];
  shown.forEach((fn, i) => {
    const remedy = fn.remedy.trim() === '' ? '—' : textCell(fn.remedy);
    out.push(`| ${i + 1} | ${cell(functionLabel(fn))} | ${CLASSIFICATION_LABELS[fn.classification]} | ${cell(howItRuns(fn))} | ${fn.hotness} | ${remedy} |`);
  });
  return out;
}

/** A bulleted list of at most `CONCURRENCY_SHOWN` items, or `empty` when there are none. */
function shortList(items: string[], empty: string): string[] {
  if (items.length === 0) return [empty];
  const out = items.slice(0, CONCURRENCY_SHOWN).map((item) => `- ${item}`);
  if (items.length > CONCURRENCY_SHOWN) out.push(`- … and ${items.length - CONCURRENCY_SHOWN} more, listed in the JSON report.`);
  return out;
}

function errorSection(run: AuditRun): string[] {
  if (run.errors.length === 0) return [];
  return [
    '## Files not fully analysed',
    '',
    'These files could not be fully read; findings in them may be missing.',
    '',
    ...run.errors.map((e) => `- ${mdCode(e.file)}: ${mdText(e.message)}`),
  ];
}

/** Findings in test code, kept apart from the counts above: one line each. */
function testCodeSection(run: AuditRun): string[] {
  const tests = run.testFindings ?? [];
  if (tests.length === 0) return [];
  return [
    '## Findings in test code',
    '',
    `${count(tests.length, 'finding is', 'findings are')} in test code (test directories, ${mdCode('test_*.py')}, ${mdCode('*_test.py')}, ${mdCode('conftest.py')}). ` +
      `They are not counted above, in the hot paths or in the exit code; run with ${mdCode('--tests include')} to report them like the rest.`,
    '',
    ...tests.map((f) => `- ${mdCode(`${f.file}:${f.line}`)} ${f.rule}: ${mdText(f.message)}`),
  ];
}


const AREA_LABELS: Record<string, string> = { 'event-loop': 'Event loop', gil: 'GIL / CPU', 'free-threading': 'Free-threading readiness' };

/** The title: the cover's, else a generic one. */
function titleOf(run: AuditRun): string {
  return run.cover?.title ?? 'gil-audit report';
}

/** What the audit left out, in words. */
function leftOut(run: AuditRun): string {
  const items = ['virtual environments, `site-packages`, `node_modules` and build folders'];
  const cover = run.cover;
  if (cover) {
    if (cover.gitignore) items.push('files `.gitignore` excludes');
    if (cover.trackedOnly) items.push('files git does not track');
    if (cover.excluded.length > 0) items.push(`paths matching ${listing(cover.excluded.map(mdCode))}`);
    if (cover.tests === 'separate') items.push('test code from the counts and scores (listed apart)');
    if (cover.tests === 'exclude') items.push('test code');
  }
  if (run.errors.length > 0) items.push(`${count(run.errors.length, 'file')} that could not be read (listed at the end)`);
  return listing(items);
}

function cover(run: AuditRun): string[] {
  const { summary } = run;
  const roots = run.roots.length === 0 ? 'the given sources' : listing(run.roots.map(mdCode));
  const rows: string[] = [];
  if (run.cover) rows.push(`| Project | ${cell(mdText(run.cover.project))} |`);
  const rev = run.cover?.revision;
  if (rev) {
    const modified = rev.modified ? ', with uncommitted changes to the audited files' : '';
    rows.push(`| Revision | ${mdCode(rev.commit.slice(0, 12))}, committed ${mdText(rev.date)}${modified} |`);
  }
  rows.push(
    `| Scope | ${cell(roots)}: ${count(summary.files, 'Python file')}, ${grouped(summary.lines)} ${summary.lines === 1 ? 'line' : 'lines'}, ` +
      `${count(summary.functions, 'function')} (${grouped(summary.asyncFunctions)} ${mdCode('async def')}) |`,
    `| Left out | ${cell(leftOut(run))} |`,
    `| Tool | ${cell(`${mdText(run.tool.name)} ${mdText(run.tool.version)}`)}, static analysis: the audited code is never imported or run |`,
  );
  // The first row is the table's header, so no empty header row shows.
  return [`# ${mdText(titleOf(run))}`, '', rows[0], '| --- | --- |', ...rows.slice(1)];
}

/** Links to every chapter, from the `## ` headings that follow. */
function contents(sections: string[][]): string[] {
  const headings = sections.flat().filter((line) => line.startsWith('## ')).map((line) => line.slice(3));
  if (headings.length === 0) return [];
  return ['## Contents', '', ...headings.map((h) => `- [${h}](#${slug(h)})`)];
}

function scoreTable(run: AuditRun): string[] {
  const a = run.assessment;
  if (!a) return [];
  const out = ['| Area | Score | Rating | What it rests on |', '| --- | ---: | --- | --- |'];
  for (const area of a.areas) out.push(`| ${AREA_LABELS[area.area]} | ${area.score}/100 | **${area.rating}** | ${textCell(area.basis)} |`);
  out.push('', 'The scores, ratings and risk levels are defined in [How to read the scores](#how-to-read-the-scores).');
  return out;
}

/** The thread targets that fight the GIL, from the assessment. */
function fighting(run: AuditRun): ThreadVerdict[] {
  return (run.assessment?.threads ?? []).filter((t) => t.verdict === 'fights-gil');
}

/** The executive-summary paragraph on the function profiles; nothing when there are none. */
function workloadSummary(run: AuditRun): string[] {
  const fns = profiled(run);
  if (fns.length === 0) return [];
  const cpu = fns.filter((f) => f.classification === 'cpu-gil').length;
  const mixed = fns.filter((f) => f.classification === 'mixed').length;
  const targets = fighting(run);
  const fight = targets.length;
  // Thread targets the GIL findings name: a profile is an estimate, a finding needs proven work.
  const reported = new Set(run.findings.filter((f) => f.chain.length >= 2 && f.rule.startsWith('GA2')).map((f) => f.chain[f.chain.length - 1].function));
  const asFindings = targets.filter((t) => reported.has(t.qualname)).length;
  const parts = [cpu === 0 ? 'none of them is CPU-bound Python that holds the GIL' : `${cpu} ${cpu === 1 ? 'is' : 'are'} CPU-bound Python that holds the GIL`];
  if (mixed > 0) parts.push(`${mixed} ${mixed === 1 ? 'mixes' : 'mix'} CPU work and I/O`);
  let text = `**${count(fns.length, 'function was', 'functions were')} classified by workload** (see Hot paths): ${listing(parts)}.`;
  if (fight > 0) {
    text += ` ${count(fight, 'thread target looks', 'thread targets look')} CPU-bound, so threads would take turns on the GIL (see Concurrency)`;
    text +=
      asFindings === fight
        ? '.'
        : `; ${asFindings === 0 ? 'none of them is a finding' : `${asFindings} of them ${asFindings === 1 ? 'is a finding' : 'are findings'}`}, ` +
          'where the analysis could prove the work is large enough to matter.';
  }
  return [text];
}

function riskLine(run: AuditRun): string[] {
  const a = run.assessment;
  if (!a) return [];
  const groups = a.groups.length;
  const causes = groups === 0 ? '' : ` The ${count(run.summary.findings, 'finding')} come from ${count(groups, 'root cause')}; the action plan below takes them in order.`;
  return [`Overall risk: **${a.risk.level}**. ${mdText(a.risk.reason)}${causes}`, ''];
}

function executiveSummary(run: AuditRun): string[] {
  const { summary } = run;
  const out = ['## Executive summary', '', ...riskLine(run), ...scoreTable(run), ''];
  if (summary.findings === 0) {
    out.push(`${mdText(run.tool.name)} found no event-loop blocking or GIL contention in the ${count(summary.files, 'file')} analysed.`);
  } else {
    const severities = SEVERITIES.map((s) => count(summary.bySeverity[s], s));
    out.push(`${mdText(run.tool.name)} found **${count(summary.findings, 'finding')}** in the ${count(summary.files, 'file')} analysed: ${listing(severities)}.`);
    out.push('');

    const loop = run.findings.filter((f) => isEventLoopFinding(run, f));
    const viaHelpers = loop.filter((f) => f.rule === 'GA110' || isTransitive(f)).length;
    const direct = loop.length - viaHelpers;
    const bullets: string[] = [];
    if (direct > 0) {
      bullets.push(`**${count(direct, 'place blocks', 'places block')} the event loop directly**: a blocking call made in the body of an ${mdCode('async def')}.`);
    }
    if (viaHelpers > 0) {
      bullets.push(
        `**${count(viaHelpers, 'place blocks', 'places block')} the event loop through helper functions** (rule GA110 and other call-graph findings): ` +
          'a coroutine calls ordinary functions that end in a blocking call. Each root cause below shows its chain of calls.',
      );
    }
    const byCategory = new Map<string, number>();
    for (const f of run.findings) {
      if (isEventLoopFinding(run, f)) continue;
      const category = run.rules[f.rule]?.category ?? 'other';
      byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
    }
    for (const category of [...byCategory.keys()].sort(compareStrings)) {
      const n = byCategory.get(category) ?? 0;
      const sentence = CATEGORY_SENTENCES[category];
      bullets.push(sentence === undefined ? `${count(n, 'other finding')}.` : sentence(n));
    }

    const ranked = sortedKeys(summary.byRule)
      .filter((id) => summary.byRule[id] > 0)
      .sort((a, b) => summary.byRule[b] - summary.byRule[a] || compareStrings(a, b));
    if (ranked.length > 0) {
      const top = ranked[0];
      const topCount = summary.byRule[top];
      const bottomCount = summary.byRule[ranked[ranked.length - 1]];
      if (ranked.length === 1) {
        bullets.push(`All findings come from one rule, ${ruleLabel(run, top)}.`);
      } else if (topCount * 2 > summary.findings) {
        bullets.push(`${ruleLabel(run, top)} dominates, with ${topCount} of the ${summary.findings} findings.`);
      } else if (topCount === bottomCount) {
        bullets.push(`The findings are spread evenly over ${ranked.length} rules.`);
      } else {
        const leaders = ranked.slice(0, 3).map((id) => `${ruleLabel(run, id)} with ${summary.byRule[id]}`);
        bullets.push(`No single rule dominates; the most frequent are ${listing(leaders)}.`);
      }
    }
    out.push(...bullets.map((b) => `- ${b}`));
  }
  const workload = workloadSummary(run);
  if (workload.length > 0) out.push('', ...workload);
  if (run.errors.length > 0) {
    out.push('');
    out.push(
      run.errors.length === 1
        ? '1 file could not be fully read, so findings in it may be missing; it is listed at the end.'
        : `${run.errors.length} files could not be fully read, so findings in them may be missing; they are listed at the end.`,
    );
  }
  return out;
}

/** `started at `a.py:10` via `threading.Thread`` for each entry point. */
function startedAt(entries: EntryPoint[]): string {
  return `started at ${listing(entries.map((e) => `${mdCode(`${e.file}:${e.line}`)} via ${mdCode(e.via)}`))}`;
}

function concurrency(run: AuditRun): string[] {
  if (profiled(run).length === 0) return [];
  const threads = run.assessment?.threads ?? [];
  const fight = threads.filter((t) => t.verdict === 'fights-gil').map((t) => {
    const remedy = t.remedy === '' ? '' : ` ${mdText(t.remedy)}`;
    return `${mdCode(t.qualname)}, ${CLASSIFICATION_LABELS[t.classification].replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase())}, ${startedAt(t.startedAt)}.${remedy}`;
  });
  const scale = threads.filter((t) => t.verdict === 'scales').map((t) => {
    const why =
      t.classification === 'io'
        ? 'Threads are a good fit: it waits on I/O, and the GIL is released while it waits.'
        : 'Threads are a good fit: the native code it runs releases the GIL, so the threads run in parallel.';
    return `${mdCode(t.qualname)}, ${startedAt(t.startedAt)}. ${why}`;
  });
  return [
    '## Concurrency',
    '',
    `Functions started on threads (${mdCode('threading.Thread')}, thread pools, ${mdCode('asyncio.to_thread')}), by whether threads help them.`,
    '',
    '### Threads that fight the GIL',
    '',
    ...shortList(fight, 'No thread runs CPU-bound Python.'),
    '',
    '### Threads that scale',
    '',
    ...shortList(scale, 'No thread target was found to wait on I/O or to run native code that releases the GIL.'),
  ];
}

/** A call chain as a Mermaid flowchart block. */
const mermaid: FlowRenderer = (chain) => ['```mermaid', mermaidFlowchart(chain), '```'];

/** The report as Markdown, drawing call chains with `flow`; the HTML page passes its own. */
export function markdownDocument(run: AuditRun, flow: FlowRenderer): string {
  const chapters = [
    executiveSummary(run),
    actionPlan(run),
    rootCauses(run, flow),
    hotPaths(run),
    concurrency(run),
    readinessChapter(run),
    testCodeSection(run),
    methodSection(run),
    scoringSection(),
    rulesAppendix(run),
    errorSection(run),
  ].filter((s) => s.length > 0);
  const sections = [cover(run), contents(chapters), ...chapters].filter((s) => s.length > 0);
  const text = sections.map((s) => s.join('\n').replace(/\n+$/, '')).join('\n\n');
  return `${text}\n`;
}

/** Renders the run as the Markdown audit report. */
export function markdownReporter(run: AuditRun, _options: ReportOptions): string {
  return markdownDocument(run, mermaid);
}
