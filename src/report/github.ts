/**
 * GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding, which
 * the Actions runner turns into annotations on the pull request's diff.
 *
 * Stage: report. Input: an AuditRun; output: the command lines. Values are escaped as the
 * workflow-command syntax requires (`%`, CR, LF; and `:`/`,` inside properties).
 */
import type { AuditRun, Severity } from '../model/types.js';
import type { Reporter } from './types.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', note: 'notice' };

function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export const githubReporter: Reporter = (run: AuditRun) => {
  const lines = run.findings.map((f) => {
    const props = [
      `file=${escapeProperty(f.file)}`, `line=${f.line}`, `col=${f.column}`, `endLine=${f.endLine}`, `endColumn=${f.endColumn}`,
      `title=${escapeProperty(`${f.rule} ${f.name}`)}`,
    ].join(',');
    const via = f.chain.length > 2 ? `\nChain: ${f.chain.map((s) => s.function).join(' → ')}` : '';
    return `::${COMMAND[f.severity]} ${props}::${escapeData(`${f.message}${via}\nFix: ${f.recommendation}`)}`;
  });
  for (const e of run.errors) lines.push(`::warning file=${escapeProperty(e.file)},title=gil-audit could not fully read this file::${escapeData(e.message)}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
};
