/**
 * Markdown reporter: the audit deliverable, written to be handed to a client as is.
 *
 * Stage: report. Input: an `AuditRun`. Output: GitHub-flavoured Markdown with a scope paragraph,
 * an executive summary generated from the counts, a table by rule, the hot paths and the
 * concurrency verdicts (only when the run has function profiles), the findings grouped by file
 * (code frame, numbered evidence chain, recommendation, rationale) and the files that could not
 * be read. No dates or timings, so the same run gives byte-identical output.
 */

import type { AuditRun, Classification, EntryPoint, Finding, FunctionReport, RuleMeta, Severity } from '../model/types.js';
import { THREAD_ENTRY_KINDS } from '../model/types.js';
import { compareStrings, count, isTransitive, SEVERITIES, sortedKeys, visible } from './format.js';
import type { ReportOptions } from './types.js';
import { readinessChapter } from './markdown-readiness.js';

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

/** Entry points that run the function on a thread of the same interpreter, sharing its GIL. */

/**
 * Escapes `&`, `<` and `>` outside code spans, so text cannot inject HTML into the rendered page;
 * a code span that holds control characters or markup is rewritten by `mdCode`. Line breaks are
 * shown as `\n`, so audited text cannot start a heading or a list, unless `multiline` (text the
 * tool wrote, such as a rule's rationale).
 */
