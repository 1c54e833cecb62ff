/**
 * Mutation check of the rules' behaviour: `npm run mutations [-- ID...] [--markdown] [--check]` applies each
 * one-line change of `scripts/mutations.yaml` (a threshold, a message, a recommendation, a
 * confidence, in rule YAML, the work model, the catalogue or TypeScript) to the working copy, runs
 * the fast tests that pin findings and profiles, records whether a test failed (and which), and
 * puts the file back. Prints a table and `caught N/M`; exits 1 if any change survived, 2 when the
 * list itself is wrong (a `find` that is not in its file exactly once, a change that does not
 * compile) or a file was left modified. `--check` only checks the list; `--markdown` prints the
 * table as Markdown (docs/mutations.md).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** A test run longer than this is stopped and counts as caught (the change made something loop). */
const TIMEOUT_MS = 180_000;

interface Mutation {
  id: string;
  file: string;
  find: string;
  replace: string;
  why: string;
}

interface MutationList {
  /** Test files run for each mutation, by name under dist/test/ (`rules` is dist/test/rules.test.js). */
  tests: string[];
  mutations: Mutation[];
}

type Outcome = 'caught' | 'survived' | 'error';

interface Result {
  mutation: Mutation;
  outcome: Outcome;
  /** The failing tests, or what went wrong. */
  detail: string[];
  seconds: number;
}

/** The one file currently changed, and how to put it (and its compiled JS) back. */
let pending: (() => void) | undefined;

function restorePending(): void {
  const restore = pending;
  pending = undefined;
  restore?.();
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    restorePending();
    process.stderr.write(`\nmutations: stopped by ${signal}; the mutated file is restored\n`);
    process.exit(130);
  });
}

function fail(message: string): never {
  restorePending();
  process.stderr.write(`mutations: ${message}\n`);
  process.exit(2);
}

function loadList(): MutationList {
  const list = YAML.parse(readFileSync(join(REPO, 'scripts', 'mutations.yaml'), 'utf8')) as MutationList;
  const ids = new Set<string>();
  for (const m of list.mutations) {
    for (const key of ['id', 'file', 'find', 'replace', 'why'] as const) {
      if (typeof m[key] !== 'string' || m[key] === '') fail(`mutation ${m.id ?? '?'}: '${key}' must be a non-empty string`);
    }
    if (ids.has(m.id)) fail(`mutation id ${m.id} is used twice`);
    ids.add(m.id);
    if (m.find === m.replace) fail(`mutation ${m.id}: find and replace are the same`);
    // `find` may take the lines around the change to be unique, but only one line changes.
    const before = m.find.split('\n');
    const after = m.replace.split('\n');
    if (before.length !== after.length || before.filter((line, i) => line !== after[i]).length !== 1) fail(`mutation ${m.id}: a mutation changes exactly one line`);
    const path = join(REPO, m.file);
    if (!existsSync(path)) fail(`mutation ${m.id}: no file ${m.file}`);
    const count = readFileSync(path, 'utf8').split(m.find).length - 1;
    if (count !== 1) fail(`mutation ${m.id}: '${m.find}' occurs ${count} times in ${m.file}, not once`);
  }
  for (const t of list.tests) {
    if (!existsSync(testFile(t))) fail(`no test file ${testFile(t).slice(REPO.length)} (run npm run build)`);
  }
  return list;
}

function testFile(name: string): string {
  return join(REPO, 'dist', 'test', `${name}.test.js`);
}

/** True when git sees no change to the file. */
function clean(file: string): boolean {
  return spawnSync('git', ['diff', '--quiet', 'HEAD', '--', file], { cwd: REPO }).status === 0;
}

function compile(): { ok: boolean; output: string } {
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: REPO, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

/** Runs the test files; resolves to the names of the failing tests (empty when all pass). */
function runTests(files: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', ...files], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', () => {});
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Sorted, so that the table does not depend on which test file finished first.
      const failed = [...out.matchAll(/^not ok \d+ - (.*)$/gm)].map((m) => m[1].replace(/\s+#\s*(TODO|SKIP).*$/, '')).sort();
      if (signal === 'SIGKILL') failed.push(`(timed out after ${TIMEOUT_MS / 1000} s)`);
      else if (code !== 0 && failed.length === 0) failed.push(`(test run exited ${code})`);
      resolve(failed);
    });
  });
}

