/**
 * Hostile and broken input, through the built command: no crash, no hang, nothing lost. Each
 * test writes its files to a temp dir at test time (nothing hostile is kept in the repository).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers/fixtures.js';
import { createParser, typeIds } from '../src/parse/language.js';
import { factsForFile } from '../src/facts/index.js';
import type { AuditRun } from '../src/model/types.js';
import { tempDir } from './helpers/temp.js';

const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');
const GOOD = 'import time\n\nasync def handler():\n    time.sleep(1)\n';

/** Runs the command; a hang fails the test at `timeout` ms rather than stalling the run. */
function cli(args: string[], timeout = 60_000) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', GIL_AUDIT_NO_CACHE: '1' },
  });
  assert.equal(r.error, undefined, `the command did not finish: ${String(r.error)}`);
  assert.ok(r.status === 0 || r.status === 1, `exit code ${r.status}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error/);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[], timeout?: number): AuditRun {
  return JSON.parse(cli([...args, '-f', 'json'], timeout).stdout) as AuditRun;
}

const hasMkfifo = process.platform !== 'win32' && spawnSync('mkfifo', ['--version']).error === undefined;

const at = (run: AuditRun) => run.findings.map((f) => `${f.file}:${f.line} ${f.rule}`);
/** Every error message, joined per file. */
const errorsOf = (run: AuditRun) => {
  const out = new Map<string, string>();
  for (const e of run.errors) out.set(e.file, out.has(e.file) ? `${out.get(e.file)}\n${e.message}` : e.message);
  return out;
};

test('nested lambdas 10,000 deep: analysed to a bound, said in a file issue, and the run goes on', () => {
  const dir = tempDir('lambdas');
  writeFileSync(join(dir, 'a.py'), `x = ${'lambda: '.repeat(10_000)}0\n`);
  for (const n of [1, 2, 3, 4]) writeFileSync(join(dir, `b${n}.py`), `x = ${'lambda: '.repeat(5_000)}0\n`);
  writeFileSync(join(dir, 'good.py'), GOOD);
  const run = json([dir]);
  assert.deepEqual(at(run), ['good.py:4 GA101']);
  const errors = errorsOf(run);
  for (const file of ['a.py', 'b1.py', 'b4.py']) assert.match(errors.get(file) ?? '', /line 1: a lambda nested more than \d+ definitions deep/);
});

test('a syntax error hides no finding before or after it, and is reported with its line', () => {
  const dir = tempDir('syntax');
  writeFileSync(join(dir, 'e3.py'), 'import time\nasync def h():\n    time.sleep(1)\nz = ?\nasync def k():\n    time.sleep(2)\n');
  writeFileSync(join(dir, 'paren.py'), 'import time\nfoo(1, 2\nasync def k():\n    time.sleep(3)\n');
  writeFileSync(join(dir, 'merge.py'), 'import time\n<<<<<<< HEAD\nx = 1\n=======\nx = 2\n>>>>>>> b\nasync def k():\n    time.sleep(4)\n');
  const run = json([dir]);
  assert.deepEqual(at(run), ['e3.py:3 GA101', 'e3.py:6 GA101', 'merge.py:8 GA101', 'paren.py:4 GA101']);
  const errors = run.errors.map((e) => `${e.file}: ${e.message}`);
  assert.ok(errors.some((e) => /^e3\.py: line 4: syntax error/.test(e)), errors.join('\n'));
  assert.ok(errors.some((e) => /^paren\.py: line 2: syntax error/.test(e)), errors.join('\n'));
  for (const line of [2, 4, 6]) assert.ok(errors.some((e) => e.startsWith(`merge.py: line ${line}: syntax error`)), errors.join('\n'));
});

test('a FIFO named .py, in a directory or given directly, is named in an error and never read', { skip: !hasMkfifo && 'no mkfifo' }, () => {
  const dir = tempDir('fifo');
  writeFileSync(join(dir, 'good.py'), GOOD);
  assert.equal(spawnSync('mkfifo', [join(dir, 'x.py')]).status, 0);
  const inDir = json([dir], 30_000);
  assert.deepEqual(at(inDir), ['good.py:4 GA101']);
  assert.match(errorsOf(inDir).get('x.py') ?? '', /not a regular file/);
  const direct = cli([join(dir, 'x.py'), join(dir, 'good.py'), '-f', 'json'], 30_000);
  const run = JSON.parse(direct.stdout) as AuditRun;
  assert.ok(run.errors.some((e) => e.file.endsWith('x.py') && /not a regular file/.test(e.message)), JSON.stringify(run.errors));
});

test('read time: a file that became a FIFO after it was listed is not read (no hang)', { skip: !hasMkfifo && 'no mkfifo' }, () => {
  const dir = tempDir('fifo-race');
  const fifo = join(dir, 'late.py');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  // In a child process, so that a blocking read fails this test instead of hanging the run.
  const script = `
    import { createParser, typeIds } from ${JSON.stringify(join(REPO, 'dist', 'src', 'parse', 'language.js'))};
    import { factsForFile } from ${JSON.stringify(join(REPO, 'dist', 'src', 'facts', 'index.js'))};
    const parser = createParser();
    const facts = factsForFile({ abs: ${JSON.stringify(fifo)}, rel: 'late.py' }, parser, typeIds(parser));
    process.stdout.write(JSON.stringify(facts.issues));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.error, undefined, 'reading a FIFO must not block');
  assert.match(r.stdout, /not a regular file/);
});

