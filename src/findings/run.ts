/**
 * The AuditRun: the rules' raw findings turned into findings (with code frames, fingerprints,
 * baseline, overrides and test code set apart), counted, and assembled with the function
 * profiles, the readiness report and the assessment the reporters present.
 *
 * Stage: findings. Input: plain data from the stages before; output: the AuditRun.
 */
import type { ModuleFacts } from '../facts/types.js';
import type { AuditRun, FileError, FunctionReport, RuleMeta, Severity } from '../model/types.js';
import type { ReadinessFacts } from '../readiness/types.js';
import type { RawFinding } from '../rules/types.js';
import { buildFindings } from './build.js';
import { assess } from './groups.js';
import { applyOverrides, type PerFileIgnores, type SeverityOverrides } from './overrides.js';
import { readinessReport } from './readiness.js';
import { isTestPath, type TestsMode } from './test-code.js';

export interface RunInputs {
  tool: AuditRun['tool'];
  roots: string[];
  modules: readonly ModuleFacts[];
  /** Every function and method (no module bodies): what the summary counts. */
  functions: readonly { isAsync: boolean }[];
  raw: RawFinding[];
  rules: Map<string, RuleMeta>;
  /**
   * The profile of every function worth reporting. Test code never ranks among the hot paths
   * unless its findings count: classification profiles it only with `--tests include`.
   */
  profiles: FunctionReport[];
  /**
   * Functions started on threads whose CPU work holding the GIL is proven heavy (by qualname):
   * free-threading would run them in parallel (see readiness.ts).
   */
  provenThreadCpu: ReadonlySet<string>;
  readiness: ReadinessFacts & { errors: FileError[] };
  /** A file's lines (for code frames), by audit-relative path. */
  lines: (rel: string) => string[];
  options: {
    baseline?: Set<string>;
    reportOnly?: string[];
    perFileIgnores?: PerFileIgnores;
    severity?: SeverityOverrides;
    tests?: TestsMode;
  };
}

export function buildRun(input: RunInputs): AuditRun {
  const { options, rules: byId } = input;
  const reported = options.reportOnly && new Set(options.reportOnly);
  const built = buildFindings(input.raw, input.lines).filter((f) => !options.baseline?.has(f.fingerprint) && (!reported || reported.has(f.file)));
  const all = applyOverrides(built, options.perFileIgnores, options.severity);
  const tests = options.tests ?? 'separate';
  for (const f of all) if (isTestPath(f.file)) f.test = true;
  const findings = tests === 'include' ? all : all.filter((f) => !f.test);
  const testFindings = tests === 'separate' ? all.filter((f) => f.test) : [];
  const errors: FileError[] = [...input.readiness.errors];
  for (const m of input.modules) {
    for (const issue of m.issues) errors.push({ file: m.path, message: issue.line ? `line ${issue.line}: ${issue.message}` : issue.message });
  }
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  const byRule: Record<string, number> = {};
  const fired: Record<string, RuleMeta> = {};
  for (const f of findings) {
    bySeverity[f.severity]++;
    byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
    fired[f.rule] = byId.get(f.rule)!;
  }
  for (const f of testFindings) fired[f.rule] = byId.get(f.rule)!;
  const run: AuditRun = {
    tool: input.tool,
    roots: input.roots,
    summary: {
      files: input.modules.length,
      lines: input.modules.reduce((n, m) => n + m.lines, 0),
      functions: input.functions.length,
      asyncFunctions: input.functions.filter((f) => f.isAsync).length,
      findings: findings.length,
      bySeverity,
      byRule: Object.fromEntries(Object.entries(byRule).sort(([a], [b]) => (a < b ? -1 : 1))),
      errors: errors.length,
      ...(testFindings.length > 0 ? { testFindings: testFindings.length } : {}),
    },
    rules: Object.fromEntries(Object.entries(fired).sort(([a], [b]) => (a < b ? -1 : 1))),
    findings,
    ...(testFindings.length > 0 ? { testFindings } : {}),
    errors,
    functions: input.profiles,
    readiness: readinessReport(input.readiness, findings, input.profiles, input.provenThreadCpu, byId),
  };
  run.assessment = assess(run);
  return run;
}

/** Members whose strings are never names to rewrite: paths, code as written, and fingerprints (kept stable). */
const KEPT = new Set(['file', 'snippet', 'fingerprint', 'path']);

/**
 * Rewrites, in place, every name the run shows (not paths, code or fingerprints) with `rename`:
 * the names Python imports modules by (graph/import-names.ts). Every occurrence is rewritten
 * alike, so the assessment's groups stay as they were made.
 */
export function showImportNames(run: AuditRun, rename: (text: string) => string): void {
  const visit = (value: unknown): unknown => {
    if (typeof value === 'string') return rename(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = visit(value[i]);
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) if (!KEPT.has(key)) record[key] = visit(record[key]);
    }
    return value;
  };
  for (const part of ['findings', 'testFindings', 'functions', 'readiness', 'assessment'] as const) visit(run[part]);
}
