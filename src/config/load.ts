/**
 * Project configuration: `[tool.gil-audit]` in pyproject.toml, or gil-audit.yaml / .gil-audit.yaml.
 *
 * Stage: config. Input: the audit root; output: validated settings (command-line flags override
 * them). A file that is not valid TOML/YAML or breaks src/schema/config.schema.json is a
 * ConfigError naming the file and the field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { parse as parseToml } from 'smol-toml';
import { compileSchema, ConfigError } from './schema.js';

export interface Config {
  select?: string[];
  ignore?: string[];
  exclude?: string[];
  'fail-on'?: 'error' | 'warning' | 'note' | 'never';
  'max-file-size'?: number;
  baseline?: string;
  /** Findings in test code: separate (default), include or exclude. */
  tests?: 'separate' | 'include' | 'exclude';
  /** The project's own blocking APIs: `pattern`, `pattern -> suggestion` or `{pattern, suggestion}`. */
  'blocking-apis'?: (string | { pattern: string; suggestion?: string })[];
  /** Functions that run their first argument in a worker thread. */
  'offload-wrappers'?: string[];
  /** The file the settings came from (relative to the root), for messages. */
  source?: string;
}

const YAML_NAMES = ['gil-audit.yaml', '.gil-audit.yaml', 'gil-audit.yml', '.gil-audit.yml'];

/** The configuration found at `root`, or `{}` when there is none. `explicit` names a file to use instead. */
export function loadConfig(root: string, explicit?: string): Config {
  const validate = compileSchema('config.schema.json');
  if (explicit) return readConfigFile(explicit, explicit, validate);
  for (const name of YAML_NAMES) {
    const file = join(root, name);
    if (existsSync(file)) return readConfigFile(file, name, validate);
  }
  const pyproject = join(root, 'pyproject.toml');
  if (existsSync(pyproject)) {
    let data: Record<string, unknown>;
    try {
      data = parseToml(readFileSync(pyproject, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`pyproject.toml: invalid TOML: ${firstLine((error as Error).message)}; fix the file or pass --no-config`);
    }
    const section = (data.tool as Record<string, unknown> | undefined)?.['gil-audit'];
    if (section === undefined) return {};
    validate(section, 'pyproject.toml [tool.gil-audit]');
    return { ...(section as Config), source: 'pyproject.toml' };
  }
  return {};
}

function readConfigFile(file: string, name: string, validate: (data: unknown, file: string) => void): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${name}: cannot read the configuration file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let data: unknown;
  try {
    data = YAML.parse(text) ?? {};
  } catch (error) {
    throw new ConfigError(`${name}: invalid YAML: ${firstLine((error as Error).message)}`);
  }
  validate(data, name);
  return { ...(data as Config), source: name };
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}
