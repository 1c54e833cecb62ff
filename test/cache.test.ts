/**
 * The cache of per-file facts and the run memo, end to end: the same report cold and warm, only
 * changed files parsed, unchanged runs answered by the memo, bad entries and memos rebuilt,
 * concurrent and killed runs, no cache when asked, an unwritable folder, and what invalidates it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync,
  statSync, truncateSync, utimesSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers/fixtures.js';
import { runCli, startCli, type CliResult } from './helpers/cli.js';
import { DIGESTS_ENTRY, entryName, openCache, PROJECT_ENTRIES, READINESS_ENTRY, RUN_ENTRY, runPartEntry } from '../src/cache/store.js';
import { RUN_PARTS, type AuditRun } from '../src/model/types.js';
import { FileDigests, type ReadFile } from '../src/cache/file-digests.js';
import { FORMAT } from '../src/cache/entry.js';
import { tempDir } from './helpers/temp.js';

/** The cache's folder for this format of entries. */
const VERSION_DIR = `v${FORMAT}`;

const SAMPLE = join(REPO, 'fixtures', 'sample');
const PROJECT = join(REPO, 'fixtures', 'projects', 'fastapi-sqlalchemy');
/** The cache key lives here during the tests, not in the home folder. */
const HOME = tempDir('cache-home');
const ENV = { XDG_CACHE_HOME: HOME, GIL_AUDIT_TIMING: '1', GIL_AUDIT_NO_CACHE: undefined, GIL_AUDIT_CACHE_DIR: undefined };
/** Files that fail in each way a worker reports: a 4 KB limit makes big.py too large. */
const LIMIT = ['--max-file-size', '0.004'];

function temp(name: string): string {
  return tempDir(`cache-${name}`);
}

/** A copy of the multi-file project, with files that fail: a syntax error, invalid UTF-8, NUL bytes, over the size limit. */
function project(): string {
  const dir = join(temp('project'), 'app');
  cpSync(PROJECT, dir, { recursive: true });
  mkdirSync(join(dir, 'broken'));
  writeFileSync(join(dir, 'broken', 'syntax.py'), 'import time\n\nasync def f(:\n    time.sleep(1)\n');
  writeFileSync(join(dir, 'broken', 'latin.py'), Buffer.concat([Buffer.from('import time\n# caf'), Buffer.from([0xe9]), Buffer.from('\nasync def g():\n    time.sleep(1)\n')]));
  writeFileSync(join(dir, 'broken', 'nul.py'), Buffer.from('x = 1\n\0\n'));
  writeFileSync(join(dir, 'broken', 'big.py'), `x = 1\n${'# filler\n'.repeat(600)}`);
  return dir;
}

interface Run extends CliResult {
  /** Files whose facts came from the cache and files parsed (-1 when the run memo answered, or without a cache). */
  reused: number;
  parsed: number;
  /** Whether the run memo answered (nothing parsed or analysed). */
  memo: boolean;
  warnings: string[];
}

/** A JSON audit of `dir` with `args`, and what the cache did. */
function audit(dir: string, args: string[] = [], env: Record<string, string | undefined> = {}): Run {
  return summarise(runCli([dir, '-f', 'json', '--fail-on', 'never', '-j', '2', ...args], dir, { ...ENV, ...env }));
}

function summarise(r: CliResult): Run {
  assert.equal(r.code, 0, r.stderr);
  const counts = /cache: (\d+) files reused, (\d+) parsed/.exec(r.stderr);
  return {
    ...r, reused: counts ? Number(counts[1]) : -1, parsed: counts ? Number(counts[2]) : -1, memo: /run memo \(reused\)/.test(r.stderr),
    warnings: r.stderr.split('\n').filter((l) => l.startsWith('gil-audit: warning:')),
  };
}

/** The report with no cache at all. */
function uncached(dir: string, args: string[] = []): string {
  const r = audit(dir, ['--no-cache', ...args]);
  assert.deepEqual([r.reused, r.parsed], [-1, -1], 'no cache is opened');
  return r.stdout;
}