export function mdText(text: string, multiline = false): string {
  return visible(text, multiline ? '\n' : '')
    .split(/(`+[^`]*?`+)/)
    .map((part, i) => {
      if (i % 2 === 0) return part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      const inner = part.replace(/^`+/, '').replace(/`+$/, '');
      return inner.includes('\n') || looksLikeMarkup(inner) ? mdCode(inner) : part;
    })
    .join('');
}

/**
 * Whether `text` holds something a Markdown renderer or a browser could take for HTML: `<!`, `<?`
 * or `</`; a tag with attributes (`<img src=x`); or a tag whose name could be an element's
 * (`<script>`, `<module>`). `<lambda:56>` is none of these: a colon is in no element's name.
 */
function looksLikeMarkup(text: string): boolean {
  return /<[!?/]|<[A-Za-z][^\s/>]*[\s/]|<[A-Za-z][A-Za-z0-9-]*(?:>|$)/.test(text);
}

/** Every character but ASCII letters, digits, spaces and non-ASCII text, as `&#N;`. */
function entities(text: string): string {
  return text.replace(/[^A-Za-z0-9 \u0080-\uffff]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A Markdown code span showing `text` verbatim (control characters and line breaks as escapes,
 * see `visible`), whatever backticks it contains. Text that looks like markup goes in an HTML
 * `<code>` element instead, with every markup character as a character reference: inside a code
 * span a `<` would reach a renderer raw, and only the code span keeps it from being a tag.
 */
export function mdCode(raw: string): string {
  const text = visible(raw);
  if (looksLikeMarkup(text)) return `<code>${entities(text)}</code>`;
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block holding `text` verbatim, tabs kept and other control characters escaped. */
function mdFence(raw: string, lang: string): string {
  const text = visible(raw, '\t');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** Free text for a table cell: one line, HTML escaped outside code spans, pipes escaped. */
function textCell(text: string): string {
  return cell(mdText(text.trim().replace(/\s*\n\s*/g, ' ')));
}

/** `1,234`: digit grouping that does not depend on the locale. */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `a`, `a and b`, `a, b and c`. */
function listing(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function ruleLabel(run: AuditRun, id: string): string {
  const name = run.rules[id]?.name ?? run.findings.find((f) => f.rule === id)?.name;
  return name === undefined ? id : `${id} (${mdCode(name)})`;
}

function isEventLoopFinding(run: AuditRun, finding: Finding): boolean {
  const category = run.rules[finding.rule]?.category;
  return category === undefined ? /^GA1\d\d$/.test(finding.rule) : category === 'async-blocking';
}

function scope(run: AuditRun): string[] {
  const { summary } = run;
  const roots = run.roots.length === 0 ? 'the given sources' : listing(run.roots.map(mdCode));
  return [
    '## Scope',
    '',
    `This report covers ${roots}: ${count(summary.files, 'Python file')} and ${grouped(summary.lines)} ${summary.lines === 1 ? 'line' : 'lines'}, ` +
      `with ${count(summary.functions, 'function')} analysed, ${grouped(summary.asyncFunctions)} of them ${mdCode('async def')}. ` +
      `It was produced by ${mdText(run.tool.name)} ${mdText(run.tool.version)}, which reads the source statically: the audited code is never imported or run.`,
  ];
}

/** The function profiles of the run, hottest first as the analysis ranked them. */
function profiled(run: AuditRun): FunctionReport[] {
  return run.functions ?? [];
}

/** The entry points that start `fn` on a thread, without repeats. */
function threadEntries(fn: FunctionReport): EntryPoint[] {
  const seen = new Set<string>();
  return fn.entryPoints.filter((e) => {
    const key = `${e.file}\0${e.line}\0${e.via}`;
    if (!THREAD_ENTRY_KINDS.has(e.kind) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Thread targets whose CPU-bound Python serialises on the GIL. */
function fightsTheGil(fn: FunctionReport): boolean {
  return (fn.classification === 'cpu-gil' || fn.classification === 'mixed') && threadEntries(fn).length > 0;
}

/** Thread targets that threads do speed up: they wait on I/O or run native code without the GIL. */
function scalesOnThreads(fn: FunctionReport): boolean {
  return (fn.classification === 'io' || fn.classification === 'releases-gil') && threadEntries(fn).length > 0;
}

/** The executive-summary paragraph on the function profiles; nothing when there are none. */
function workloadSummary(run: AuditRun): string[] {
  const fns = profiled(run);
  if (fns.length === 0) return [];
  const cpu = fns.filter((f) => f.classification === 'cpu-gil').length;
  const mixed = fns.filter((f) => f.classification === 'mixed').length;
  const fighting = fns.filter(fightsTheGil).length;
  const parts = [cpu === 0 ? 'none of them is CPU-bound Python that holds the GIL' : `${cpu} ${cpu === 1 ? 'is' : 'are'} CPU-bound Python that holds the GIL`];
  if (mixed > 0) parts.push(`${mixed} ${mixed === 1 ? 'mixes' : 'mix'} CPU work and I/O`);
  let text = `**${count(fns.length, 'function was', 'functions were')} classified by workload** (see Hot paths): ${listing(parts)}.`;
  if (fighting > 0) text += ` ${count(fighting, 'thread target fights', 'thread targets fight')} the GIL (see Concurrency).`;
  return [text];
}

function executiveSummary(run: AuditRun): string[] {
  const { summary } = run;
  const out = ['## Executive summary', ''];
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
          'a coroutine calls ordinary functions that end in a blocking call. Each finding below lists the calls hop by hop.',
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
        ? '1 file could not be fully read, so findings in it may be missing; it is listed in the last section.'
        : `${run.errors.length} files could not be fully read, so findings in them may be missing; they are listed in the last section.`,
    );
  }
  return out;
}

function severitiesOf(run: AuditRun, id: string): string {
  const seen = new Set<Severity>(run.findings.filter((f) => f.rule === id).map((f) => f.severity));
  const rule: RuleMeta | undefined = run.rules[id];
  if (seen.size === 0 && rule !== undefined) seen.add(rule.severity);
  return SEVERITIES.filter((s) => seen.has(s)).join(', ');
}

function ruleTable(run: AuditRun): string[] {
  const ids = sortedKeys(run.summary.byRule).filter((id) => run.summary.byRule[id] > 0);
  if (ids.length === 0) return [];
  const out = ['## Findings by rule', '', '| Rule | Name | Severity | Count |', '| --- | --- | --- | ---: |'];
  for (const id of ids) {
    const name = run.rules[id]?.name ?? run.findings.find((f) => f.rule === id)?.name ?? '';
    out.push(`| ${cell(id)} | ${cell(name === '' ? '' : mdCode(name))} | ${severitiesOf(run, id)} | ${run.summary.byRule[id]} |`);
  }
  return out;
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

/** `started at `a.py:10` via `threading.Thread`` for each thread entry point of `fn`. */
function startedAt(fn: FunctionReport): string {
  return `started at ${listing(threadEntries(fn).map((e) => `${mdCode(`${e.file}:${e.line}`)} via ${mdCode(e.via)}`))}`;
}

/** A bulleted list of at most `CONCURRENCY_SHOWN` items, or `empty` when there are none. */
function shortList(items: string[], empty: string): string[] {
  if (items.length === 0) return [empty];
  const out = items.slice(0, CONCURRENCY_SHOWN).map((item) => `- ${item}`);
  if (items.length > CONCURRENCY_SHOWN) out.push(`- … and ${items.length - CONCURRENCY_SHOWN} more, listed in the JSON report.`);
  return out;
}

function concurrency(run: AuditRun): string[] {
  const fns = profiled(run);
  if (fns.length === 0) return [];
  const fight = fns.filter(fightsTheGil).map((fn) => {
    const remedy = fn.remedy.trim() === '' ? '' : ` ${mdText(fn.remedy.trim())}`;
    return `${mdCode(fn.qualname)}, ${CLASSIFICATION_LABELS[fn.classification].replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase())}, ${startedAt(fn)}.${remedy}`;
  });
  const scale = fns.filter(scalesOnThreads).map((fn) => {
    const why =
      fn.classification === 'io'
        ? 'Threads are a good fit: it waits on I/O, and the GIL is released while it waits.'
        : 'Threads are a good fit: the native code it runs releases the GIL, so the threads run in parallel.';
    return `${mdCode(fn.qualname)}, ${startedAt(fn)}. ${why}`;
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

function evidence(finding: Finding): string[] {
  const hops: string[] = [];
  for (let i = 0; i + 1 < finding.chain.length; i++) {
    const from = finding.chain[i];
    const to = finding.chain[i + 1];
    const at = from.file === '' ? '' : ` at ${mdCode(from.line > 0 ? `${from.file}:${from.line}` : from.file)}`;
    hops.push(`${i + 1}. ${mdCode(from.function)} calls ${mdCode(to.function)}${at}`);
  }
  return hops.length === 0 ? [] : ['**Evidence:**', '', ...hops, ''];
}

function findingSection(run: AuditRun, finding: Finding): string[] {
  const rule: RuleMeta | undefined = run.rules[finding.rule];
  const facts = [`**${finding.severity}**`, `confidence ${finding.confidence}`, `in ${mdCode(finding.function)}`];
  if (finding.equivalents.length > 0) facts.push(`same as ${finding.equivalents.map(mdCode).join(', ')}`);
  const out = [
    `### Line ${finding.line}: ${finding.rule} ${mdCode(finding.name)}`,
    '',
    facts.join(' · '),
    '',
    mdText(finding.message),
    '',
  ];
  if (finding.snippet !== '') out.push(mdFence(finding.snippet, 'python'), '');
  out.push(...evidence(finding));
  if (finding.recommendation !== '') out.push(`**Recommendation:** ${mdText(finding.recommendation)}`, '');
  if (rule !== undefined && rule.rationale.trim() !== '') {
    out.push('<details><summary>Why this matters</summary>', '', mdText(rule.rationale.trim(), true), '', '</details>', '');
  }
  return out;
}

function findingsByFile(run: AuditRun): string[] {
  const files = new Map<string, Finding[]>();
  for (const f of run.findings) {
    const list = files.get(f.file);
    if (list === undefined) files.set(f.file, [f]);
    else list.push(f);
  }
  const out: string[] = [];
  for (const [file, findings] of files) {
    out.push(`## ${mdCode(file)}`, '', `${count(findings.length, 'finding')}.`, '');
    for (const f of findings) out.push(...findingSection(run, f));
  }
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

/** Renders the run as the Markdown audit report. */
export function markdownReporter(run: AuditRun, _options: ReportOptions): string {
  const sections = [
    ['# gil-audit report'],
    scope(run),
    executiveSummary(run),
    ruleTable(run),
    hotPaths(run),
    concurrency(run),
    readinessChapter(run),
    findingsByFile(run),
    testCodeSection(run),
    errorSection(run),
  ].filter((s) => s.length > 0);
  const text = sections.map((s) => s.join('\n').replace(/\n+$/, '')).join('\n\n');
  return `${text}\n`;
}
