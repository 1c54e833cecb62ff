#!/usr/bin/env node
/**
 * The `gil-audit` command: audit paths, list rules, explain one rule.
 *
 * Stage: cli. Exit codes: 0 when nothing is at or above `--fail-on`, 1 when something is,
 * 2 for a usage or configuration error (the message names the file or option and the fix).
 */
import { closeSync, existsSync, openSync, realpathSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import pc from 'picocolors';
import { audit } from '../audit.js';
import { DiscoverError } from '../discover/index.js';
import { describeFsError, errorCode } from '../discover/fs-errors.js';
import { parsePatterns, patternMessage, patternProblem } from '../discover/ignore-rules.js';
import { ConfigError } from '../config/schema.js';
import { ParserSetupError } from '../parse/flat.js';
import { loadConfig, relocateConfig, type Config } from '../config/load.js';
import { baselineText, readBaseline } from '../findings/baseline.js';
import { loadRules } from '../rules/registry.js';
import { REPORT_FORMATS, REPORT_PARTS, isReportFormat, renderPieces, type ReportFormat } from '../report/index.js';
import { visible } from '../report/format.js';
import type { AuditRun, RuleMeta, Severity } from '../model/types.js';
import { VERSION } from '../version.js';
import { explainRule, listRules, ruleMarkdown, rulesForCode } from './rules-command.js';
import { TESTS_MODES, type TestsMode } from '../findings/test-code.js';
import { reportCover } from '../findings/cover.js';

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

/**
 * Writes `text` (a string, or pieces written as they are made: see renderPieces) to `file`; a
 * failure to open or write it is an error (exit 2) naming the file, the cause and the fix. An
 * error while the pieces are made is not a write problem and is left as it is.
 */
function writeOutput(file: string, text: string | Iterable<string>, what: string): void {
  const io = <T>(step: () => T): T => {
    try {
      return step();
    } catch (error) {
      throw new UsageError(`cannot write ${what} to '${file}': ${writeProblem(error)}`);
    }
  };
  const fd = io(() => openSync(file, 'w'));
  try {
    for (const piece of typeof text === 'string' ? [text] : text) {
      const bytes = Buffer.from(piece, 'utf8');
      io(() => {
        for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
      });
    }
  } finally {
    closeSync(fd);
  }
}

interface AuditFlags {
  format: string;
  outputFormat?: string;
  exitZero?: boolean;
  extendSelect?: string[];
  statistics?: boolean;
  showSettings?: boolean;
  root?: string;
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
  /** False with --no-cache (or GIL_AUDIT_NO_CACHE). */
  cache: boolean;
  cacheDir?: string;
  title?: string;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // A missing path is reported by discovery.
  }
}

/** Whether `child` is `parent` or lies below it. */
function isUnder(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The audit root, absolute, as discovery will choose it (discover/roots.ts): the one directory
 * given; else the current directory, or the deepest directory holding every path when some lies
 * outside it. Configuration is looked for from here up.
 */
function auditRoot(paths: string[]): string {
  const cwd = process.cwd();
  const given = (paths.length === 0 ? ['.'] : paths).map((p) => resolve(cwd, p)).filter((p) => existsSync(p));
  if (given.length === 0) return cwd;
  if (paths.length <= 1 && given.length === 1 && isDirectory(given[0])) return given[0];
  if (given.every((p) => isUnder(p, cwd))) return cwd;
  let common = isDirectory(given[0]) ? given[0] : dirname(given[0]);
  for (const p of given.slice(1)) while (!isUnder(p, common)) common = dirname(common);
  return common;
}

/** The repository root: the first directory at or above `dir` holding `.git`, else `dir` itself. */
function repositoryRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return dir;
  }
}

/** The real path of `path`'s deepest existing folder, with the rest of `path` after it (links in the existing part followed). */
function realExisting(path: string): string {
  let rest = '';
  for (let d = resolve(path); ; d = dirname(d)) {
    try {
      return join(realpathSync(d), rest);
    } catch {
      if (dirname(d) === d) return resolve(path);
      rest = join(basename(d), rest);
    }
  }
}

/** The cache folder's default name, in the project root. */
const CACHE_NAME = '.gil-audit-cache';

/**
 * Where the cache is kept, or undefined for none. `--no-cache` and `--cache-dir` win over the
 * configuration's `cache` and `cache-dir`. By default it is `.gil-audit-cache` in the project
 * root, as Ruff places `.ruff_cache`: the folder of the settings file found for the audited
 * folder, else the audited folder. A `cache-dir` in a file found in the project must stay inside
 * that file's folder (a repository's settings do not get to write elsewhere on the machine).
 */
