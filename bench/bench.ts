/**
 * The benchmark (not a test): times a full audit against the parse-only floor on the same files,
 * and the cache's warm runs against the cold audit, on a directory and on a generated 2 M-line project.
 *
 * Usage: `npm run bench -- [DIR] [--runs N] [--jobs N] [--generated-lines N]`. The files DIR's
 * audit would read are copied to a temporary folder first (one of them is edited between runs; DIR
 * is never written). Then, unless `--generated-lines 0`, bench/generate.ts writes a synthetic
 * project of N lines (default 2,000,000) into another temporary folder, which is measured the same
 * way and deleted; without DIR only that project is measured. Each measurement runs in a fresh
 * process, as a user runs it; each round runs, in order: the floor (read + tree-sitter parse of the
 * same files on the same worker pool, nothing extracted); the audit without a cache (cold); the
 * audit filling an empty cache; the audit again with nothing changed (warm); and the audit after
 * one file was edited (warm, one edit). Each audit runs as `gil-audit DIR` does, for the text
 * report (so a memo is read without the parts only other reports show). For each corpus it prints
 * files, lines, MB, wall time, MB/s and peak RSS of each, the ratios of the medians, and the stage
 * times of the cold and warm runs (GIL_AUDIT_TIMING), which show what a warm run still pays for.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discover } from '../src/discover/index.js';
import { runPool } from '../src/facts/pool.js';
import { audit } from '../src/audit.js';
import { REPORT_PARTS } from '../src/report/index.js';
import { generateProject } from './generate.js';

type Mode = 'floor' | 'cold' | 'fill' | 'warm' | 'edit';

interface Sample {
  mode: Mode;
  wallMs: number;
  maxRssMb: number;
  files: number;
  bytes: number;
  lines?: number;
  findings?: number;
  functions?: number;
  /** Stage name -> milliseconds, from the audit's timing lines. */
  stages?: Record<string, number>;
}

async function measureOnce(mode: Mode, dir: string, cache: string, jobs?: number): Promise<Sample> {
  const start = performance.now();
  if (mode === 'floor') {
    const found = await discover([dir]);
    const floor = await runPool(found.files, 'floor', { jobs });
    return { mode, wallMs: performance.now() - start, maxRssMb: process.resourceUsage().maxRSS / 1024, files: floor.files, bytes: floor.bytes };
  }
  // As `gil-audit DIR` runs: the text report, which shows no profiles, so a memo is read without them.
  const { run, bytes } = await audit([dir], {
    jobs, runParts: REPORT_PARTS.text, ...(mode === 'cold' ? {} : { cache: { dir: cache } }), onWarning: (w) => process.stderr.write(`${w}\n`),
  });
  return {
    mode, wallMs: performance.now() - start, maxRssMb: process.resourceUsage().maxRSS / 1024, files: run.summary.files,
    // A run the memo answered parsed nothing; the cold runs, which MB/s is computed from, always parse.
    bytes: bytes ?? 0, lines: run.summary.lines, findings: run.summary.findings, functions: run.summary.functions,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `timing: graph: 1946 ms, heap ...` lines as stage -> ms (the cache counts dropped from the name). */
function stageTimes(stderr: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const match of stderr.matchAll(/^timing: (.+?)(?: \(cache: [^)]*\))?: (\d+) ms/gm)) out[match[1]] = Number(match[2]);
  return out;
}

/** Copies the files an audit of `dir` reads into a new temporary folder; returns it and the Python files' paths. */
async function copyCorpus(dir: string): Promise<{ copy: string; files: string[] }> {
  const found = await discover([dir]);
  const copy = mkdtempSync(join(tmpdir(), 'gil-audit-bench-'));
  for (const file of [...found.files, ...found.manifests, ...found.nativeSources]) {
    if (file.raw) continue;
    mkdirSync(dirname(join(copy, file.rel)), { recursive: true });
    copyFileSync(file.abs, join(copy, file.rel));
  }
  return { copy, files: found.files.filter((f) => !f.raw).map((f) => f.rel) };
}