/** The scope folders of a cache, and the per-file entries of the only one (not the run memo, its parts, the digests nor the readiness memo). */
function entries(cache: string): Map<string, Buffer> {
  const scopes = readdirSync(join(cache, VERSION_DIR));
  assert.equal(scopes.length, 1, `one scope: ${scopes.join(', ')}`);
  const dir = join(cache, VERSION_DIR, scopes[0]);
  const whole = new Set(PROJECT_ENTRIES.map(entryName));
  return new Map(readdirSync(dir).filter((name) => !whole.has(name) && lstatSync(join(dir, name)).isFile()).map((name) => [name, readFileSync(join(dir, name))]));
}

/** Files read to be hashed in run `r` (the others' digests were known from their stat). */
function hashed(r: CliResult): number {
  return Number(/digests \((\d+) read\)/.exec(r.stderr)![1]);
}

/** Removes the run memo, so that the next run over unchanged files reads their entries. */
function dropMemo(cache: string): void {
  rmSync(entryFile(cache, RUN_ENTRY));
}

function entryFile(cache: string, rel: string): string {
  return join(cache, VERSION_DIR, readdirSync(join(cache, VERSION_DIR))[0], entryName(rel));
}

function pyFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return e.name.startsWith('.') ? [] : pyFiles(join(dir, e.name), `${prefix}${e.name}/`);
    return e.name.endsWith('.py') ? [`${prefix}${e.name}`] : [];
  });
}

test('fixtures/sample: the JSON report is byte-identical cold, warm and without the cache, and the fixture is left alone', () => {
  const cache = join(temp('sample'), 'cache');
  const files = pyFiles(SAMPLE).length;
  const cold = audit(SAMPLE, ['--cache-dir', cache]);
  const memo = audit(SAMPLE, ['--cache-dir', cache]);
  dropMemo(cache);
  const warm = audit(SAMPLE, ['--cache-dir', cache]);
  assert.deepEqual([cold.reused, cold.parsed, cold.memo, memo.memo, warm.reused, warm.parsed, warm.memo], [0, files, false, true, files, 0, false]);
  assert.equal(memo.stdout, cold.stdout);
  assert.equal(warm.stdout, cold.stdout);
  assert.equal(cold.stdout, uncached(SAMPLE));
  assert.deepEqual([cold.warnings, memo.warnings, warm.warnings], [[], [], []]);
  assert.equal(existsSync(join(SAMPLE, '.gil-audit-cache')), false);
  assert.equal(entries(cache).size, files);
});

test('a multi-file project with failing files: the same report and file errors cold and warm', () => {
  const dir = project();
  const cold = audit(dir, LIMIT);
  const memo = audit(dir, LIMIT);
  dropMemo(join(dir, '.gil-audit-cache'));
  const warm = audit(dir, LIMIT);
  const files = pyFiles(dir).length;
  // big.py is never read whole, so it has no entry and costs nothing to redo.
  assert.deepEqual([cold.reused, cold.parsed, memo.memo, warm.reused, warm.parsed], [0, files - 1, true, files - 1, 0]);
  assert.equal(memo.stdout, cold.stdout);
  assert.equal(warm.stdout, cold.stdout);
  assert.equal(cold.stdout, uncached(dir, LIMIT));
  const errors = (JSON.parse(warm.stdout) as { errors: { file: string; message: string }[] }).errors;
  assert.deepEqual(errors.map((e) => e.file).filter((f) => f.startsWith('broken/')).sort(), ['broken/big.py', 'broken/latin.py', 'broken/nul.py', 'broken/syntax.py']);
  assert.equal(readFileSync(join(dir, '.gil-audit-cache', '.gitignore'), 'utf8'), '# Automatically created by gil-audit.\n*\n');
  assert.match(readFileSync(join(dir, '.gil-audit-cache', 'CACHEDIR.TAG'), 'utf8'), /^Signature: 8a477f597d28d172789f06886806bc55\n/);
});

test('a one-file edit parses that file only and changes only its entry and its findings', () => {
  const dir = project();
  const cache = join(dir, '.gil-audit-cache');
  const cold = audit(dir);
  const before = entries(cache);
  const edited = 'app/services/items.py';
  assert.ok(existsSync(join(dir, edited)));
  appendFileSync(join(dir, edited), '\n\nasync def added():\n    import time\n    time.sleep(3)\n');
  const warm = audit(dir);
  assert.deepEqual([warm.reused, warm.parsed], [cold.parsed - 1, 1]);
  const after = entries(cache);
  assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
  const changed = [...after].filter(([name, bytes]) => !bytes.equals(before.get(name)!)).map(([name]) => name);
  assert.deepEqual(changed, [entryName(edited)]);
  assert.equal(warm.stdout, uncached(dir));
  type Report = { findings: { file: string; line: number; rule: string }[] };
  const findings = (text: string, inEdited: boolean) => (JSON.parse(text) as Report).findings.filter((f) => (f.file === edited) === inEdited);
  assert.deepEqual(findings(warm.stdout, false), findings(cold.stdout, false));
  assert.notDeepEqual(findings(warm.stdout, true), findings(cold.stdout, true));
});