async function runOne(m: Mutation, tests: string[]): Promise<Result> {
  const started = Date.now();
  const path = join(REPO, m.file);
  const original = readFileSync(path, 'utf8');
  const ts = m.file.endsWith('.ts');
  // tsc -p rewrites dist/ from src/: only this file's output changes, so keep it to put back.
  const compiled = ts ? join(REPO, 'dist', m.file.replace(/\.ts$/, '.js')) : undefined;
  const compiledText = compiled && existsSync(compiled) ? readFileSync(compiled, 'utf8') : undefined;
  pending = () => {
    writeFileSync(path, original);
    if (compiled && compiledText !== undefined) writeFileSync(compiled, compiledText);
  };
  let result: Result;
  try {
    writeFileSync(path, original.replace(m.find, () => m.replace));
    const build = ts ? compile() : { ok: true, output: '' };
    if (!build.ok) {
      result = { mutation: m, outcome: 'error', detail: [`does not compile: ${build.output.split('\n')[0]}`], seconds: 0 };
    } else {
      const failed = await runTests(tests);
      result = { mutation: m, outcome: failed.length > 0 ? 'caught' : 'survived', detail: failed, seconds: 0 };
    }
  } finally {
    restorePending();
  }
  if (!clean(m.file)) fail(`${m.file} is still modified after mutation ${m.id}: check it with git diff`);
  result.seconds = Math.round((Date.now() - started) / 1000);
  return result;
}

/** The first failing test (by name), and how many others failed with it. */
function caughtBy(r: Result): string {
  if (r.outcome === 'survived') return '';
  const [first, ...rest] = r.detail;
  return rest.length > 0 ? `${first} (+${rest.length} more)` : first;
}

function printTable(results: Result[], markdown: boolean): void {
  if (markdown) {
    console.log('| id | file | change | result | caught by |');
    console.log('|---|---|---|---|---|');
    const cell = (s: string) => s.replace(/\|/g, '\\|');
    for (const r of results) {
      const m = r.mutation;
      console.log(`| ${m.id} | \`${m.file}\` | ${cell(m.why)} | ${r.outcome} | ${cell(caughtBy(r))} |`);
    }
    return;
  }
  const idWidth = Math.max(2, ...results.map((r) => r.mutation.id.length));
  const fileWidth = Math.max(4, ...results.map((r) => r.mutation.file.length));
  console.log(`${'id'.padEnd(idWidth)}  ${'file'.padEnd(fileWidth)}  ${'result'.padEnd(8)}  caught by`);
  for (const r of results) {
    console.log(`${r.mutation.id.padEnd(idWidth)}  ${r.mutation.file.padEnd(fileWidth)}  ${r.outcome.padEnd(8)}  ${caughtBy(r)}`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const markdown = args.includes('--markdown');
  const checkOnly = args.includes('--check');
  const only = new Set(args.filter((a) => !a.startsWith('--')));
  const list = loadList();
  const chosen = list.mutations.filter((m) => only.size === 0 || only.has(m.id));
  for (const id of only) if (!list.mutations.some((m) => m.id === id)) fail(`no mutation ${id} in scripts/mutations.yaml`);
  if (checkOnly) {
    console.log(`${chosen.length} mutations, each found once in its file`);
    return;
  }
  for (const m of chosen) if (!clean(m.file)) fail(`${m.file} has uncommitted changes: commit or stash them first`);
  if (chosen.some((m) => m.file.endsWith('.ts'))) {
    const build = compile();
    if (!build.ok) fail(`the unmutated tree does not compile:\n${build.output}`);
  }
  const tests = list.tests.map(testFile);
  const results: Result[] = [];
  for (const m of chosen) {
    process.stderr.write(`${m.id} (${m.file}) ... `);
    const r = await runOne(m, tests);
    process.stderr.write(`${r.outcome} in ${r.seconds} s\n`);
    results.push(r);
  }
  printTable(results, markdown);
  for (const r of results.filter((x) => x.outcome === 'error')) console.log(`${r.mutation.id}: ${r.detail.join('; ')}`);
  const caught = results.filter((r) => r.outcome === 'caught').length;
  console.log(`caught ${caught}/${results.length}`);
  if (results.some((r) => r.outcome === 'error')) process.exit(2);
  if (caught < results.length) process.exit(1);
}

main().catch((e: unknown) => fail(e instanceof Error ? e.stack ?? e.message : String(e)));
