#!/usr/bin/env node
/**
 * The `gil-audit` command: audit paths, list rules, explain one rule.
 *
 * Stage: cli. Exit codes: 0 when nothing is at or above `--fail-on`, 1 when something is,
 * 2 for a usage or configuration error (the message names the file or option and the fix).
 */
import { statSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import pc from 'picocolors';
import { audit } from '../audit.js';
import { DiscoverError } from '../discover/index.js';
import { describeFsError, errorCode } from '../discover/fs-errors.js';
import { parsePatterns, patternMessage, patternProblem } from '../discover/ignore-rules.js';
import { ConfigError } from '../config/schema.js';
import { loadConfig, type Config } from '../config/load.js';
import { baselineText, readBaseline } from '../findings/baseline.js';
import { loadRules } from '../rules/registry.js';
import { loadCatalogue } from '../classify/catalogue.js';
import { REPORT_FORMATS, isReportFormat, render } from '../report/index.js';
import { visible } from '../report/format.js';
import type { RuleMeta, Severity } from '../model/types.js';
import { VERSION } from '../version.js';
import { explainRule, listRules, ruleMarkdown, rulesForCode } from './rules-command.js';
import { TESTS_MODES, type TestsMode } from '../findings/test-code.js';

const FAIL_ON = ['error', 'warning', 'note', 'never'] as const;
const RANK: Record<Severity, number> = { error: 3, warning: 2, note: 1 };

/** `--select GA1,GA2 --select GA3` gives GA1, GA2, GA3. */
const collectList = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
const collect = (value: string, previous: string[] = []) => [...previous, value];

function parsePositive(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} takes a positive number, got '${value}'`);
    return n;
  };
}

class UsageError extends Error {}

/** What to do when writing output failed, by error code. */
const WRITE_FIX: Record<string, string> = {
  ENOENT: 'create its folder first',
  ENOTDIR: 'create its folder first',
  EISDIR: 'give a file name, not a folder',
  EACCES: 'check that it is writable',
  EPERM: 'check that it is writable',
  EROFS: 'write it to a writable file system',
  ENOSPC: 'free some disk space',
  EDQUOT: 'free some disk space',
  EFBIG: 'free some disk space',
};

/** `ENOSPC (no space left on device); free some disk space`: why output could not be written, and the fix. */
function writeProblem(error: unknown): string {
  return `${describeFsError(error)}; ${WRITE_FIX[errorCode(error) ?? ''] ?? 'check that its folder exists and is writable'}`;
}

/** Writes `text` to `file`; a failure is an error (exit 2) naming the file, the cause and the fix. */
function writeOutput(file: string, text: string, what: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new UsageError(`cannot write ${what} to '${file}': ${writeProblem(error)}`);
  }
}

interface AuditFlags {
  format: string;
  output?: string;
  select?: string[];
  ignore?: string[];
  failOn: (typeof FAIL_ON)[number];
  exclude?: string[];
  jobs?: number;
  quiet?: boolean;
  gitignore: boolean;
  trackedOnly?: boolean;
  reportOnly?: string[];
  maxFileSize?: number;
  color?: boolean;
  config: string | boolean;
  baseline?: string;
  writeBaseline?: string;
  tests?: TestsMode;
}

/** The folder configuration is read from: the one directory given, else the current one. */
function configRoot(paths: string[]): string {
  if (paths.length === 1) {
    try {
      if (statSync(paths[0]).isDirectory()) return paths[0];
    } catch {
      // A missing path is reported by discovery.
    }
  }
  return '.';
}

/** Where a setting of `config` lives, for messages: `gil-audit.yaml`, `pyproject.toml [tool.gil-audit]`. */
function configPlace(config: Config): string {
  return config.source === 'pyproject.toml' ? 'pyproject.toml [tool.gil-audit]' : config.source ?? 'the configuration';
}

function warn(message: string): void {
  process.stderr.write(`${pc.yellow('gil-audit: warning:')} ${visible(message)}\n`);
}

/**
 * The rules of `patterns` (`--exclude` values or the configuration's `exclude`) that the matcher
 * can use; each other one is a warning naming `where(i)`, and the run goes on without it.
 */
function usableExcludes(patterns: readonly string[], where: (i: number) => string): string[] {
  const out: string[] = [];
  patterns.forEach((raw, i) => {
    for (const pattern of parsePatterns(raw)) {
      const problem = patternProblem(pattern);
      if (problem === undefined) out.push(pattern);
      else warn(`${where(i)}: ${patternMessage(pattern, problem)}`);
    }
  });
  return out;
}

async function runAudit(paths: string[], flags: AuditFlags, explicit: (name: string) => boolean): Promise<number> {
  const config: Config = flags.config === false ? {} : loadConfig(configRoot(paths), typeof flags.config === 'string' ? flags.config : undefined);
  // Command-line flags win over the configuration file.
  const configured = { select: flags.select === undefined, ignore: flags.ignore === undefined };
  flags.select ??= config.select;
  flags.ignore ??= config.ignore;
  flags.exclude = [
    ...usableExcludes(config.exclude ?? [], (i) => `${configPlace(config)}: exclude[${i}]`),
    ...usableExcludes(flags.exclude ?? [], () => '--exclude'),
  ];
  if (!explicit('failOn') && config['fail-on']) flags.failOn = config['fail-on'];
  flags.maxFileSize ??= config['max-file-size'];
  flags.baseline ??= config.baseline;
  flags.tests ??= config.tests;
  if (!isReportFormat(flags.format)) throw new UsageError(`unknown --format '${flags.format}'; use one of ${REPORT_FORMATS.join(', ')}`);
  const known = loadRules().map((r) => r.id);
  for (const key of ['select', 'ignore'] as const) {
    (flags[key] ?? []).forEach((code, i) => {
      if (known.some((id) => id.startsWith(code.toUpperCase()))) return;
      const where = configured[key] ? `${configPlace(config)}: ${key}[${i}]` : `--${key}`;
      throw new UsageError(`${where}: '${code}' matches no rule; run 'gil-audit rules' to list them`);
    });
  }
  const progress = !flags.quiet && process.stderr.isTTY;
  const { run } = await audit(paths.length > 0 ? paths : ['.'], {
    exclude: flags.exclude, select: flags.select, ignore: flags.ignore, jobs: flags.jobs,
    maxBytes: flags.maxFileSize ? flags.maxFileSize * 1024 * 1024 : undefined,
    respectGitignore: flags.gitignore, trackedOnly: flags.trackedOnly, reportOnly: flags.reportOnly,
    baseline: flags.baseline ? readBaseline(flags.baseline) : undefined,
    tests: flags.tests,
    blockingApis: config['blocking-apis'], offloadWrappers: config['offload-wrappers'],
    onProgress: progress ? (done, total) => process.stderr.write(`\rgil-audit: ${done}/${total} files`) : undefined,
  });
  if (progress) process.stderr.write('\r\x1b[K');
  if (flags.writeBaseline) {
    writeOutput(flags.writeBaseline, baselineText(run.findings), 'the baseline');
    if (!flags.quiet) process.stderr.write(`gil-audit: baseline of ${run.findings.length} findings written to ${flags.writeBaseline}\n`);
    return 0;
  }
  const toFile = flags.output !== undefined;
  const color = flags.color ?? (!toFile && process.stdout.isTTY && !process.env.NO_COLOR);
  const output = render(flags.format, run, { color: flags.format === 'text' && color });
  if (toFile) {
    writeOutput(flags.output!, output, 'the report');
    if (!flags.quiet) {
      const s = run.summary;
      process.stderr.write(`gil-audit: ${s.findings} finding${s.findings === 1 ? '' : 's'} in ${s.files} files; ${flags.format} report written to ${flags.output}\n`);
    }
  } else {
    process.stdout.write(output);
  }
  if (!flags.quiet && run.errors.length > 0 && flags.format !== 'text') {
    for (const e of run.errors) process.stderr.write(`gil-audit: ${visible(e.file)}: ${visible(e.message)}\n`);
  }
  if (flags.failOn === 'never') return 0;
  const threshold = RANK[flags.failOn];
  return run.findings.some((f) => RANK[f.severity] >= threshold) ? 1 : 0;
}

export function program(): Command {
  const cmd = new Command('gil-audit')
    .description('Audit a Python codebase for event-loop blocking and GIL contention (it never runs the code)')
    .version(VERSION)
    .enablePositionalOptions()
    .argument('[paths...]', 'files or directories to audit', [])
    .addOption(new Option('-f, --format <format>', 'report format').choices([...REPORT_FORMATS]).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--select <rules>', 'only these rule ids or prefixes (comma-separated, repeatable)', collectList)
    .option('--ignore <rules>', 'skip these rule ids or prefixes (comma-separated, repeatable)', collectList)
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices([...FAIL_ON]).default('warning'))
    .option('--exclude <glob>', 'skip paths matching this gitignore-style glob (repeatable)', collect)
    .option('-j, --jobs <n>', 'parse worker threads (default: the number of cores)', parsePositive('--jobs'))
    .option('--max-file-size <mb>', 'skip .py files larger than this many MB (default 10)', parsePositive('--max-file-size'))
    .option('--no-gitignore', 'do not honour .gitignore files')
    .option('--tracked-only', 'audit only the files git tracks (untracked scratch files are skipped)')
    .option('--report-only <files...>', 'analyse the whole project but report findings only in these files (what pre-commit passes)')
    .option('--color', 'force colour in text output')
    .option('--no-color', 'never colour text output')
    .option('-q, --quiet', 'print only the report (no progress, no summary on stderr)')
    .option('--config <file>', 'read settings from this YAML file (default: gil-audit.yaml or [tool.gil-audit] in pyproject.toml at the root)')
    .option('--no-config', 'ignore configuration files')
    .option('--baseline <file>', 'do not report findings recorded in this baseline file')
    .option('--write-baseline <file>', 'record the current findings as accepted in this file, and exit 0')
    .addOption(new Option('--tests <mode>', 'findings in test code: kept apart from counts, hot paths and exit code (separate, the default), counted like the rest (include), or dropped (exclude)').choices([...TESTS_MODES]))
    .action(async (paths: string[], flags: AuditFlags) => {
      process.exitCode = await runAudit(paths, flags, (name) => cmd.getOptionValueSource(name) === 'cli');
    });
  cmd
    .command('rules')
    .description('list every rule with its metadata')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((flags: { format: 'text' | 'json' }) => {
      process.stdout.write(listRules(loadRules(), flags.format));
    });
  cmd
    .command('explain')
    .description('print the long form of one rule')
    .argument('<rule>', 'rule id (GA101), name (blocking-sleep-in-async-function), or a flake8-async/Ruff code (ASYNC251)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'markdown']).default('text'))
    .action((rule: string, flags: { format: 'text' | 'markdown' }) => {
      const catalogue = loadCatalogue();
      const found = rulesForCode(rule, loadRules(), catalogue);
      if (found.length === 0) throw new UsageError(`no rule '${rule}'; run 'gil-audit rules' to list them`);
      const explain = (r: RuleMeta) => (flags.format === 'markdown' ? ruleMarkdown(r, catalogue) : explainRule(r, catalogue));
      if (found.length > 1 || (found[0].id !== rule.toUpperCase() && found[0].name !== rule)) process.stderr.write(`${rule} corresponds to ${found.map((r) => r.id).join(', ')}\n`);
      process.stdout.write(found.map(explain).join('\n'));
    });
  return cmd;
}

export async function main(argv: string[]): Promise<number> {
  const cmd = program();
  cmd.exitOverride();
  cmd.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    await cmd.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with code 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError || error instanceof DiscoverError || error instanceof ConfigError) {
      process.stderr.write(`${pc.red('gil-audit: error:')} ${visible(error.message, '\n')}\n`);
      return 2;
    }
    process.stderr.write(`gil-audit: internal error: ${visible(String((error as Error).stack ?? error), '\n')}\nPlease report this with the command you ran.\n`);
    return 2;
  }
}

// A reader that closes early (`gil-audit . | head`) is not an error; any other failure to write
// the report (a full disk) is, and must not read as "findings" (exit 1).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`${pc.red('gil-audit: error:')} cannot write the report to standard output: ${writeProblem(error)}\n`);
  process.exit(2);
});
// Nothing can be reported when standard error itself fails; the exit code still tells.
process.stderr.on('error', () => {});

main(process.argv).then((code) => {
  process.exitCode = code;
});
