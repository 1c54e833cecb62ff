/**
 * GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding, which
 * the Actions runner turns into annotations on the pull request's diff.
 *
 * Stage: report. Input: an AuditRun; output: the command lines. Values are escaped as the
 * workflow-command syntax requires (`%`, CR, LF; and `:`/`,` inside properties), after control
 * characters in audited text are made visible (`visible`): the Actions log is a terminal too.
 * `file=` is relative to the repository root (`ReportOptions.repositoryPrefix`), since that is
 * where GitHub looks for it: an audit of `services/api` still annotates the right files.
 */
import type { AuditRun, Severity } from '../model/types.js';
import { fromRepository, visible } from './format.js';
import type { Reporter } from './types.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', note: 'notice' };

function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export const githubReporter: Reporter = (run: AuditRun, options) => {
  const file = (rel: string) => fromRepository(rel, options.repositoryPrefix);
  // A root cause with several call sites is named on each, so a reviewer fixes it once.
  const shared = new Map<string, string>();
  for (const g of run.assessment?.groups ?? []) {
    if (g.sites.length < 2) continue;
    for (const s of g.sites) shared.set(s.fingerprint, `\nRoot cause ${g.id}, shared by ${g.sites.length} findings: ${visible(g.title)}`);
  }
  const lines = run.findings.map((f) => {
    const props = [
      `file=${escapeProperty(visible(file(f.file)))}`, `line=${f.line}`, `col=${f.column}`, `endLine=${f.endLine}`, `endColumn=${f.endColumn}`,
      `title=${escapeProperty(visible(`${f.rule} ${f.name}`))}`,
    ].join(',');
    const via = f.chain.length > 2 ? `\nChain: ${f.chain.map((s) => visible(s.function)).join(' → ')}` : '';
    return `::${COMMAND[f.severity]} ${props}::${escapeData(`${visible(f.message)}${via}${shared.get(f.fingerprint) ?? ''}\nFix: ${visible(f.recommendation, '\n')}`)}`;
  });
  for (const e of run.errors) {
    lines.push(`::warning file=${escapeProperty(visible(file(e.file)))},title=gil-audit could not fully read this file::${escapeData(visible(e.message))}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
};