/** Measures `runs` rounds on `copy` (a folder the benchmark may write); returns the printed block, headed by `header`. */
function measureCorpus(header: string, copy: string, files: string[], runs: number, jobs: string | undefined): string {
  const self = fileURLToPath(import.meta.url);
  // The edited file: one in the middle of the list, the same in every round.
  const edited = files[Math.floor(files.length / 2)];
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const cache = join(copy, `.cache-${i}`);
    for (const mode of ['floor', 'cold', 'fill', 'warm', 'edit'] as const) {
      if (mode === 'edit') appendFileSync(join(copy, edited), `\n# edited by the benchmark, round ${i + 1}\n`);
      const child = spawnSync(process.execPath, [self, '--child', mode, copy, cache, ...(jobs ? [jobs] : [])], {
        encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, GIL_AUDIT_TIMING: '1' },
      });
      if (child.status !== 0) throw new Error(`${mode} run failed: ${child.stderr}`);
      samples.push({ ...(JSON.parse(child.stdout) as Sample), stages: stageTimes(child.stderr) });
    }
    rmSync(cache, { recursive: true, force: true });
  }
  const of = (mode: Mode) => samples.filter((s) => s.mode === mode);
  const cold = of('cold');
  const mb = cold[0].bytes / 1e6;
  const row = (name: string, set: Sample[]) => {
    const wall = median(set.map((s) => s.wallMs)) / 1000;
    const rss = median(set.map((s) => s.maxRssMb));
    return { wall, line: `${name.padEnd(30)} ${wall.toFixed(2).padStart(7)} s  ${(mb / wall).toFixed(1).padStart(6)} MB/s  peak RSS ${rss.toFixed(0).padStart(5)} MB` };
  };
  const rows = {
    floor: row('floor (read + parse)', of('floor')),
    cold: row('audit, cold (no cache)', cold),
    fill: row('audit, filling an empty cache', of('fill')),
    warm: row('audit, warm (no change)', of('warm')),
    edit: row('audit, warm (one file edited)', of('edit')),
  };
  const ratio = (mode: Mode, base: Mode) =>
    `${(rows[mode].wall / rows[base].wall).toFixed(2)}   (each run: ${of(mode).map((s, i) => (s.wallMs / of(base)[i].wallMs).toFixed(2)).join(', ')})`;
  const stages = (mode: Mode) => {
    const names = Object.keys(of(mode)[0].stages ?? {});
    return names.map((n) => `${n} ${(median(of(mode).map((s) => s.stages?.[n] ?? 0)) / 1000).toFixed(2)} s`).join(', ');
  };
  return [
    `${header}; the edited file: ${edited}`,
    `files: ${cold[0].files}   lines: ${cold[0].lines}   MB: ${mb.toFixed(1)}   functions: ${cold[0].functions}   findings: ${cold[0].findings}`,
    `runs: ${runs} each, fresh process per run, medians; jobs: ${jobs ?? 'all cores'}`,
    ...Object.values(rows).map((r) => r.line),
    `ratio audit/floor:              ${ratio('cold', 'floor')}`,
    `ratio filling the cache/cold:   ${ratio('fill', 'cold')}`,
    `ratio warm (no change)/cold:    ${ratio('warm', 'cold')}`,
    `ratio warm (one edit)/cold:     ${ratio('edit', 'cold')}`,
    `stages, cold: ${stages('cold')}`,
    `stages, warm (no change): ${stages('warm')}`,
    `stages, warm (one edit): ${stages('edit')}`,
  ].join('\n');
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child') {
    const sample = await measureOnce(argv[1] as Mode, argv[2], argv[3], argv[4] ? Number(argv[4]) : undefined);
    process.stdout.write(JSON.stringify(sample));
    return;
  }
  const valued = ['--runs', '--jobs', '--generated-lines'];
  const dir = argv.find((a, i) => !a.startsWith('--') && !valued.includes(argv[i - 1]));
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(opt('--runs') ?? 3);
  const jobs = opt('--jobs');
  const generatedLines = Number(opt('--generated-lines') ?? 2_000_000);
  if ((!dir && !generatedLines) || !(runs >= 1) || !(generatedLines >= 0)) {
    process.stderr.write('usage: npm run bench -- [DIR] [--runs N] [--jobs N] [--generated-lines N (0: none)]\n');
    process.exitCode = 2;
    return;
  }
  const blocks: string[] = [];
  const print = (block: string) => process.stdout.write(`${blocks.push(block) > 1 ? '\n' : ''}${block}\n`);
  if (dir) {
    const { copy, files } = await copyCorpus(dir);
    try {
      print(measureCorpus(`corpus: ${dir}, copied`, copy, files, runs, jobs));
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }
  if (generatedLines) {
    const copy = mkdtempSync(join(tmpdir(), 'gil-audit-bench-generated-'));
    try {
      generateProject(copy, generatedLines);
      const files = (await discover([copy])).files.filter((f) => !f.raw).map((f) => f.rel);
      print(measureCorpus(`corpus: a project of ${generatedLines} lines written by bench/generate.ts`, copy, files, runs, jobs));
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
