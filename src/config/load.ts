/**
 * Project configuration: `[tool.gil-audit]` in pyproject.toml, or gil-audit.yaml / .gil-audit.yaml
 * (or `.yml`), found in the audit root or the closest directory above it, up to the repository's
 * top, as Ruff finds its settings; or a YAML/TOML file named with `--config`.
 *
 * Stage: config. Input: the audit root; output: validated settings (command-line flags override
 * them). A file that is not valid TOML/YAML or breaks src/schema/config.schema.json is a
 * ConfigError naming the file and the field. Settings holding paths keep meaning what they mean
 * from the file's own directory (see `relocateConfig`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseYaml } from './yaml.js';
import { parse as parseToml } from 'smol-toml';
import ignore from 'ignore';
import { compileSchema, ConfigError } from './schema.js';
import type { ConfigFile } from '../model/schema-types.js';

/**
 * The settings of a configuration file: its keys (their shape and meaning generated from
 * src/schema/config.schema.json) and where they came from.
 */
export interface Config extends ConfigFile {
  /** Where the settings came from, for messages: `../pyproject.toml [tool.gil-audit]`, `gil-audit.yaml`. */
  source?: string;
  /** The settings file, absolute. */
  file?: string;
  /** Whether it was named with `--config` (its paths are then relative to the working directory, as Ruff's are). */
  explicit?: boolean;
}

/** The names looked for in each directory, in order of preference. */
export const CONFIG_NAMES = ['gil-audit.yaml', '.gil-audit.yaml', 'gil-audit.yml', '.gil-audit.yml', 'pyproject.toml'];

/** `file` as messages show it: relative to the working directory when it lies below it, else absolute. */
function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `[tool.gil-audit]` of a parsed TOML document, or undefined when it has none. */
function toolSection(data: Record<string, unknown>): unknown {
  const tool = data.tool;
  return typeof tool === 'object' && tool !== null ? (tool as Record<string, unknown>)['gil-audit'] : undefined;
}

function parseTomlFile(file: string, name: string, hint: string): Record<string, unknown> {
  try {
    return parseToml(readText(file, name)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${name}: invalid TOML: ${firstLine((error as Error).message)}${hint}`);
  }
}

/**
 * The settings file that applies to audit root `root`: the first of CONFIG_NAMES (a pyproject.toml
 * only when it has `[tool.gil-audit]`) in `root`, then in each directory above it up to and
 * including the first one holding `.git` (else up to the file-system root). The closest wins.
 */
export function findConfig(root: string): { file: string; section: boolean } | undefined {
  for (let dir = resolve(root); ; ) {
    for (const name of CONFIG_NAMES) {
      const file = join(dir, name);
      if (!isFile(file)) continue;
      if (name !== 'pyproject.toml') return { file, section: false };
      const data = parseTomlFile(file, shown(file), '; fix the file or pass --no-config');
      if (toolSection(data) !== undefined) return { file, section: true };
    }
    const parent = dirname(dir);
    if (existsSync(join(dir, '.git')) || parent === dir) return undefined;
    dir = parent;
  }
}

/** The configuration that applies to `root`, or `{}` when there is none. `explicit` names a file to use instead. */
export function loadConfig(root: string, explicit?: string): Config {
  const validate = compileSchema('config.schema.json');
  if (explicit) return { ...readConfigFile(explicit, explicit, validate), explicit: true };
  const found = findConfig(root);
  if (found === undefined) return {};
  return readConfigFile(found.file, shown(found.file), validate);
}

function readText(file: string, name: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${name}: cannot read the configuration file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** A YAML file, or a TOML one (its `[tool.gil-audit]` table if it has one, else the whole document, like ruff.toml). */
function readConfigFile(file: string, name: string, validate: (data: unknown, file: string) => void): Config {
  let data: unknown;
  let source = name;
  if (file.toLowerCase().endsWith('.toml')) {
    const doc = parseTomlFile(file, name, '');
    const section = toolSection(doc);
    if (section !== undefined) source = `${name} [tool.gil-audit]`;
    data = section ?? doc;
  } else {
    try {
      data = parseYaml(readText(file, name)) ?? {};
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`${name}: invalid YAML: ${firstLine((error as Error).message)}`);
    }
  }
  validate(data, source);
  return { ...(data as Config), source, file: resolve(file) };
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}

/**
 * Settings of a file found at or above audit root `root`, made relative to the root: `baseline`
 * and `cache-dir` are resolved against the file's directory; an anchored `exclude` pattern (one with a `/` before
 * its end) is re-anchored to the root, or dropped when it can only match outside the root (or the
 * root itself, which is never excluded: it was named on the command line); unanchored ones match
 * at any depth and are kept as they are. Per-file-ignores are relative to the audit root already.
 * A file named with `--config` is left alone: its paths are relative to the working directory,
 * as Ruff's are.
 */
export function relocateConfig(config: Config, root: string): Config {
  if (config.file === undefined || config.explicit) return config;
  const dir = dirname(config.file);
  const out: Config = { ...config };
  if (config.baseline !== undefined) out.baseline = resolve(dir, config.baseline);
  if (config['cache-dir'] !== undefined) out['cache-dir'] = resolve(dir, config['cache-dir']);
  const prefix = relative(dir, resolve(root));
  if (config.exclude !== undefined && prefix !== '' && !prefix.startsWith('..') && !isAbsolute(prefix)) {
    out.exclude = config.exclude.flatMap((p) => reanchorPattern(p, prefix.split(sep)));
  }
  return out;
}

/**
 * Gitignore pattern `pattern`, written in a directory that holds the audit root at `prefix`
 * (path segments), as patterns relative to the audit root.
 */
export function reanchorPattern(pattern: string, prefix: readonly string[]): string[] {
  const negated = pattern.startsWith('!');
  let body = negated ? pattern.slice(1) : pattern;
  const dirOnly = body.endsWith('/');
  if (dirOnly) body = body.slice(0, -1);
  if (!body.includes('/')) return [pattern];
  const segments = body.replace(/^\//, '').split('/');
  const out = new Set<string>();
  for (const rest of matchPrefix(segments, prefix)) {
    if (rest.length === 0) continue;
    out.add(`${negated ? '!' : ''}/${rest.join('/')}${dirOnly ? '/' : ''}`);
  }
  return [...out];
}

/** What is left of pattern `segments` once `prefix` is matched, for each way `**` can take it. */
function matchPrefix(segments: readonly string[], prefix: readonly string[]): string[][] {
  if (prefix.length === 0) return [[...segments]];
  if (segments.length === 0) return [];
  const [first, ...rest] = segments;
  if (first === '**') return [...matchPrefix(rest, prefix), ...matchPrefix(segments, prefix.slice(1))];
  return segmentMatches(first, prefix[0]) ? matchPrefix(rest, prefix.slice(1)) : [];
}

/** Whether one glob segment (`*`, `?`, `[..]`, `\x`) matches one directory name, as git matches it. */
function segmentMatches(glob: string, name: string): boolean {
  // A leading `!` or `#` would mean something else to the matcher; escaped, it is the character.
  return ignore({ ignorecase: false }).add(/^[!#]/.test(glob) ? `\\${glob}` : glob).ignores(name);
}

