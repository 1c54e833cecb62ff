/**
 * Terminal text reporter: one block per finding with its call chain, code frame and help.
 *
 * Stage: report. Input: an `AuditRun` and `ReportOptions` (`color` turns on ANSI colours via
 * picocolors). Output: plain text ending with a newline, `path:line:col: RULE message` per finding
 * followed by a summary line and any file errors. Control characters in audited text are shown
 * as escapes (`visible`), so a hostile file name or source line cannot drive the terminal.
 */

import pc from 'picocolors';
import type { AuditRun, Finding, Severity } from '../model/types.js';
import { count, isTransitive, visible } from './format.js';
import type { ReportOptions } from './types.js';

type Colors = ReturnType<typeof pc.createColors>;

/** Indentation of everything printed under a finding's first line. */
const INDENT = '    ';
/** Width of the line-number gutter in the code frame. */
const GUTTER = 5;

const IDENT = /[A-Za-z0-9_]/;
const SPAN_START = /[A-Za-z_(\[{"']/;
const SPAN_END = /[A-Za-z0-9_)\]}"']/;

/**
 * Where the finding's span lies inside `finding.snippet`. The snippet is the whole source line,
 * so the column is the offset when the text there fits. For a snippet that lost its indentation
 * (hand-made runs), an offset is returned only when exactly one fits: the span is on one line, the candidate text starts and
 * ends on expression characters with word boundaries either side, and, to break ties, contains
 * the last name segment of the callee at that location. Otherwise `undefined` (no caret is shown).
 */
export function caretSpan(finding: Finding): { start: number; width: number } | undefined {
  const { snippet, line, endLine, column, endColumn } = finding;
  const width = endColumn - column;
  if (snippet === '' || endLine !== line || width < 1 || width > snippet.length) return undefined;
  // The snippet is the whole source line: the column is the offset, when the text there fits.
  const exact = column - 1;
  const before = snippet[exact - 1] ?? ' ';
  if (exact + width <= snippet.length && SPAN_START.test(snippet[exact]) && !IDENT.test(before) && before !== '.') {
    return { start: exact, width };
  }
  const candidates: number[] = [];
  const last = Math.min(column - 1, snippet.length - width);
  for (let start = 0; start <= last; start++) {
    const end = start + width;
    if (!SPAN_START.test(snippet[start]) || !SPAN_END.test(snippet[end - 1])) continue;
    if (start > 0 && (IDENT.test(snippet[start - 1]) || snippet[start - 1] === '.')) continue;
    if (end < snippet.length && IDENT.test(snippet[end]) && IDENT.test(snippet[end - 1])) continue;
    candidates.push(start);
  }
  if (candidates.length === 1) return { start: candidates[0], width };
  const callee = finding.chain[1]?.function ?? '';
  const name = callee.slice(callee.lastIndexOf('.') + 1);
  if (name === '') return undefined;
  const named = candidates.filter((start) => snippet.slice(start, start + width).includes(name));
  return named.length === 1 ? { start: named[0], width } : undefined;
}

function severityColor(c: Colors, severity: Severity): (s: string) => string {
  switch (severity) {
    case 'error':
      return c.red;
    case 'warning':
      return c.yellow;
    case 'note':
      return c.cyan;
  }
}

function renderFinding(finding: Finding, c: Colors): string[] {
  const color = severityColor(c, finding.severity);
  const lines = [
    `${c.bold(`${visible(finding.file)}:${finding.line}:${finding.column}:`)} ${color(c.bold(finding.rule))} ${visible(finding.message)}`,
  ];
  if (isTransitive(finding)) {
    for (const step of finding.chain) {
      const where = step.file === '' ? '' : ` (${visible(step.file)}:${step.line})`;
      lines.push(c.dim(`${INDENT}via ${visible(step.function)}${where}`));
    }
  }
  if (finding.snippet !== '') {
    const gutter = String(finding.line).padStart(GUTTER);
    lines.push(`${c.blue(`${gutter} |`)} ${visible(finding.snippet, '\t')}`);
    const caret = caretSpan(finding);
    if (caret !== undefined) {
      // Tabs stay tabs under the code, so the caret lines up however the terminal shows them;
      // an escaped character is as wide as its escape.
      const before = visible(finding.snippet.slice(0, caret.start), '\t');
      const under = visible(finding.snippet.slice(caret.start, caret.start + caret.width), '\t');
      const marks = before.replace(/[^\t]/g, ' ') + '^'.repeat(under.length);
      lines.push(`${c.blue(`${' '.repeat(GUTTER)} |`)} ${color(marks)}`);
    }
  }
  if (finding.recommendation !== '') {
    const [first, ...rest] = finding.recommendation.split('\n').map((line) => visible(line));
    lines.push(`${INDENT}${c.cyan('= help:')} ${first}`);
    for (const more of rest) lines.push(`${INDENT}        ${more}`);
  }
  return lines;
}

function summaryLine(run: AuditRun): string {
  const files = count(run.summary.files, 'file');
  if (run.summary.findings === 0) return `No findings in ${files}.`;
  const { error, warning, note } = run.summary.bySeverity;
  const bySeverity = [count(error, 'error'), count(warning, 'warning'), count(note, 'note')].join(', ');
  return `Found ${count(run.summary.findings, 'finding')} (${bySeverity}) in ${files}.`;
}

/** Renders the run as terminal text. */
export function textReporter(run: AuditRun, options: ReportOptions): string {
  const c = pc.createColors(options.color === true);
  const out: string[] = [];
  for (const finding of run.findings) {
    out.push(...renderFinding(finding, c), '');
  }
  out.push(c.bold(summaryLine(run)));
  const tests = run.testFindings?.length ?? 0;
  if (tests > 0) out.push(`${count(tests, 'finding')} in test code not counted (use --tests include to report them like the rest).`);
  if (run.errors.length > 0) {
    out.push('', c.red(c.bold(`Could not fully read ${count(run.errors.length, 'file')}:`)));
    for (const error of run.errors) out.push(`  ${c.bold(`${visible(error.file)}:`)} ${visible(error.message)}`);
  }
  return `${out.join('\n')}\n`;
}
