/**
 * Finding and AuditRun: what the analysis hands to the reporters.
 *
 * Stage: findings. Reporters only present these; they never compute analysis.
 */

export type Severity = 'error' | 'warning' | 'note';
export type Confidence = 'high' | 'medium' | 'low';

/** One hop of the evidence chain: the function that makes the next call, and where. */
export interface ChainStep {
  /** Qualified name: `app.handlers.fetch` or, for the final API, the API itself (`time.sleep`). */
  function: string;
  /** File of the call made by `function` (empty for an external API). */
  file: string;
  /** Line of that call. */
  line: number;
}

export interface Finding {
  rule: string;
  /** The rule's kebab-case name. */
  name: string;
  severity: Severity;
  confidence: Confidence;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  /** What to do about this very finding. */
  recommendation: string;
  /** Codes of other tools for the same problem (`ASYNC251`). */
  equivalents: string[];
  /**
   * Evidence: for a direct finding, the enclosing function then the API; for a transitive one,
   * each hop from the coroutine down to the blocking API.
   */
  chain: ChainStep[];
  /** Qualified name of the enclosing function. */
  function: string;
  /** Stable identity for baselines: rule + file + function + normalised callee. */
  fingerprint: string;
  /** The source line, trimmed, for code frames. */
  snippet: string;
}

export interface FileError {
  file: string;
  message: string;
}

/** Rule metadata as loaded from `rules/<category>/<ID>-<name>.yaml`. */
export interface RuleMeta {
  id: string;
  name: string;
  engine: 'declarative' | 'ts';
  category: string;
  severity: Severity;
  confidence: Confidence;
  status: 'stable' | 'experimental';
  since: string;
  summary: string;
  message: string;
  rationale: string;
  fix: { recommendation: string };
  examples: { bad: string; good: string };
  equivalents: string[];
  references: string[];
  tags?: string[];
  match?: { kinds: string[]; context: 'async-function' };
  /** File it was loaded from, relative to the package root. */
  source: string;
}

export interface AuditSummary {
  files: number;
  lines: number;
  functions: number;
  asyncFunctions: number;
  findings: number;
  bySeverity: Record<Severity, number>;
  byRule: Record<string, number>;
  errors: number;
}

/** The whole result of one audit, input to every reporter. */
export interface AuditRun {
  tool: { name: string; version: string };
  /** The root(s) audited, as given on the command line. */
  roots: string[];
  summary: AuditSummary;
  /** Metadata of every rule that produced a finding, keyed by id. */
  rules: Record<string, RuleMeta>;
  /** Sorted by file, line, column, rule. */
  findings: Finding[];
  /** Sorted by file. */
  errors: FileError[];
}
