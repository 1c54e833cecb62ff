/**
 * SARIF reporter: a SARIF 2.1.0 log for code-scanning services and IDE viewers.
 *
 * Stage: report. Input: an `AuditRun`. Output: one SARIF run whose `driver.rules` come from the
 * rule metadata and whose results carry level, confidence, a `gilAudit/v1` partial fingerprint
 * and the evidence chain as a code flow; file errors become tool execution notifications.
 * Paths are relative URIs against `%SRCROOT%`, the repository root (the first directory above the
 * audit root holding `.git`, or `--root`), which `originalUriBaseIds` describes without naming an
 * absolute path, so the log stays the same on every machine: code scanning resolves it against
 * the checkout.
 */

import path from 'node:path';
import type * as Sarif from 'sarif';
import type { AuditRun, ChainStep, Finding, RuleMeta } from '../model/types.js';
import { fromRepository, posixPath, sortedRules } from './format.js';
import { jsonPieces, jsonText } from '../model/json-text.js';
import type { ReportOptions } from './types.js';

/** The `$schema` written into every log. */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Key of the partial fingerprint that carries `Finding.fingerprint`. */
export const FINGERPRINT_KEY = 'gilAudit/v1';
const SRCROOT = '%SRCROOT%';

/** A lone UTF-16 surrogate (which `encodeURIComponent` refuses). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * One path segment, percent-encoded: everything but unreserved characters and `!'()*` (space,
 * `%`, `#`, `?`, `:`, `\`, controls, non-ASCII as UTF-8), so that the path is a valid relative
 * URI reference whatever its file names hold.
 */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment.replace(LONE_SURROGATE, '\ufffd'));
}

/**
 * An artifact location for a report path: relative against `%SRCROOT%`, or a `file:` URI if
 * absolute. Only on Windows is `\` a separator (or `C:` a drive); elsewhere both are name text.
 */
export function artifactLocation(file: string): Sarif.ArtifactLocation {
  const posix = posixPath(file);
  const drive = path.sep === '\\' && /^[A-Za-z]:\//.test(posix) ? posix.slice(0, 2) : '';
  const encoded = posix.slice(drive.length).split('/').map(encodeSegment).join('/');
  if (drive !== '') return { uri: `file:///${drive}${encoded}` };
  if (posix.startsWith('/')) return { uri: `file://${encoded}` };
  return { uri: encoded, uriBaseId: SRCROOT };
}

function helpMarkdown(rule: RuleMeta): string {
  const parts = [rule.fix.recommendation.trim()];
  if (rule.examples.bad.trim() !== '') parts.push('**Example**', `\`\`\`python\n${rule.examples.bad.trimEnd()}\n\`\`\``);
  if (rule.examples.good.trim() !== '') parts.push('**Use instead**', `\`\`\`python\n${rule.examples.good.trimEnd()}\n\`\`\``);
  if (rule.references.length > 0) parts.push(`**References**\n\n${rule.references.map((r) => `- <${r}>`).join('\n')}`);
  return parts.join('\n\n');
}

function helpText(rule: RuleMeta): string {
  const parts = [rule.fix.recommendation.trim()];
  if (rule.examples.bad.trim() !== '') parts.push(`Example:\n${rule.examples.bad.trimEnd()}`);
  if (rule.examples.good.trim() !== '') parts.push(`Use instead:\n${rule.examples.good.trimEnd()}`);
  if (rule.references.length > 0) parts.push(`References:\n${rule.references.join('\n')}`);
  return parts.join('\n\n');
}

function descriptor(rule: RuleMeta): Sarif.ReportingDescriptor {
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.summary },
    fullDescription: { text: rule.rationale.trim() },
    help: { text: helpText(rule), markdown: helpMarkdown(rule) },
    defaultConfiguration: { level: rule.severity },
    properties: {
      category: rule.category,
      confidence: rule.confidence,
      precision: rule.confidence,
      equivalents: [...rule.equivalents],
      tags: [rule.category, ...(rule.tags ?? [])],
    },
  };
}

function region(line: number, column?: number, endLine?: number, endColumn?: number): Sarif.Region | undefined {
  if (line < 1) return undefined;
  const r: Sarif.Region = { startLine: line };
  if (column !== undefined && column >= 1) r.startColumn = column;
  if (endLine !== undefined && endLine >= line) r.endLine = endLine;
  if (endColumn !== undefined && endColumn >= 1) r.endColumn = endColumn;
  return r;
}

/** Paths of the run as paths from the repository root (see `ReportOptions.repositoryPrefix`). */
type Relocate = (file: string) => string;

function physicalLocation(file: string, r: Sarif.Region | undefined, relocate: Relocate): Sarif.PhysicalLocation {
  const location = artifactLocation(relocate(file));
  return r === undefined ? { artifactLocation: location } : { artifactLocation: location, region: r };
}