function cacheFolder(flags: AuditFlags, config: Config, root: string): { dir: string; followLink?: boolean } | undefined {
  if (!flags.cache) return undefined;
  if (flags.cacheDir !== undefined) return { dir: resolve(flags.cacheDir), followLink: true };
  if (config.cache === false) return undefined;
  const project = config.file !== undefined && !config.explicit ? dirname(config.file) : root;
  const configured = config['cache-dir'];
  if (configured === undefined) return { dir: join(project, CACHE_NAME) };
  if (config.explicit) return { dir: resolve(configured), followLink: true };
  if (isUnder(realExisting(configured), realExisting(project))) return { dir: configured };
  warn(`${configPlace(config)}: cache-dir '${configured}' lies outside the project folder ${project}; using ${join(project, CACHE_NAME)} (give --cache-dir to keep the cache elsewhere)`);
  return { dir: join(project, CACHE_NAME) };
}

/** Where a setting of `config` lives, for messages: `gil-audit.yaml`, `../pyproject.toml [tool.gil-audit]`. */
function configPlace(config: Config): string {
  return config.source ?? 'the configuration';
}

/** Whether FORCE_COLOR asks for colour: set to anything but '', '0' or 'false'. */
function forceColor(): boolean {
  const value = process.env.FORCE_COLOR;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/**
 * Whether to colour what goes to `stream`: `--color`/`--no-color` decide; else NO_COLOR turns it
 * off, FORCE_COLOR on, and otherwise a terminal gets colour. A report written to a file never
 * does unless `--color` asks.
 */
function useColor(flag: boolean | undefined, stream: NodeJS.WriteStream, toFile = false): boolean {
  if (flag !== undefined) return flag;
  if (process.env.NO_COLOR || toFile) return false;
  return forceColor() || stream.isTTY === true;
}

/** Colours of messages on standard error (picocolors' own guess looks at standard output, and takes FORCE_COLOR=0 as a yes). */
const errColors = pc.createColors(useColor(process.argv.includes('--no-color') ? false : process.argv.includes('--color') ? true : undefined, process.stderr));

function warn(message: string): void {
  process.stderr.write(`${errColors.yellow('gil-audit: warning:')} ${visible(message)}\n`);
}

/** `--statistics`: one line per rule, `count<TAB>id<TAB>name`, most findings first (as `ruff check --statistics`); JSON in the json format. */
function statistics(run: AuditRun, format: ReportFormat): string {
  const rows = Object.entries(run.summary.byRule)
    .map(([id, count]) => ({ code: id, name: run.rules[id]?.name ?? '', count }))
    .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const width = String(rows[0]?.count ?? 0).length;
  return rows.map((r) => `${String(r.count).padStart(width)}\t${r.code}\t${r.name}\n`).join('');
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
  const root = auditRoot(paths);
  const loaded: Config = flags.config === false ? {} : loadConfig(root, typeof flags.config === 'string' ? flags.config : undefined);
  const config = relocateConfig(loaded, root);
  const place = configPlace(config);
  // Command-line flags win over the configuration file.
  const configured = { select: flags.select === undefined, ignore: flags.ignore === undefined };
  flags.select ??= config.select;
  flags.ignore ??= config.ignore;
  flags.exclude = [
    ...usableExcludes(config.exclude ?? [], (i) => `${place}: exclude`.concat(config.exclude === loaded.exclude ? `[${i}]` : '')),
    ...usableExcludes(flags.exclude ?? [], () => '--exclude'),
  ];
  if (!explicit('failOn') && config['fail-on']) flags.failOn = config['fail-on'];
  if (flags.exitZero) flags.failOn = 'never';
  flags.maxFileSize ??= config['max-file-size'];
  flags.baseline ??= config.baseline;
  flags.tests ??= config.tests;
  if (flags.outputFormat !== undefined) {
    if (explicit('format') && flags.format !== flags.outputFormat) {
      throw new UsageError(`--format ${flags.format} and --output-format ${flags.outputFormat} disagree; give one of them`);
    }
    flags.format = flags.outputFormat;
  }
  if (!isReportFormat(flags.format)) throw new UsageError(`unknown --format '${flags.format}'; use one of ${REPORT_FORMATS.join(', ')}`);
  const format = flags.format;
  const known = loadRules().map((r) => r.id);
  const check = (codes: readonly string[] | undefined, where: (i: number) => string) => {
    (codes ?? []).forEach((code, i) => {
      if (known.some((id) => id.startsWith(code.toUpperCase()))) return;
      throw new UsageError(`${where(i)}: '${code}' matches no rule; run 'gil-audit rules' to list them`);
    });
  };
  for (const key of ['select', 'ignore'] as const) check(flags[key], (i) => (configured[key] ? `${place}: ${key}[${i}]` : `--${key}`));
  check(flags.extendSelect, () => '--extend-select');
  const perFileIgnores = config['per-file-ignores'];
  for (const [pattern, codes] of Object.entries(perFileIgnores ?? {})) {
    const problem = patternProblem(pattern);
    if (problem !== undefined) throw new UsageError(`${place}: per-file-ignores: ${patternMessage(pattern, problem)}`);
    check(codes, (i) => `${place}: per-file-ignores[${JSON.stringify(pattern)}][${i}]`);
  }
  check(Object.keys(config.severity ?? {}), () => `${place}: severity`);
  // With no selection every rule runs, so there is nothing to extend.
  if (flags.extendSelect !== undefined && flags.select !== undefined) flags.select = [...flags.select, ...flags.extendSelect];
  const repository = resolve(flags.root ?? repositoryRoot(root));
  if (flags.root !== undefined) {
    if (!isDirectory(repository)) throw new UsageError(`--root '${flags.root}' is not a directory; give the repository's top folder`);
    if (!isUnder(root, repository)) throw new UsageError(`--root '${flags.root}' does not hold the audited folder ${root}; give a folder above it`);
  }
  if (flags.showSettings) {
    const settings = {
      config: config.source ?? null,
      'config-file': config.file ?? null,
      root,
      'repository-root': repository,
      format,
      select: flags.select ?? null,
      ignore: flags.ignore ?? [],
      exclude: flags.exclude,
      'fail-on': flags.failOn,
      tests: flags.tests ?? 'separate',
      severity: config.severity ?? {},
      'per-file-ignores': perFileIgnores ?? {},
      baseline: flags.baseline ?? null,
      'max-file-size': flags.maxFileSize ?? 10,
      gitignore: flags.gitignore,
      'tracked-only': flags.trackedOnly ?? false,
      'blocking-apis': config['blocking-apis'] ?? [],
      'offload-wrappers': config['offload-wrappers'] ?? [],
      'cache-dir': cacheFolder(flags, config, root)?.dir ?? null,
    };
    process.stdout.write(`${JSON.stringify(settings, null, 2)}\n`);
    return 0;
  }
  const progress = !flags.quiet && process.stderr.isTTY;
  const cache = cacheFolder(flags, config, root);
  const result = await audit(paths.length > 0 ? paths : ['.'], {
    exclude: flags.exclude, select: flags.select, ignore: flags.ignore, jobs: flags.jobs,
    maxBytes: flags.maxFileSize ? flags.maxFileSize * 1024 * 1024 : undefined,
    respectGitignore: flags.gitignore, trackedOnly: flags.trackedOnly, reportOnly: flags.reportOnly,
    baseline: flags.baseline ? readBaseline(flags.baseline) : undefined,
    tests: flags.tests,
    blockingApis: config['blocking-apis'], offloadWrappers: config['offload-wrappers'],
    perFileIgnores, severity: config.severity, cache, onWarning: warn,
    // Statistics and a baseline are made of the findings alone.
    runParts: flags.statistics || flags.writeBaseline ? [] : REPORT_PARTS[format],
    onProgress: progress ? (done, total) => process.stderr.write(`\rgil-audit: ${done}/${total} files`) : undefined,
  });
  const { run } = result;
  // The cover (project, git revision) is for the report formats; text and annotations do not show it.
  if (format !== 'text' && format !== 'github') run.cover = reportCover({ root: result.root, repository, title: flags.title, excluded: flags.exclude, gitignore: flags.gitignore, trackedOnly: flags.trackedOnly ?? false, tests: flags.tests ?? 'separate' });
  if (progress) process.stderr.write('\r\x1b[K');
  if (flags.writeBaseline) {
    writeOutput(flags.writeBaseline, baselineText(run.findings), 'the baseline');
    if (!flags.quiet) process.stderr.write(`gil-audit: baseline of ${run.findings.length} findings written to ${flags.writeBaseline}\n`);
    return 0;
  }
  const toFile = flags.output !== undefined;
  const color = useColor(flags.color, process.stdout, toFile);
  const repositoryPrefix = relative(repository, result.root).split(sep).join('/');
  // JSON and SARIF come in pieces, written as they are made: the text of a large project's report is never held whole.
  const output = flags.statistics ? [statistics(run, format)] : renderPieces(format, run, { color: format === 'text' && color, repositoryPrefix });
  if (toFile) {
    writeOutput(flags.output!, output, flags.statistics ? 'the statistics' : 'the report');
    if (!flags.quiet) {
      const s = run.summary;
      process.stderr.write(`gil-audit: ${s.findings} finding${s.findings === 1 ? '' : 's'} in ${s.files} files; ${flags.statistics ? 'statistics' : `${format} report`} written to ${flags.output}\n`);
    }
  } else {
    for (const piece of output) process.stdout.write(piece);
  }
  if (!flags.quiet && run.errors.length > 0 && (format !== 'text' || flags.statistics)) {
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
    .addOption(new Option('--output-format <format>', 'the same as --format (Ruff\'s name)').choices([...REPORT_FORMATS]))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--select <rules>', 'only these rule ids or prefixes (comma-separated, repeatable)', collectList)
    .option('--extend-select <rules>', 'add these rule ids or prefixes to the selection of --select or the configuration (all rules run when nothing selects)', collectList)
    .option('--ignore <rules>', 'skip these rule ids or prefixes (comma-separated, repeatable)', collectList)
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices([...FAIL_ON]).default('warning'))
    .option('--exit-zero', 'exit 0 whatever is found (the same as --fail-on never)')
    .option('--statistics', 'print how many findings each rule has instead of the report, most first')
    .option('--show-settings', 'print the settings in force (configuration file, selection, exclusions...) as JSON, and exit 0 without auditing')
    .option('--root <dir>', 'the repository root SARIF and github paths are relative to (default: the first folder above the audited one holding .git, else the audited folder)')
    .option('--exclude <glob>', 'skip paths matching this gitignore-style glob (repeatable)', collect)
    .option('-j, --jobs <n>', 'parse worker threads (default: the number of cores)', parsePositive('--jobs'))
    .option('--max-file-size <mb>', 'skip .py files larger than this many MB (default 10)', parsePositive('--max-file-size'))
    .option('--no-gitignore', 'do not honour .gitignore files')
    .addOption(new Option('--no-cache', 'do not read or write the cache of per-file facts (also GIL_AUDIT_NO_CACHE set to anything)').env('GIL_AUDIT_NO_CACHE'))
    .addOption(new Option('--cache-dir <dir>', 'keep the cache in this folder (default: .gil-audit-cache in the folder of the settings file, else in the audited folder; also GIL_AUDIT_CACHE_DIR)').env('GIL_AUDIT_CACHE_DIR'))
    .option('--tracked-only', 'audit only the files git tracks (untracked scratch files are skipped)')
    .option('--report-only <files...>', 'analyse the whole project but report findings only in these files (what pre-commit passes)')
    .option('--title <text>', 'the report\'s title (default: "Concurrency audit of" the project\'s name)')
    .option('--color', 'force colour in text output')
    .option('--no-color', 'never colour text output (also NO_COLOR; FORCE_COLOR colours it when standard output is not a terminal)')
    .option('-q, --quiet', 'print only the report (no progress, no summary on stderr)')
    .option('--config <file>', 'read settings from this YAML or TOML file (default: gil-audit.yaml or [tool.gil-audit] in pyproject.toml in the audited folder or the closest folder above it, up to the repository root)')
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
    .action(async (rule: string, flags: { format: 'text' | 'markdown' }) => {
      // Loaded here: only `explain` needs the catalogue in the command line's own code.
      const { loadCatalogue } = await import('../classify/catalogue.js');
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
    if (error instanceof UsageError || error instanceof DiscoverError || error instanceof ConfigError || error instanceof ParserSetupError) {
      process.stderr.write(`${errColors.red('gil-audit: error:')} ${visible(error.message, '\n')}\n`);
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
  process.stderr.write(`${errColors.red('gil-audit: error:')} cannot write the report to standard output: ${writeProblem(error)}\n`);
  process.exit(2);
});
// Nothing can be reported when standard error itself fails; the exit code still tells.
process.stderr.on('error', () => {});

main(process.argv).then((code) => {
  process.exitCode = code;
});
