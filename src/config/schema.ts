/**
 * JSON Schema validation of the project's data files (rules, catalogue, configuration).
 *
 * Stage: config. A file that breaks its schema is a ConfigError naming the file, the field and
 * what was expected, so the user can fix it; the CLI exits 2 on it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type AjvModule from 'ajv';
import type { ErrorObject } from 'ajv';

/** A problem with configuration or data files: reported with exit code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The package root (the folder holding package.json), from the compiled location. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A path inside the installed package. */
export function packagePath(...parts: string[]): string {
  return join(ROOT, ...parts);
}

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

const compiled = new Map<string, Validator>();
type AjvClass = typeof AjvModule.default;
let ajv: InstanceType<AjvClass> | undefined;

/**
 * The validator, loaded and made on first use: ajv takes about a tenth of a second to load, and a
 * run without a configuration file or baseline validates nothing (the shipped data comes validated).
 */
function schemaCompiler(): InstanceType<AjvClass> {
  if (!ajv) {
    // ajv is CommonJS; its default export is the class.
    const loaded = createRequire(import.meta.url)('ajv') as { default: AjvClass };
    ajv = new loaded.default({ allErrors: true, strict: false });
  }
  return ajv;
}

/** The compiled validator of `src/schema/<name>`, compiled once. */
function validatorFor(name: string): Validator {
  let fn = compiled.get(name) as Validator | undefined;
  if (!fn) {
    const schema = JSON.parse(readFileSync(packagePath('src', 'schema', name), 'utf8')) as object;
    fn = schemaCompiler().compile(schema);
    compiled.set(name, fn);
  }
  return fn;
}

/** What is wrong with `data` by `src/schema/<name>` (see `formatErrors`); undefined when nothing is. */
export function schemaProblems(name: string, data: unknown): string | undefined {
  const validate = validatorFor(name);
  return validate(data) ? undefined : formatErrors(validate.errors ?? []);
}

/** A validator for `src/schema/<name>` that throws ConfigError naming `file` and the fields. */
export function compileSchema(name: string): (data: unknown, file: string) => void {
  return (data: unknown, file: string) => {
    const problems = schemaProblems(name, data);
    if (problems !== undefined) throw new ConfigError(`${file}: ${problems}`);
  };
}

/** A JSON pointer as a field path: `/entries/3/calls` is `entries[3].calls`, `/per-file-ignores/a~1b` is `per-file-ignores["a/b"]`. */
function fieldPath(pointer: string): string {
  return pointer.split('/').slice(1).map((raw, i) => {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(key)) return `[${key}]`;
    if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return i === 0 ? key : `.${key}`;
    return `[${JSON.stringify(key)}]`;
  }).join('');
}

/** `entries[3].calls[0]: must match pattern ...`, one per line, most useful first. */
export function formatErrors(errors: ErrorObject[]): string {
  // A bad key of a map (`severity: {GAX: note}`) is one error naming the key, not two.
  const lines = errors.filter((e) => e.keyword !== 'propertyNames').slice(0, 8).map((e) => {
    let where = e.instancePath ? fieldPath(e.instancePath) : '(top level)';
    if (e.propertyName !== undefined) where = `${where}: key '${e.propertyName}'`;
    const extra = e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : '';
    const allowed = e.keyword === 'enum' ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : '';
    return `${where}: ${e.message}${extra}${allowed}`;
  });
  return lines.length === 1 ? lines[0] : `\n  ${lines.join('\n  ')}`;
}