test('an unchanged file is not read again to be hashed; an edit is seen whatever its times say', async () => {
  const dir = project();
  const cache = join(dir, '.gil-audit-cache');
  const files = pyFiles(dir).length;
  // Files written in the last seconds are read again on every run (see the next test): these are older.
  await new Promise((resolve) => setTimeout(resolve, 3200));
  const fresh = audit(dir);
  assert.equal(hashed(fresh), files);
  const memo = audit(dir);
  assert.deepEqual([hashed(memo), memo.memo, memo.stdout], [0, true, fresh.stdout]);
  // Same size, and the modification time set back: the change time still differs.
  const edited = join(dir, 'app', 'services', 'items.py');
  const { atime, mtime, size } = statSync(edited);
  const text = readFileSync(edited, 'utf8');
  writeFileSync(edited, text.replace('return', 'raise '));
  assert.equal(statSync(edited).size, size);
  utimesSync(edited, atime, mtime);
  const warm = audit(dir);
  assert.deepEqual([hashed(warm), warm.memo, warm.parsed], [1, false, 1]);
  assert.equal(warm.stdout, uncached(dir));
  // A damaged digests entry is not used: every file is read again, and the report is the same.
  const digests = entryFile(cache, DIGESTS_ENTRY);
  const bytes = readFileSync(digests);
  bytes[bytes.length - 3] ^= 0x20;
  writeFileSync(digests, bytes);
  dropMemo(cache);
  const damaged = audit(dir);
  assert.deepEqual([hashed(damaged), damaged.stdout], [files, warm.stdout]);
});

test('a file written in the last seconds is hashed again on the next run; one over the size limit is never remembered', async () => {
  const dir = temp('digests');
  const opened = openCache(join(dir, 'cache'), { root: dir, maxBytes: 1000 });
  assert.ok(opened.handle, opened.warning);
  const read: ReadFile = (path) => {
    const bytes = readFileSync(path);
    return bytes.length > 1000 ? { issue: { message: 'too large' } } : { bytes };
  };
  const files = ['a.py', 'big.py'].map((rel) => ({ rel, path: join(dir, rel) }));
  writeFileSync(files[0].path, 'x = 1\n');
  writeFileSync(files[1].path, `x = 1\n${'#'.repeat(2000)}\n`);
  const run = () => {
    const digests = new FileDigests(opened.handle, read, 1000);
    const out = files.map((f) => digests.digest(f));
    digests.save();
    return { reads: digests.reads, out };
  };
  const first = run();
  assert.deepEqual([first.reads, first.out[1]], [2, { unread: 'too large' }]);
  // Written just now: not remembered, so read again.
  assert.equal(run().reads, 2);
  await new Promise((resolve) => setTimeout(resolve, 3200));
  assert.equal(run().reads, 2);
  const settled = run();
  assert.deepEqual([settled.reads, settled.out], [1, first.out]);
  // Grown past the limit since: read again, and found too large.
  writeFileSync(files[0].path, '#'.repeat(1500));
  assert.deepEqual(run().out, [{ unread: 'too large' }, { unread: 'too large' }]);
});

