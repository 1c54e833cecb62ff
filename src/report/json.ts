/**
 * JSON reporter: the machine-readable report described by `src/schema/report.schema.json`.
 *
 * Stage: report. Input: an `AuditRun`. Output: the report object (`toJsonReport`) or its text,
 * pretty-printed with 2 spaces and a trailing newline. Keys are written in a fixed order and maps
 * are sorted, so the same run always gives byte-identical output.
 */

import type { Assessment, AuditRun, ChainStep, EntryPoint, Evidence, FileError, Finding, FunctionReport, ReadinessReport, ReportCover, RuleMeta } from '../model/types.js';
import { sortedKeys, sortedRules } from './format.js';
import { jsonPieces, jsonText, MappedList } from '../model/json-text.js';
import type { ReportOptions } from './types.js';

/** Version of the JSON report format (the `version` field); bump it on any incompatible change. */
export const JSON_REPORT_VERSION = '1.2';

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

/** One piece of evidence behind a function's classification, as the JSON report publishes it. */
export interface JsonEvidence {
  kind: Evidence['kind'];
  reason: string;
  file: string;
  line: number;
  /** Present only when the evidence comes from a callee. */
  chain?: ChainStep[];
}

/** The workload profile of one function, as the JSON report publishes it. */
export interface JsonFunction {
  qualname: string;
  file: string;
  line: number;
  isAsync: boolean;
  classification: FunctionReport['classification'];
  confidence: FunctionReport['confidence'];
  evidence: JsonEvidence[];
  entryPoints: EntryPoint[];
  hotness: number;
  remedy: string;
}

/** The whole JSON report; `report.schema.json` is its published contract. */
export interface JsonReport {
  version: typeof JSON_REPORT_VERSION;
  tool: { name: string; version: string };
  roots: string[];
  summary: AuditRun['summary'];
  rules: JsonRule[];
  findings: JsonFinding[];
  /** Findings in test code, kept apart from `findings` and the summary counts (absent when none). */
  testFindings?: JsonFinding[];
  /** Hottest first, in the order the analysis ranked them; `[]` when none were profiled. */
  functions: JsonFunction[];
  errors: FileError[];
  /** The free-threading verdict (since 1.1), as the analysis built it. */
  readiness?: ReadinessReport;
  /** Project, revision, title and exclusions (since 1.2; absent when the caller gave none). */
  cover?: ReportCover;
  /** Risk, scores, action plan, root-cause groups and thread verdicts (since 1.2), as the analysis built them. */
  assessment?: Assessment;
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
    chain: jsonChain(finding.chain),
    function: finding.function,
    fingerprint: finding.fingerprint,
    ...(finding.test ? { test: true } : {}),
  };
}

function jsonChain(chain: ChainStep[]): ChainStep[] {
  return chain.map((step) => ({ function: step.function, file: step.file, line: step.line }));
}

function jsonEvidence(evidence: Evidence): JsonEvidence {
  const out: JsonEvidence = { kind: evidence.kind, reason: evidence.reason, file: evidence.file, line: evidence.line };
  if (evidence.chain !== undefined) out.chain = jsonChain(evidence.chain);
  return out;
}

function jsonFunction(fn: FunctionReport): JsonFunction {
  return {
    qualname: fn.qualname,
    file: fn.file,
    line: fn.line,
    isAsync: fn.isAsync,
    classification: fn.classification,
    confidence: fn.confidence,
    evidence: fn.evidence.map(jsonEvidence),
    entryPoints: fn.entryPoints.map((entry) => ({ kind: entry.kind, file: entry.file, line: entry.line, via: entry.via })),
    hotness: fn.hotness,
    remedy: fn.remedy,
  };
}

function jsonCover(cover: ReportCover): ReportCover {
  return {
    title: cover.title,
    project: cover.project,
    ...(cover.revision ? { revision: { commit: cover.revision.commit, date: cover.revision.date, modified: cover.revision.modified } } : {}),
    excluded: [...cover.excluded],
    gitignore: cover.gitignore,
    trackedOnly: cover.trackedOnly,
    tests: cover.tests,
  };
}

function jsonAssessment(a: Assessment): Assessment {
  return {
    risk: { level: a.risk.level, reason: a.risk.reason },
    areas: a.areas.map((x) => ({ area: x.area, score: x.score, rating: x.rating, groups: x.groups, basis: x.basis })),
    actions: a.actions.map((x) => ({ priority: x.priority, effort: x.effort, impact: x.impact, group: x.group, text: x.text })),
    groups: a.groups.map((g) => ({
      id: g.id, kind: g.kind, area: g.area, rules: [...g.rules], severity: g.severity, confidence: g.confidence, title: g.title,
      ...(g.function ? { function: { qualname: g.function.qualname, file: g.function.file, line: g.function.line } } : {}),
      ...(g.api !== undefined ? { api: g.api } : {}),
      remedy: g.remedy,
      chain: jsonChain(g.chain),
      sites: g.sites.map((s) => ({ file: s.file, line: s.line, column: s.column, function: s.function, rule: s.rule, fingerprint: s.fingerprint })),
    })),
    threads: a.threads.map((t) => ({
      qualname: t.qualname, file: t.file, line: t.line, classification: t.classification, verdict: t.verdict,
      startedAt: t.startedAt.map((e) => ({ kind: e.kind, file: e.file, line: e.line, via: e.via })), remedy: t.remedy,
    })),
  };
}

/** How the report's long lists (findings, profiles) are made from the run's: whole, or item by item. */
type ListOf = <T, U>(items: readonly T[], map: (item: T) => U) => U[];
const whole: ListOf = (items, map) => items.map(map);
/** Lists made as they are written (json-text.ts): on a large project the copy, made whole, doubled the run at the report's peak. */
const asWritten: ListOf = (items, map) => new MappedList(items, map) as unknown as ReturnType<typeof map>[];

/** Builds the JSON report object, with every key in its published order. */
export function toJsonReport(run: AuditRun, list: ListOf = whole): JsonReport {
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
      ...(summary.testFindings ? { testFindings: summary.testFindings } : {}),
    },
    rules: sortedRules(run.rules).map(jsonRule),
    findings: list(run.findings, jsonFinding),
    ...(run.testFindings?.length ? { testFindings: list(run.testFindings, jsonFinding) } : {}),
    // Already ranked hottest first by the analysis: kept in that order, never re-ranked here.
    functions: list(run.functions ?? [], jsonFunction),
    errors: run.errors.map((error) => ({ file: error.file, message: error.message })),
    ...(run.readiness ? { readiness: run.readiness } : {}),
    ...(run.cover ? { cover: jsonCover(run.cover) } : {}),
    ...(run.assessment ? { assessment: jsonAssessment(run.assessment) } : {}),
  };
}

/** Renders the run as the JSON report. */
export function jsonReporter(run: AuditRun, _options: ReportOptions): string {
  return jsonText(toJsonReport(run, asWritten));
}

/** The JSON report in pieces (see json-text.ts). */
export function jsonReportPieces(run: AuditRun, _options: ReportOptions): Iterable<string> {
  return jsonPieces(toJsonReport(run, asWritten));
}
