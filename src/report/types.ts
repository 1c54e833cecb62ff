/**
 * Reporter contract: the options every reporter takes and the shape of a reporter.
 *
 * Stage: report. Input: an `AuditRun` and `ReportOptions`. Output: the report as one string.
 */

import type { AuditRun } from '../model/types.js';

/** Presentation options shared by all reporters; analysis options never reach this stage. */
export interface ReportOptions {
  /** Colour the output with ANSI escapes (terminal text only; other formats ignore it). */
  color?: boolean;
  /**
   * Where the audit root lies below the repository root (`services/api`; '' or absent when they
   * are the same). SARIF and `github` paths are relative to the repository root, where code
   * scanning and annotations look for them; the other formats stay relative to the audit root.
   */
  repositoryPrefix?: string;
}

/**
 * A reporter: a pure function from an audit run to the report text. It never reads files,
 * never computes analysis, and returns the same string for the same input.
 */
export type Reporter = (run: AuditRun, options: ReportOptions) => string;

/**
 * The same text in pieces, for the formats whose size grows with the project (JSON, SARIF), so
 * that a large report is written without ever being held whole.
 */
export type PiecesReporter = (run: AuditRun, options: ReportOptions) => Iterable<string>;
