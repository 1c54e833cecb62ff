/**
 * Seeded mutation fuzzing of the whole pipeline: broken, truncated and hostile variants of the
 * fixtures and of a sample of the Python standard library, audited through the built command
 * and in-process. Each round checks that nothing crashes (exit 0 or 1, no internal error or
 * stack trace), nothing hangs (a timeout), no file is lost, and that an untouched file's
 * finding is reported every time.
 *
 * CI runs a few rounds (about half a minute); `npm run fuzz` runs many. FUZZ_SEED and
 * FUZZ_ITERATIONS replay or lengthen a run; a failing round's files are kept and named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, auditFiles, readTree } from './helpers/fixtures.js';
import type { AuditRun } from '../src/model/types.js';

const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');
const SEED = Number(process.env.FUZZ_SEED ?? 20261129) >>> 0;
/** A long run (FUZZ_ITERATIONS given) also makes the deep and huge mutations larger. */
const LONG = process.env.FUZZ_ITERATIONS !== undefined;
const ROUNDS = Number(process.env.FUZZ_ITERATIONS ?? 6);
const FILES_PER_ROUND = 12;
const MAX_DEPTH = LONG ? 4000 : 1500;
const MAX_LINE = LONG ? 150_000 : 60_000;
/** Long enough for a loaded machine; a hang is what it catches. */
const ROUND_TIMEOUT = LONG ? 300_000 : 120_000;

const KNOWN_GOOD = 'import time\n\n\nasync def known_good_handler():\n    time.sleep(1)\n';
const KNOWN_GOOD_FILE = 'zz_known_good.py';
const KNOWN_GOOD_FINDING = `${KNOWN_GOOD_FILE}:5 GA101`;

/** xorshift32: small, fast, and the same sequence on every machine for a seed. */
function random(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)];

/** The files to mutate: every fixture, and some of the standard library when python3 is there. */
function corpus(rng: Rng): Buffer[] {
  const files = [...readTree(join(REPO, 'fixtures')).values()].map((s) => Buffer.from(s));
  const found = spawnSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' });
  const stdlib = found.status === 0 ? found.stdout.trim() : '';
  if (!stdlib) return files;
  const candidates: string[] = [];
  const stack = [stdlib];
  while (stack.length > 0 && candidates.length < 4000) {
    const dir = stack.pop()!;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const full = join(dir, name);
      if (name === 'site-packages' || name === '__pycache__') continue;
      try {
        const st = statSync(full);
        if (st.isDirectory()) stack.push(full);
        else if (name.endsWith('.py') && st.size > 0 && st.size < 120_000) candidates.push(full);
      } catch {
        // unreadable: not part of the sample
      }
    }
  }
  for (let i = 0; i < 60 && candidates.length > 0; i++) files.push(readFileSync(candidates.splice(int(rng, candidates.length), 1)[0]));
  return files;
}

const RANDOM_BYTES = [0x00, 0xff, 0xfe, 0xc3, 0x80, 0xe2, 0x82, 0x0d, 0x0a, 0x09, 0x5c, 0x22, 0x27, 0x23, 0x28, 0x29, 0x5b, 0x5d, 0x7b, 0x7d, 0x3a];
const TOKENS = ['async ', 'await ', 'def ', 'class ', 'lambda: ', ':', '"""', "'", '"', '\\', '# noqa', '\n    ', '\n\t', '@', '*', '**', ',', '.', 'yield ', 'return ', 'import ', 'from . import *\n', 'time.sleep(1)', '(', ')', '[', ']', '{', '}'];

