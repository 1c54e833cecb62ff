/**
 * Reporter registry: every output format by name, and `render` to produce one.
 *
 * Stage: report. Input: a format name, an `AuditRun` and `ReportOptions`. Output: the report text.
 */

import type { AuditRun, RunPart } from '../model/types.js';
import { githubReporter } from './github.js';
import { htmlReporter } from './html.js';
import { jsonReportPieces, jsonReporter } from './json.js';
import { markdownReporter } from './markdown.js';
import { sarifPieces, sarifReporter } from './sarif.js';
import { textReporter } from './text.js';
import type { PiecesReporter, ReportOptions, Reporter } from './types.js';

export type { PiecesReporter, ReportOptions, Reporter } from './types.js';

/** Output formats, in the order help text lists them. */
export const REPORT_FORMATS = ['text', 'json', 'markdown', 'sarif', 'html', 'github'] as const;

/** A format name accepted by `render`. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The reporter for each format. */
export const reporters: Record<ReportFormat, Reporter> = {
  text: textReporter,
  json: jsonReporter,
  markdown: markdownReporter,
  sarif: sarifReporter,
  html: htmlReporter,
  github: githubReporter,
};

/** Whether `name` is a known format (for validating `--format`). */
export function isReportFormat(name: string): name is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(name);
}

/**
 * The members of the run beyond findings and summary (RUN_PARTS) each format shows: the others
 * are not read back from the run memo for it (see cache/run-memo.ts).
 */
export const REPORT_PARTS: Record<ReportFormat, readonly RunPart[]> = {
  text: [],
  json: ['functions', 'assessment'],
  markdown: ['functions', 'assessment'],
  sarif: ['assessment'],
  html: ['functions', 'assessment'],
  github: ['assessment'],
};

/** The formats that can be written in pieces. */
const piecewise: Partial<Record<ReportFormat, PiecesReporter>> = { json: jsonReportPieces, sarif: sarifPieces };

/** Renders `run` in `format`. */
export function render(format: ReportFormat, run: AuditRun, options: ReportOptions = {}): string {
  return reporters[format](run, options);
}

/** The text `render` gives, in pieces where the format allows (to be written as they come). */
export function renderPieces(format: ReportFormat, run: AuditRun, options: ReportOptions = {}): Iterable<string> {
  const pieces = piecewise[format];
  return pieces ? pieces(run, options) : [render(format, run, options)];
}