test('read time: a file swapped for a symlink out of the root is not read through it', { skip: process.platform === 'win32' && 'symlinks' }, () => {
  const base = tempDir('swap');
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.py'), 'import time\nasync def leaked():\n    time.sleep(1)  # SECRET\n');
  writeFileSync(join(root, 'inside.py'), GOOD);
  symlinkSync(join(outside, 'secret.py'), join(root, 'app.py'));
  symlinkSync(join(root, 'inside.py'), join(root, 'alias.py'));
  const parser = createParser();
  const ids = typeIds(parser);
  const allowed = [realpathSync(root)];
  const swapped = factsForFile({ abs: join(root, 'app.py'), rel: 'app.py' }, parser, ids, undefined, allowed);
  assert.deepEqual(swapped.functions, []);
  assert.match(swapped.issues.map((i) => i.message).join('\n'), /leads out of the audited directory/);
  // A link that stays inside the root is read, as discover follows it.
  const alias = factsForFile({ abs: join(root, 'alias.py'), rel: 'alias.py' }, parser, ids, undefined, allowed);
  assert.deepEqual(alias.issues, []);
  assert.ok(alias.functions.some((f) => f.name === 'handler'));
  // Through the command: the link out is skipped, and nothing of its target shows.
  const r = cli([root, '-f', 'text']);
  assert.doesNotMatch(r.stdout + r.stderr, /SECRET|leaked/);
});

test('a package star-importing its backends from several branches finishes in seconds', () => {
  const dir = tempDir('star');
  const pkg = join(dir, 'zpkg');
  mkdirSync(pkg);
  // The shape of python-zstandard's package: the backend is chosen in if/elif/try branches,
  // two of the modules star-imported are not in the project (a C extension, a Rust one), the
  // package defines its own `open`, and the Python backend imports from the package again.
  const branches = ['backend_c', 'backend_cffi', 'backend_c', 'backend_rust', 'backend_cffi', 'backend_c', 'backend_cffi', 'backend_c', 'backend_cffi'];
  const init = [
    'import builtins', 'import os', 'import time', '', '_policy = os.environ.get("POLICY", "default")', '',
    ...branches.flatMap((b, i) => [i === 0 ? 'if _policy == "p0":' : `elif _policy == "p${i}":`, '    try:', `        from .${b} import *`, '    except ImportError:', '        pass']),
    '', '', 'def open(filename, mode="rb"):', '    return builtins.open(filename, mode)', '', '',
    'async def serve(data):', '    time.sleep(1)', '    return compress_slowly(data)', '',
  ];
  writeFileSync(join(pkg, '__init__.py'), init.join('\n'));
  writeFileSync(join(pkg, 'backend_cffi.py'), [
    'import time', 'from ._cffi import ffi, lib', 'from . import open as _open', '', '',
    'def compress_slowly(data):', '    time.sleep(1)', '    return lib.ZSTD_compress(data)', '', '',
    'def reader(path):', '    return _open(path)', '', '',
    'def _calls(data):', ...Array.from({ length: 60 }, (_, i) => `    lib.ZSTD_f${i}(ffi.new("char[]", data))`), '',
  ].join('\n'));
  const started = Date.now();
  const run = json([dir], 30_000);
  assert.ok(Date.now() - started < 20_000, 'took more than 20 s');
  assert.deepEqual(at(run), [`zpkg/__init__.py:${init.indexOf('    time.sleep(1)') + 1} GA101`]);
});