/** One mutation of `src`, chosen and placed by `rng`. */
function mutate(src: Buffer, rng: Rng): Buffer {
  const at = () => int(rng, src.length + 1);
  const splice = (start: number, end: number, insert: Buffer) => Buffer.concat([src.subarray(0, start), insert, src.subarray(end)]);
  switch (int(rng, 11)) {
    case 0: // truncation
      return src.subarray(0, at());
    case 1: { // a deleted span
      const start = at();
      return splice(start, Math.min(src.length, start + 1 + int(rng, 400)), Buffer.alloc(0));
    }
    case 2: { // random bytes, NUL and invalid UTF-8 among them
      const bytes = Buffer.from(Array.from({ length: 1 + int(rng, 8) }, () => (rng() < 0.7 ? pick(rng, RANDOM_BYTES) : int(rng, 256))));
      const where = at();
      return splice(where, where, bytes);
    }
    case 3: { // unbalanced brackets
      const where = at();
      return splice(where, where, Buffer.from(Array.from({ length: 1 + int(rng, 6) }, () => pick(rng, ['(', ')', '[', ']', '{', '}'])).join('')));
    }
    case 4: { // deep nesting of one kind
      const depth = 100 + int(rng, MAX_DEPTH);
      const shapes = [
        `x = ${'('.repeat(depth)}1${')'.repeat(depth)}\n`,
        `x = ${'lambda: '.repeat(depth)}0\n`,
        `x = ${'['.repeat(depth)}\n`,
        `y = a${'.f()'.repeat(depth)}\n`,
        `z = ${'f('.repeat(depth)}${')'.repeat(depth)}\n`,
        Array.from({ length: Math.min(depth, 300) }, (_, i) => `${' '.repeat(i)}def f${i}():\n`).join('') + `${' '.repeat(Math.min(depth, 300))}pass\n`,
        `x = ${'not '.repeat(depth)}1\n`,
        `x = ${'1 + '.repeat(depth)}1\n`,
      ];
      const where = lineStart(src, at());
      return splice(where, where, Buffer.from(pick(rng, shapes)));
    }
    case 5: { // a huge line
      const n = 1000 + int(rng, MAX_LINE);
      const shapes = [`f(${'a,'.repeat(n)})\n`, `x = "${'x'.repeat(n)}"\n`, `x = [${'1,'.repeat(n)}]\n`, `${'a;'.repeat(n)}\n`, `# ${'#'.repeat(n)}\n`];
      const where = lineStart(src, at());
      return splice(where, where, Buffer.from(pick(rng, shapes)));
    }
    case 6: { // a span repeated
      const start = at();
      const span = src.subarray(start, Math.min(src.length, start + 1 + int(rng, 200)));
      return splice(start, start, Buffer.concat(Array.from({ length: 2 + int(rng, 50) }, () => span)));
    }
    case 7: { // random tokens
      let out = src;
      for (let i = int(rng, 6); i >= 0; i--) {
        const where = int(rng, out.length + 1);
        out = Buffer.concat([out.subarray(0, where), Buffer.from(pick(rng, TOKENS)), out.subarray(where)]);
      }
      return out;
    }
    case 8: // line endings
      return Buffer.from(src.toString('latin1').replace(/\n/g, pick(rng, ['\r\n', '\r', '\n\n', '\\\n'])), 'latin1');
    case 9: // a coding declaration, right or wrong
      return Buffer.concat([Buffer.from(pick(rng, ['# -*- coding: latin-1 -*-\n', '# coding: utf-16\n', '# coding: no-such-codec\n', '\ufeff', '#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\n'])), src]);
    default: { // indentation shuffled on some lines
      const lines = src.toString('latin1').split('\n');
      for (let i = int(rng, 5); i >= 0 && lines.length > 0; i--) {
        const k = int(rng, lines.length);
        lines[k] = pick(rng, ['', ' ', '\t', '        ']) + lines[k].trimStart();
      }
      return Buffer.from(lines.join('\n'), 'latin1');
    }
  }
}

function lineStart(src: Buffer, index: number): number {
  return src.lastIndexOf(0x0a, index - 1) + 1;
}

const at = (run: AuditRun) => run.findings.map((f) => `${f.file}:${f.line} ${f.rule}`);

test(`fuzz: ${ROUNDS} rounds of mutated files (seed ${SEED}) never crash, hang or lose a finding`, async () => {
  const rng = random(SEED);
  const sources = corpus(rng);
  assert.ok(sources.length > 10, 'a corpus to mutate');
  const started = Date.now();
  for (let round = 0; round < ROUNDS; round++) {
    const dir = mkdtempSync(join(tmpdir(), `gil-audit-fuzz-${round}-`));
    const files = new Map<string, Buffer>();
    for (let i = 0; i < FILES_PER_ROUND; i++) {
      let bytes = pick(rng, sources);
      for (let m = 1 + int(rng, 3); m > 0; m--) bytes = mutate(bytes, rng);
      files.set(`m${String(i).padStart(3, '0')}.py`, bytes);
    }
    files.set(KNOWN_GOOD_FILE, Buffer.from(KNOWN_GOOD));
    for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
    const where = `round ${round} (FUZZ_SEED=${SEED}); its files are kept in ${dir}`;

    const r = spawnSync(process.execPath, [CLI, dir, '-f', 'json', '--jobs', '2'], {
      encoding: 'utf8', timeout: ROUND_TIMEOUT, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', GIL_AUDIT_NO_CACHE: '1' },
    });
    assert.equal(r.error, undefined, `the command did not finish (${String(r.error)}): ${where}`);
    assert.ok(r.status === 0 || r.status === 1, `exit code ${r.status}: ${r.stderr.slice(0, 2000)}\n${where}`);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at .+:\d+:\d+/, `${r.stderr.slice(0, 2000)}\n${where}`);
    const run = JSON.parse(r.stdout) as AuditRun;
    assert.ok(at(run).includes(KNOWN_GOOD_FINDING), `the known finding is missing: ${where}`);
    assert.equal(run.summary.files, files.size, `every file is analysed or reported: ${where}`);
    assert.ok(!run.errors.some((e) => /internal error/.test(e.message)), `${JSON.stringify(run.errors.filter((e) => /internal/.test(e.message)))}\n${where}`);

    // The in-process path (facts built in this thread) on the same files, decoded as UTF-8.
    const texts = new Map([...files].map(([name, bytes]) => [name, bytes.toString('utf8')]));
    const inProcess = await auditFiles(texts);
    assert.ok(at(inProcess).includes(KNOWN_GOOD_FINDING), `in-process: the known finding is missing: ${where}`);

    rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write(`fuzz: ${ROUNDS} rounds of ${FILES_PER_ROUND + 1} files in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED})\n`);
});