test('corrupt entries are ignored and rebuilt, never trusted', () => {
  const dir = project();
  const cache = join(dir, '.gil-audit-cache');
  const cold = audit(dir);
  const original = entries(cache);
  const victims = ['app/main.py', 'app/core/db.py', 'app/api/routes/items.py', 'app/services/items.py', 'app/models.py', 'app/core/config.py'];
  for (const rel of victims) assert.ok(existsSync(join(dir, rel)), rel);
  const flip = (rel: string, at: number) => {
    const bytes = readFileSync(entryFile(cache, rel));
    bytes[at] ^= 0x20;
    writeFileSync(entryFile(cache, rel), bytes);
  };
  flip(victims[0], 200); // the payload
  flip(victims[1], 20); // the key
  flip(victims[2], 45); // the length
  writeFileSync(entryFile(cache, victims[3]), 'not an entry at all, but long enough to hold a header of eighty bytes, or nearly so.');
  rmSync(entryFile(cache, victims[4]));
  mkdirSync(entryFile(cache, victims[4])); // a folder where an entry belongs
  const outside = join(temp('outside'), 'target');
  writeFileSync(outside, 'left alone');
  rmSync(entryFile(cache, victims[5]));
  symlinkSync(outside, entryFile(cache, victims[5])); // a link is not followed, and not written through
  dropMemo(cache);
  const warm = audit(dir);
  assert.equal(warm.stdout, cold.stdout);
  assert.deepEqual([warm.reused, warm.parsed], [cold.parsed - victims.length, victims.length]);
  assert.equal(readFileSync(outside, 'utf8'), 'left alone');
  const rebuilt = entries(cache);
  for (const rel of victims.filter((r) => r !== victims[4])) assert.ok(rebuilt.get(entryName(rel))!.equals(original.get(entryName(rel))!), rel);
  // The folder could not be replaced: one warning, and the file is parsed again each run.
  assert.equal(warm.warnings.length, 1, warm.stderr);
  dropMemo(cache);
  const again = audit(dir);
  assert.deepEqual([again.reused, again.parsed, again.stdout], [cold.parsed - 1, 1, cold.stdout]);
});

test('entries made under another machine key (a cache committed to the repository) are not used', () => {
  const dir = project();
  const cold = audit(dir, [], { XDG_CACHE_HOME: temp('other-home') });
  const here = audit(dir);
  assert.deepEqual([here.reused, here.parsed, here.stdout], [0, cold.parsed, cold.stdout]);
});

test('a killed run (truncated entries, stray temporary files) leaves a usable cache', async () => {
  const dir = project();
  const cache = join(dir, '.gil-audit-cache');
  const cold = audit(dir);
  const original = entries(cache);
  truncateSync(entryFile(cache, 'app/main.py'), 40);
  truncateSync(entryFile(cache, 'app/core/db.py'), original.get(entryName('app/core/db.py'))!.length - 1);
  const stray = `${entryFile(cache, 'app/core/db.py')}.12345-0-0badf00d.tmp`;
  writeFileSync(stray, original.get(entryName('app/core/db.py'))!.subarray(0, 100));
  utimesSync(stray, new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000));
  dropMemo(cache);
  const warm = audit(dir);
  assert.deepEqual([warm.reused, warm.parsed, warm.stdout], [cold.parsed - 2, 2, cold.stdout]);
  assert.equal(existsSync(stray), false, 'a stale temporary file is removed');
  assert.deepEqual(entries(cache), original);
  // A real kill, as soon as the first entry is written (or later: the run may already be done).
  const fresh = project();
  const child = startCli([fresh, '-f', 'json', '-j', '2'], fresh, ENV);
  const scope = join(fresh, '.gil-audit-cache', VERSION_DIR);
  const started = Date.now();
  while (Date.now() - started < 20_000) {
    const scopes = existsSync(scope) ? readdirSync(scope) : [];
    if (scopes.length > 0 && readdirSync(join(scope, scopes[0])).length > 0) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {
    // It had finished.
  }
  await child.result;
  const after = audit(fresh);
  assert.equal(after.stdout, uncached(fresh));
  // The killed run may have finished and left its memo; if not, every file was reused or parsed.
  if (!after.memo) assert.equal(after.reused + after.parsed, cold.parsed);
  const last = audit(fresh);
  assert.deepEqual([last.memo, last.stdout], [true, after.stdout]);
  dropMemo(join(fresh, '.gil-audit-cache'));
  const entriesOnly = audit(fresh);
  assert.deepEqual([entriesOnly.reused, entriesOnly.parsed, entriesOnly.stdout], [cold.parsed, 0, after.stdout]);
});

