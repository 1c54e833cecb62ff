/**
 * JSON reporter: the machine-readable report described by `src/schema/report.schema.json`.
 *
 * Stage: report. Input: an `AuditRun`. Output: the report object (`toJsonReport`) or its text,
 * pretty-printed with 2 spaces and a trailing newline. Keys are written in a fixed order and maps
 * are sorted, so the same run always gives byte-identical output.
 */

import type { AuditRun, ChainStep, FileError, Finding, RuleMeta } from '../findings/types.js';
import { sortedKeys, sortedRules } from './format.js';
import type { ReportOptions } from './types.js';

/** Version of the JSON report format (the `version` field); bump it on any incompatible change. */
export const JSON_REPORT_VERSION = '1.0';

/** Rule metadata as the JSON report publishes it. */
export interface JsonRule {
  id: string;
  name: string;
  severity: RuleMeta['severity'];
  confidence: RuleMeta['confidence'];
  category: string;
  summary: string;
  rationale: string;
  recommendation: string;
  equivalents: string[];
  references: string[];
}

/** One finding as the JSON report publishes it. */
export interface JsonFinding {
  rule: string;
  name: string;
  severity: Finding['severity'];
  confidence: Finding['confidence'];
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  recommendation: string;
  equivalents: string[];
  chain: ChainStep[];
  function: string;
  fingerprint: string;
}

/** The whole JSON report; `report.schema.json` is its published contract. */
export interface JsonReport {
  version: typeof JSON_REPORT_VERSION;
  tool: { name: string; version: string };
  roots: string[];
  summary: AuditRun['summary'];
  rules: JsonRule[];
  findings: JsonFinding[];
  errors: FileError[];
}

function jsonRule(rule: RuleMeta): JsonRule {
  return {
    id: rule.id,
    name: rule.name,
    severity: rule.severity,
    confidence: rule.confidence,
    category: rule.category,
    summary: rule.summary,
    rationale: rule.rationale,
    recommendation: rule.fix.recommendation,
    equivalents: [...rule.equivalents],
    references: [...rule.references],
  };
}

function jsonFinding(finding: Finding): JsonFinding {
  return {
    rule: finding.rule,
    name: finding.name,
    severity: finding.severity,
    confidence: finding.confidence,
    file: finding.file,
    line: finding.line,
    column: finding.column,
    endLine: finding.endLine,
    endColumn: finding.endColumn,
    message: finding.message,
    recommendation: finding.recommendation,
    equivalents: [...finding.equivalents],
    chain: finding.chain.map((step) => ({ function: step.function, file: step.file, line: step.line })),
    function: finding.function,
    fingerprint: finding.fingerprint,
  };
}

/** Builds the JSON report object, with every key in its published order. */
export function toJsonReport(run: AuditRun): JsonReport {
  const { summary } = run;
  const byRule: Record<string, number> = {};
  for (const id of sortedKeys(summary.byRule)) byRule[id] = summary.byRule[id];
  return {
    version: JSON_REPORT_VERSION,
    tool: { name: run.tool.name, version: run.tool.version },
    roots: [...run.roots],
    summary: {
      files: summary.files,
      lines: summary.lines,
      functions: summary.functions,
      asyncFunctions: summary.asyncFunctions,
      findings: summary.findings,
      bySeverity: {
        error: summary.bySeverity.error,
        warning: summary.bySeverity.warning,
        note: summary.bySeverity.note,
      },
      byRule,
      errors: summary.errors,
    },
    rules: sortedRules(run.rules).map(jsonRule),
    findings: run.findings.map(jsonFinding),
    errors: run.errors.map((error) => ({ file: error.file, message: error.message })),
  };
}

/** Renders the run as the JSON report. */
export function jsonReporter(run: AuditRun, _options: ReportOptions): string {
  return `${JSON.stringify(toJsonReport(run), null, 2)}\n`;
}
