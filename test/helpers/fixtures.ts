/**
 * Fixture loading for the rule tests: `# --- path: ---` fragments, `# expect:` and `# ok:`
 * annotations, and an in-process audit of a set of files.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createParser, typeIds } from '../../src/parse/language.js';
import { factsForSource } from '../../src/facts/index.js';
import { analyseFacts } from '../../src/analyse.js';
import type { AuditOptions } from '../../src/audit.js';
import { compileSchema } from '../../src/config/schema.js';
import type { Config } from '../../src/config/load.js';
import YAML from 'yaml';
import type { AuditRun } from '../../src/model/types.js';

/** The repository root (tests run from dist/test/helpers). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export interface Expectation {
  file: string;
  line: number;
  rule: string;
  kind: 'expect' | 'ok' | 'todo-expect' | 'todo-ok';
}

export interface Fixture {
  /** rel path -> source */
  files: Map<string, string>;
  expectations: Expectation[];
}

const HEADER = /^#\s*---\s*path:\s*(\S+)\s*---\s*$/;
/** In any comment syntax the fixture's language has: `# expect: GA101`, `// expect: GA420`, a C block comment. */
const ANNOTATION = /(?:#|\/\/|\/\*)\s*(expect|ok|todo-expect|todo-ok):\s*((?:GA\d{3}[\s,]*)+)/g;
/** A line holding only the annotation (`#[pymodule]  // expect: …` or a `# cython:` header with one at its end is not). */
const ANNOTATION_LINE = /^\s*(?:#|\/\/|\/\*)\s*(?:expect|ok|todo-expect|todo-ok):/;
const BLANK_OR_COMMENT = /^\s*((#|\/\/|\/\*).*)?$/;

/** Splits a fixture file into fragments (or one file named after it) and reads its annotations. */
export function loadFixture(path: string, name = 'fixture.py'): Fixture {
  const text = readFileSync(path, 'utf8');
  const files = new Map<string, string>();
  let current = name;
  let buffer: string[] = [];
  const flush = () => {
    if (buffer.length > 0 || !files.has(current)) files.set(current, buffer.join('\n') + '\n');
  };
  const lines = text.split('\n');
  const hasHeaders = lines.some((l) => HEADER.test(l));
  if (!hasHeaders) {
    files.set(name, text);
  } else {
    current = '';
    for (const line of lines) {
      const header = HEADER.exec(line);
      if (header) {
        if (current) flush();
        current = header[1];
        buffer = [];
      } else if (current) buffer.push(line);
    }
    if (current) flush();
  }
  const expectations: Expectation[] = [];
  for (const [file, source] of files) expectations.push(...annotations(file, source));
  return { files, expectations };
}

/** `# expect: GA101` at the end of a line is for that line; on a line of its own, for the next code line. */
export function annotations(file: string, source: string): Expectation[] {
  const out: Expectation[] = [];
  const lines = source.split('\n');
  lines.forEach((text, i) => {
    for (const match of text.matchAll(ANNOTATION)) {
      let line = i + 1;
      if (ANNOTATION_LINE.test(text)) {
        let j = i + 1;
        while (j < lines.length && BLANK_OR_COMMENT.test(lines[j])) j++;
        line = j + 1;
      }
      for (const rule of match[2].split(/[\s,]+/).filter(Boolean)) out.push({ file, line, rule, kind: match[1] as Expectation['kind'] });
    }
  });
  return out;
}

/** Every file under a directory (Python, manifests, native sources), as rel path -> source. */
export function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) stack.push(full);
      else files.set(relative(dir, full).split(sep).join('/'), readFileSync(full, 'utf8'));
    }
  }
  return files;
}

const parser = createParser();
const ids = typeIds(parser);

/**
 * Audits in-memory files in this thread (the CLI tests cover the worker pool). A `gil-audit.yaml`
 * among them is validated and its `blocking-apis` and `offload-wrappers` apply, as the CLI's would.
 */
export async function auditFiles(files: Map<string, string>, options: AuditOptions = {}): Promise<AuditRun> {
  const settings = files.get('gil-audit.yaml');
  if (settings !== undefined) {
    const config = (YAML.parse(settings) ?? {}) as Config;
    compileSchema('config.schema.json')(config, 'gil-audit.yaml');
    options = { blockingApis: config['blocking-apis'], offloadWrappers: config['offload-wrappers'], ...options };
  }
  const python = [...files].filter(([rel]) => rel.endsWith('.py') || rel.endsWith('.pyi'));
  const modules = python.map(([rel, source]) => factsForSource(source, rel, parser, ids));
  // Everything else (and setup.py, which is also a manifest) goes to the readiness stage, as discover would send it.
  const readiness = [...files].filter(([rel]) => !rel.endsWith('.py') || rel.endsWith('setup.py')).map(([rel, text]) => ({ rel, text }));
  return analyseFacts(modules, options, (rel) => rel, ['fixture'], readiness).then((run) => {
    // Snippets come from the in-memory sources.
    for (const f of run.findings) f.snippet = (files.get(f.file) ?? '').split('\n')[f.line - 1]?.replace(/\s+$/, '') ?? '';
    return run;
  });
}

/** Compares findings with annotations: what is missing, what is noisy, what is only known-todo. */
export function compare(run: AuditRun, expectations: Expectation[], rules: Set<string>) {
  const key = (file: string, line: number, rule: string) => `${file}:${line} ${rule}`;
  const found = new Map(run.findings.filter((f) => rules.has(f.rule)).map((f) => [key(f.file, f.line, f.rule), f]));
  const expected = new Set(expectations.filter((e) => e.kind === 'expect' && rules.has(e.rule)).map((e) => key(e.file, e.line, e.rule)));
  const todoExpected = new Set(expectations.filter((e) => e.kind === 'todo-expect').map((e) => key(e.file, e.line, e.rule)));
  const todoOk = new Set(expectations.filter((e) => e.kind === 'todo-ok').map((e) => key(e.file, e.line, e.rule)));
  const missing = [...expected].filter((k) => !found.has(k)).sort();
  const noisy = [...found.keys()].filter((k) => !expected.has(k) && !todoOk.has(k) && !todoExpected.has(k)).sort()
    .map((k) => `${k}: ${found.get(k)!.message}`);
  return { missing, noisy };
}