function codeFlow(chain: ChainStep[], relocate: Relocate): Sarif.CodeFlow | undefined {
  const locations: Sarif.ThreadFlowLocation[] = [];
  chain.forEach((step, i) => {
    if (step.file === '') return;
    const next = chain[i + 1];
    locations.push({
      location: {
        physicalLocation: physicalLocation(step.file, region(step.line), relocate),
        logicalLocations: [{ fullyQualifiedName: step.function, kind: 'function' }],
        message: { text: next === undefined ? step.function : `${step.function} calls ${next.function}` },
      },
      nestingLevel: i,
      executionOrder: locations.length + 1,
    });
  });
  if (locations.length === 0) return undefined;
  const first = chain[0];
  const last = chain[chain.length - 1];
  return {
    message: { text: `Call path from ${first.function} to ${last.function}` },
    threadFlows: [{ locations }],
  };
}

/** The root-cause group and action of each finding, by fingerprint, as the assessment made them. */
type GroupOf = (fingerprint: string) => { group: string; priority: string } | undefined;

function groupLookup(run: AuditRun): GroupOf {
  const byFingerprint = new Map<string, { group: string; priority: string }>();
  for (const action of run.assessment?.actions ?? []) {
    const group = run.assessment?.groups.find((g) => g.id === action.group);
    for (const site of group?.sites ?? []) byFingerprint.set(site.fingerprint, { group: action.group, priority: action.priority });
  }
  return (fingerprint) => byFingerprint.get(fingerprint);
}

function result(finding: Finding, ruleIndex: Map<string, number>, relocate: Relocate, groupOf: GroupOf): Sarif.Result {
  const grouped = groupOf(finding.fingerprint);
  const location: Sarif.Location = {
    physicalLocation: physicalLocation(finding.file, region(finding.line, finding.column, finding.endLine, finding.endColumn), relocate),
  };
  if (finding.function !== '') location.logicalLocations = [{ fullyQualifiedName: finding.function, kind: 'function' }];
  const flow = codeFlow(finding.chain, relocate);
  const text = finding.recommendation === '' ? finding.message : `${finding.message}. ${finding.recommendation}`;
  return {
    ruleId: finding.rule,
    ...(ruleIndex.has(finding.rule) ? { ruleIndex: ruleIndex.get(finding.rule) } : {}),
    level: finding.severity,
    message: { text },
    locations: [location],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    ...(flow === undefined ? {} : { codeFlows: [flow] }),
    properties: {
      confidence: finding.confidence,
      equivalents: [...finding.equivalents],
      ...(grouped ? { rootCause: grouped.group, priority: grouped.priority } : {}),
    },
  };
}

/** The run's risk, scores and revision (the JSON report's assessment and cover), in the run's property bag. */
function runProperties(run: AuditRun): Sarif.PropertyBag {
  const out: Sarif.PropertyBag = {};
  if (run.cover) {
    out.project = run.cover.project;
    if (run.cover.revision) out.revision = { commit: run.cover.revision.commit, date: run.cover.revision.date, modified: run.cover.revision.modified };
  }
  if (run.assessment) {
    out.risk = run.assessment.risk.level;
    out.scores = Object.fromEntries(run.assessment.areas.map((a) => [a.area, a.score]));
  }
  return out;
}

/** Builds the SARIF log object; `repositoryPrefix` is where the audit root lies below the repository root. */
export function toSarifLog(run: AuditRun, repositoryPrefix = ''): Sarif.Log {
  const relocate: Relocate = (file) => fromRepository(file, repositoryPrefix);
  const rules = sortedRules(run.rules);
  const ruleIndex = new Map(rules.map((rule, i) => [rule.id, i]));
  const groupOf = groupLookup(run);
  const notifications: Sarif.Notification[] = run.errors.map((error) => ({
    level: 'error',
    message: { text: `${relocate(error.file)}: ${error.message}` },
    locations: [{ physicalLocation: physicalLocation(error.file, undefined, relocate) }],
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: run.tool.name,
            version: run.tool.version,
            semanticVersion: run.tool.version,
            rules: rules.map(descriptor),
          },
        },
        invocations: [
          notifications.length === 0
            ? { executionSuccessful: true }
            : { executionSuccessful: true, toolExecutionNotifications: notifications },
        ],
        originalUriBaseIds: {
          [SRCROOT]: { description: { text: 'The root of the repository: the first directory holding .git at or above the audited folder, or the folder given with --root.' } },
        },
        columnKind: 'utf16CodeUnits',
        results: run.findings.map((f) => result(f, ruleIndex, relocate, groupOf)),
        ...(run.assessment || run.cover ? { properties: runProperties(run) } : {}),
      },
    ],
  };
}

/** Renders the run as a SARIF 2.1.0 log. */
export function sarifReporter(run: AuditRun, options: ReportOptions): string {
  return jsonText(toSarifLog(run, options.repositoryPrefix));
}

/** The SARIF log in pieces (see json-text.ts). */
export function sarifPieces(run: AuditRun, options: ReportOptions): Iterable<string> {
  return jsonPieces(toSarifLog(run, options.repositoryPrefix));
}
