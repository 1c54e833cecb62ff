/**
 * The benchmark (not a test): times a full audit against the parse-only floor on the same files.
 *
 * Usage: `npm run bench -- DIR [--runs N] [--jobs N]`. Each measurement runs in a fresh process
 * (cold, as a user runs it), alternating floor and audit; it prints files, lines, MB, wall time,
 * MB/s and peak RSS for each, and the ratio audit/floor of the medians. The floor is read +
 * tree-sitter parse of the same files on the same worker pool, with nothing extracted.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { discover } from '../src/discover/index.js';
import { runPool } from '../src/facts/pool.js';
import { audit } from '../src/audit.js';

interface Sample {
  mode: 'floor' | 'audit';
  wallMs: number;
  maxRssMb: number;
  files: number;
  bytes: number;
  lines?: number;
  findings?: number;
  functions?: number;
}

async function measureOnce(mode: 'floor' | 'audit', dir: string, jobs?: number): Promise<Sample> {
  const start = performance.now();
  if (mode === 'floor') {
    const found = await discover([dir]);
    const floor = await runPool(found.files, 'floor', { jobs });
    return { mode, wallMs: performance.now() - start, maxRssMb: process.resourceUsage().maxRSS / 1024, files: floor.files, bytes: floor.bytes };
  }
  const { run, modules } = await audit([dir], { jobs });
  return {
    mode, wallMs: performance.now() - start, maxRssMb: process.resourceUsage().maxRSS / 1024, files: modules.length,
    bytes: modules.reduce((n, m) => n + m.bytes, 0), lines: run.summary.lines, findings: run.summary.findings, functions: run.summary.functions,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child') {
    const sample = await measureOnce(argv[1] as 'floor' | 'audit', argv[2], argv[3] ? Number(argv[3]) : undefined);
    process.stdout.write(JSON.stringify(sample));
    return;
  }
  const dir = argv.find((a) => !a.startsWith('--'));
  if (!dir) {
    process.stderr.write('usage: npm run bench -- DIR [--runs N] [--jobs N]\n');
    process.exitCode = 2;
    return;
  }
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(opt('--runs') ?? 3);
  const jobs = opt('--jobs');
  const self = fileURLToPath(import.meta.url);
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    for (const mode of ['floor', 'audit'] as const) {
      const child = spawnSync(process.execPath, [self, '--child', mode, dir, ...(jobs ? [jobs] : [])], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (child.status !== 0) throw new Error(`${mode} run failed: ${child.stderr}`);
      samples.push(JSON.parse(child.stdout) as Sample);
    }
  }
  const floor = samples.filter((s) => s.mode === 'floor');
  const full = samples.filter((s) => s.mode === 'audit');
  const mb = full[0].bytes / 1e6;
  const row = (name: string, set: Sample[]) => {
    const wall = median(set.map((s) => s.wallMs)) / 1000;
    const rss = median(set.map((s) => s.maxRssMb));
    return { name, wall, rss, line: `${name.padEnd(22)} ${wall.toFixed(2).padStart(7)} s  ${(mb / wall).toFixed(1).padStart(6)} MB/s  peak RSS ${rss.toFixed(0).padStart(5)} MB` };
  };
  const f = row('floor (read + parse)', floor);
  const a = row('audit (full)', full);
  const lines = [
    `corpus: ${dir}`,
    `files: ${full[0].files}   lines: ${full[0].lines}   MB: ${mb.toFixed(1)}   functions: ${full[0].functions}   findings: ${full[0].findings}`,
    `runs: ${runs} each, fresh process per run, medians; jobs: ${jobs ?? 'all cores'}`,
    f.line,
    a.line,
    `ratio audit/floor: ${(a.wall / f.wall).toFixed(2)}   (each run: ${full.map((s, i) => (s.wallMs / floor[i].wallMs).toFixed(2)).join(', ')})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