test('two runs at once both succeed and leave a valid cache', async () => {
  const dir = project();
  const [a, b] = (await Promise.all([startCli([dir, '-f', 'json', '-j', '2'], dir, ENV).result, startCli([dir, '-f', 'json', '-j', '2'], dir, ENV).result])).map((r) => ({ ...r, code: r.code === 1 ? 0 : r.code }));
  const expected = uncached(dir);
  assert.equal(summarise(a).stdout, expected);
  assert.equal(summarise(b).stdout, expected);
  const third = audit(dir);
  assert.deepEqual([third.memo, third.stdout], [true, expected]);
  dropMemo(join(dir, '.gil-audit-cache'));
  const fourth = audit(dir);
  assert.deepEqual([fourth.parsed, fourth.stdout], [0, expected]);
  assert.equal(readdirSync(join(dir, '.gil-audit-cache', VERSION_DIR, readdirSync(join(dir, '.gil-audit-cache', VERSION_DIR))[0])).filter((n) => n.endsWith('.tmp')).length, 0);
});

test('--no-cache, GIL_AUDIT_NO_CACHE and `cache = false` write nothing', () => {
  const dir = project();
  uncached(dir);
  const env = audit(dir, [], { GIL_AUDIT_NO_CACHE: '1' });
  assert.deepEqual([env.reused, env.warnings], [-1, []]);
  writeFileSync(join(dir, 'pyproject.toml'), '[tool.gil-audit]\ncache = false\n');
  const configured = audit(dir);
  assert.deepEqual([configured.reused, configured.warnings], [-1, []]);
  assert.equal(existsSync(join(dir, '.gil-audit-cache')), false);
  // The command line wins over the configuration.
  const cache = join(temp('flag'), 'c');
  assert.equal(audit(dir, ['--cache-dir', cache]).reused, 0);
  assert.ok(existsSync(cache));
});