test('# noqa inside a string literal suppresses nothing; a # noqa comment does', () => {
  const dir = tempDir('noqa');
  writeFileSync(join(dir, 'a.py'), 'import time\n\nasync def f():\n    time.sleep(1); x = "# noqa"\n    time.sleep(2)  # noqa\n    y = """\n# noqa\n"""; time.sleep(3)\n');
  assert.deepEqual(at(json([dir])), ['a.py:4 GA101', 'a.py:8 GA101']);
});

test('GA110 across modules under a directory whose name is not an identifier', () => {
  const dir = tempDir('names');
  for (const name of ['my dir', 'web-app', 'v1.2', 'x (copy)']) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'helpers.py'), 'import time\n\n\ndef f():\n    time.sleep(1)\n');
    writeFileSync(join(dir, name, 'app.py'), 'from helpers import f\nfrom .helpers import f as g\n\n\nasync def h():\n    f()\n    g()\n');
  }
  const run = json([dir]);
  const expected = ['my dir', 'v1.2', 'web-app', 'x (copy)'].flatMap((d) => [`${d}/app.py:6 GA110`, `${d}/app.py:7 GA110`]);
  assert.deepEqual(at(run), expected);
});

test('a file name that is not valid UTF-8 is read by its bytes and reported with a lossy name', { skip: process.platform !== 'linux' && 'byte names' }, () => {
  const dir = tempDir('bytes');
  const bytesDir = Buffer.from(dir);
  const name = (...parts: (string | number[])[]) => Buffer.concat([bytesDir, ...parts.map((p) => Buffer.from(typeof p === 'string' ? p : p))]);
  writeFileSync(name('/bad', [0xff], '.py'), GOOD);
  mkdirSync(name('/sub', [0xfe]));
  writeFileSync(name('/sub', [0xfe], '/inner.py'), GOOD);
  const run = json([dir]);
  assert.deepEqual(at(run), ['bad\uFFFD.py:4 GA101', 'sub\uFFFD/inner.py:4 GA101']);
  assert.deepEqual(run.errors, []);
  assert.match(cli([dir]).stdout, /bad\uFFFD\.py:4:5: GA101 [^\n]*\n(.*\n)*? *4 \| +time\.sleep\(1\)/, 'the code frame is read by the bytes too');
});

test('a 9 MB call with millions of arguments is analysed to a bound, quickly', () => {
  const dir = tempDir('args');
  writeFileSync(join(dir, 'big.py'), `f(${'a,'.repeat(4_700_000)}a)\n`);
  writeFileSync(join(dir, 'good.py'), GOOD);
  const started = Date.now();
  const run = json([dir], 45_000);
  assert.ok(Date.now() - started < 30_000, 'took more than 30 s');
  assert.deepEqual(at(run), ['good.py:4 GA101']);
  assert.match(errorsOf(run).get('big.py') ?? '', /line 1: a bracket with more than [\d,]+ elements/);
});

test('generated code at scale (a name rebound 100,000 times, 20,000 nested classes) is resolved in linear time', () => {
  const dir = tempDir('scale');
  writeFileSync(join(dir, 'rebind.py'), 'x = y\ny = x\n'.repeat(50_000));
  writeFileSync(join(dir, 'nested.py'), Array.from({ length: 20_000 }, (_, i) => `def f${i}():\n    class C:\n        a = b\n`).join(''));
  writeFileSync(join(dir, 'good.py'), GOOD);
  // A few seconds; quadratic lookups took minutes.
  const run = json([dir], 60_000);
  assert.deepEqual(at(run), ['good.py:4 GA101']);
});
