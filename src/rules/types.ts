/**
 * What a rule sees and what it returns.
 *
 * Stage: rules. Rules read only the RuleContext (the classified index); they never read files or
 * parse. A RawFinding still points at facts; the findings stage turns it into a Finding.
 */
import type { CallFact, Span } from '../facts/types.js';
import type { ChainStep, Confidence, RuleMeta, Severity } from '../model/types.js';
import type { FunctionNode, ProjectIndex } from '../graph/index.js';
import type { ClassifiedProject } from '../classify/index.js';
import type { FileSuppression, ReadinessFacts } from '../readiness/types.js';

/** The classified project (see classify/index.ts), the readiness facts, and the rule selection. */
export interface RuleContext extends ClassifiedProject {
  index: ProjectIndex;
  /** Dependencies, native modules and free-threading problems of the project's other files. */
  readiness: ReadinessFacts;
  rules: Map<string, RuleMeta>;
  isSelected(id: string): boolean;
  /** The declarative rule that reports direct calls of this catalogue kind, unless it is explicitly ignored. */
  ruleForKind(kind: string): RuleMeta | undefined;
}

export interface RawFinding {
  rule: RuleMeta;
  severity: Severity;
  confidence: Confidence;
  /** The Python function the finding is in; absent for findings in other files (see `place`). */
  fn?: FunctionNode;
  /**
   * For a finding outside Python code (a manifest line, a C module definition): the file, what
   * stands for the function in fingerprints (a package, a module), and that file's suppressions.
   */
  place?: { file: string; subject: string; suppressions: FileSuppression[] };
  /** The call reported, or for findings on a statement (a loop, a def), a stand-in. */
  call: Pick<CallFact, 'callee' | keyof Span>;
  message: string;
  recommendation: string;
  equivalents: string[];
  chain: ChainStep[];
  /** Rules this finding also depends on (a GA110 chain ending in a GA105 API depends on GA105). */
  via?: string;
}

export type RuleImpl = (ctx: RuleContext, rule: RuleMeta) => RawFinding[];