test('a cache folder that cannot be written is one warning, and the audit goes on', () => {
  const dir = project();
  const expected = uncached(dir);
  const file = join(temp('unwritable'), 'a-file');
  writeFileSync(file, '');
  const r = audit(dir, ['--cache-dir', join(file, 'cache')]);
  assert.equal(r.stdout, expected);
  assert.equal(r.warnings.length, 1, r.stderr);
  assert.match(r.warnings[0], /cache folder .*a-file\/cache cannot be written \(ENOTDIR\); this run's results are not cached/);
  const notFolder = audit(dir, ['--cache-dir', file]);
  assert.equal(notFolder.stdout, expected);
  assert.equal(notFolder.warnings.length, 1, notFolder.stderr);
  assert.match(notFolder.warnings[0], /is not a folder/);
});

test('a .gil-audit-cache link in the audited repository is not followed', () => {
  const dir = project();
  const target = temp('link-target');
  symlinkSync(target, join(dir, '.gil-audit-cache'));
  const r = audit(dir);
  assert.equal(r.stdout, uncached(dir));
  assert.equal(r.warnings.length, 1, r.stderr);
  assert.deepEqual(readdirSync(target), []);
});

test('a settings change (size limit, audited root) uses another scope; the old one stays for a while', () => {
  const dir = project();
  const cache = join(dir, '.gil-audit-cache');
  const first = audit(dir);
  const limited = audit(dir, ['--max-file-size', '5']);
  assert.deepEqual([limited.reused, limited.parsed, limited.stdout], [0, first.parsed, first.stdout]);
  assert.equal(readdirSync(join(cache, VERSION_DIR)).length, 2);
  assert.equal(audit(dir).memo, true);
  // A scope unused for over a week is removed.
  const scopes = readdirSync(join(cache, VERSION_DIR));
  const old = new Date(Date.now() - 8 * 24 * 3600_000);
  for (const s of scopes) utimesSync(join(cache, VERSION_DIR, s), old, old);
  audit(dir);
  assert.equal(readdirSync(join(cache, VERSION_DIR)).length, 1);
});

test('another format\'s folder (an older version of the tool) is removed once unused for a week, and not before', () => {
  const dir = project();
  const cache = join(dir, '.gil-audit-cache');
  audit(dir);
  const other = join(cache, `v${FORMAT + 1}`);
  const scope = join(other, '0123456789abcdef');
  mkdirSync(scope, { recursive: true });
  writeFileSync(join(scope, '0'.repeat(32)), 'an entry of another format');
  audit(dir);
  assert.deepEqual(readdirSync(scope), ['0'.repeat(32)]);
  const old = new Date(Date.now() - 8 * 24 * 3600_000);
  utimesSync(scope, old, old);
  audit(dir);
  assert.equal(existsSync(other), false);
  assert.deepEqual(readdirSync(cache).sort(), ['.gitignore', 'CACHEDIR.TAG', VERSION_DIR]);
});

test('entries of deleted files are pruned; the project root holds the cache', () => {
  const repo = temp('repo');
  mkdirSync(join(repo, '.git'));
  writeFileSync(join(repo, 'pyproject.toml'), '[tool.gil-audit]\nexclude = []\n');
  const dir = join(repo, 'services', 'app');
  mkdirSync(join(repo, 'services'));
  cpSync(PROJECT, dir, { recursive: true });
  const settings = JSON.parse(runCli([dir, '--show-settings'], repo, ENV).stdout) as Record<string, unknown>;
  assert.equal(settings['cache-dir'], join(repo, '.gil-audit-cache'));
  const first = audit(dir);
  const cache = join(repo, '.gil-audit-cache');
  assert.equal(existsSync(join(dir, '.gil-audit-cache')), false);
  assert.equal(entries(cache).size, first.parsed);
  rmSync(join(dir, 'app', 'core', 'db.py'));
  audit(dir);
  const left = entries(cache);
  assert.equal(left.size, first.parsed - 1);
  assert.equal(left.has(entryName('app/core/db.py')), false);
  // A configured cache-dir may not lead out of the project.
  writeFileSync(join(repo, 'pyproject.toml'), '[tool.gil-audit]\ncache-dir = "../elsewhere"\n');
  const outside = audit(dir);
  assert.equal(outside.warnings.length, 1, outside.stderr);
  assert.match(outside.warnings[0], /cache-dir '.*elsewhere' lies outside the project folder/);
  assert.equal(existsSync(join(repo, '..', 'elsewhere')), false);
  assert.equal(outside.memo, true);
  writeFileSync(join(repo, 'pyproject.toml'), '[tool.gil-audit]\ncache-dir = "build/gil-cache"\n');
  assert.equal(audit(dir).reused, 0);
  assert.ok(lstatSync(join(repo, 'build', 'gil-cache', 'CACHEDIR.TAG')).isFile());
});

test('the run memo answers only the exact same run: any setting, file or manifest change misses it', () => {
  const dir = project();
  const cache = join(dir, '.gil-audit-cache');
  const cold = audit(dir);
  assert.equal(audit(dir).memo, true);
  const select = audit(dir, ['--select', 'GA1']);
  assert.deepEqual([select.memo, select.parsed, select.stdout], [false, 0, uncached(dir, ['--select', 'GA1'])]);
  assert.equal(audit(dir, ['--select', 'GA1']).memo, true);
  // Back to the first settings: one memo is kept, so this run analyses again (from the entries).
  const back = audit(dir);
  assert.deepEqual([back.memo, back.parsed, back.stdout], [false, 0, cold.stdout]);
  // A manifest is an input like a Python file.
  writeFileSync(join(dir, 'requirements.txt'), 'numpy==1.24.0\n');
  const manifest = audit(dir);
  assert.deepEqual([manifest.memo, manifest.parsed, manifest.stdout], [false, 0, uncached(dir)]);
  // A touched file with the same bytes is the same input.
  const file = join(dir, 'app', 'main.py');
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  assert.equal(audit(dir).memo, true);
  // Other output formats come from the same memo, and match the uncached reports.
  for (const format of ['markdown', 'sarif', 'text']) {
    const memoised = summarise(runCli([dir, '-f', format, '--fail-on', 'never', '-j', '2'], dir, ENV));
    assert.equal(memoised.memo, true, format);
    assert.equal(memoised.stdout, summarise(runCli([dir, '-f', format, '--fail-on', 'never', '-j', '2', '--no-cache'], dir, ENV)).stdout, format);
  }
  assert.ok(existsSync(entryFile(cache, RUN_ENTRY)));
});

test('the readiness stage is read back after a Python edit, and made again when a manifest or native source changes', () => {
  const dir = project();
  const pyproject = join(dir, 'pyproject.toml');
  writeFileSync(pyproject, '[project]\nname = "app"\ndependencies = ["numpy>=1.24"]\n');
  mkdirSync(join(dir, 'ext'));
  const native = join(dir, 'ext', 'borrowed.c');
  cpSync(join(REPO, 'fixtures', 'free-threading', 'GA430-borrowed-reference-from-shared-container', 'borrowed.c'), native);
  const readiness = (r: Run) => /timing: readiness \((\w+)\)/.exec(r.stderr)?.[1];
  const first = audit(dir);
  assert.equal(readiness(first), 'made');
  // The inputs are really read: the C file's problems and the dependency are in the report.
  const report = JSON.parse(first.stdout) as AuditRun;
  assert.ok(report.findings.some((f) => f.rule === 'GA430' && f.file === 'ext/borrowed.c'));
  assert.ok(report.readiness?.dependencies.some((d) => d.name === 'numpy'));
  appendFileSync(join(dir, 'app', 'main.py'), '\n# edited\n');
  const python = audit(dir);
  assert.deepEqual([python.memo, readiness(python), python.parsed, python.stdout], [false, 'reused', 1, uncached(dir)]);
  writeFileSync(pyproject, '[project]\nname = "app"\ndependencies = ["numpy>=2.1"]\n');
  const manifest = audit(dir);
  assert.deepEqual([readiness(manifest), manifest.parsed, manifest.stdout], ['made', 0, uncached(dir)]);
  appendFileSync(native, '\nstatic PyObject *first(PyObject *list) { return PyList_GetItem(list, 0); }\n');
  const source = audit(dir);
  assert.deepEqual([readiness(source), source.parsed, source.stdout], ['made', 0, uncached(dir)]);
  assert.notEqual(source.stdout, manifest.stdout);
  // A damaged memo is made again, never trusted.
  writeFileSync(entryFile(join(dir, '.gil-audit-cache'), READINESS_ENTRY), 'not an entry');
  appendFileSync(join(dir, 'app', 'main.py'), '\n# edited again\n');
  const damaged = audit(dir);
  assert.deepEqual([readiness(damaged), damaged.stdout], ['made', uncached(dir)]);
});

test('the memo\'s parts are read only for the reports that show them, and a part of another run is no memo', () => {
  const dir = project();
  const cache = join(dir, '.gil-audit-cache');
  const cold = audit(dir);
  const files = [RUN_ENTRY, ...RUN_PARTS.map(runPartEntry)].map((rel) => entryFile(cache, rel));
  const saved = files.map((file) => readFileSync(file));
  // Another run (other settings) replaces the memo and its parts; then this run's memo comes back
  // with the other run's profiles beside it, as a run killed between its writes could leave it.
  audit(dir, ['--select', 'GA1']);
  const functions = files[1 + RUN_PARTS.indexOf('functions')];
  files.forEach((file, i) => file !== functions && writeFileSync(file, saved[i]));
  const text = (args: string[]) => summarise(runCli([dir, '--fail-on', 'never', '-j', '2', ...args], dir, ENV));
  // The text report shows no profiles: the memo answers it without reading them.
  const memoised = text([]);
  assert.deepEqual([memoised.memo, memoised.stdout], [true, text(['--no-cache']).stdout]);
  // The JSON report shows them: the foreign part is no memo, and the run is analysed again.
  const json = audit(dir);
  assert.deepEqual([json.memo, json.parsed, json.stdout], [false, 0, cold.stdout]);
  assert.equal(audit(dir).memo, true);
  // Written as ASCII whatever the names hold (`→` in chains), so it reads back as a one-byte string.
  for (const file of files) assert.equal(readFileSync(file).subarray(80).every((byte) => byte < 0x80), true, file);
});

test('a damaged or foreign run memo is not used, and is replaced', () => {
  const dir = project();
  const cache = join(dir, '.gil-audit-cache');
  const cold = audit(dir);
  const memo = entryFile(cache, RUN_ENTRY);
  const bytes = readFileSync(memo);
  bytes[bytes.length - 10] ^= 0x01;
  writeFileSync(memo, bytes);
  const damaged = audit(dir);
  assert.deepEqual([damaged.memo, damaged.parsed, damaged.stdout], [false, 0, cold.stdout]);
  assert.equal(audit(dir).memo, true);
  truncateSync(memo, 100);
  assert.deepEqual([audit(dir).memo, audit(dir).memo], [false, true]);
  // Made under another machine key (a cache committed with the repository): not trusted.
  const other = audit(dir, [], { XDG_CACHE_HOME: temp('memo-home') });
  assert.deepEqual([other.memo, other.reused, other.stdout], [false, 0, cold.stdout]);
});
