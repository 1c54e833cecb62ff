/**
 * What one edited module can change (a measurement, not a test): for each module of DIR, the share
 * of the project's functions its change can reach through the call graph, which sizes an analysis
 * that redoes only what an edit reaches (docs/performance.md, "One edit").
 *
 * Usage: `npm run build && node dist/bench/reach.js DIR [--jobs N]`. For each module it counts:
 * - reached: its functions, what calls them (transitively: their labels and blocking chains may
 *   change) and what they call (transitively: how often and where those run may change);
 * - to redo: reached, and everything those call (their totals are the input of the callers' own).
 * It prints the median, 75th and 90th percentiles and the largest, as shares of all functions.
 * Only call edges are followed: what else an edit can change is listed in docs/performance.md.
 */
import { discover } from '../src/discover/index.js';
import { runPool } from '../src/facts/pool.js';
import { pruneCalls } from '../src/graph/prune.js';
import { loadCatalogue } from '../src/classify/catalogue.js';
import { userApis } from '../src/classify/user-apis.js';
import { catalogueKnows, projectIndex } from '../src/analyse.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jobsAt = args.indexOf('--jobs');
  const jobs = jobsAt >= 0 ? Number(args.splice(jobsAt, 2)[1]) : undefined;
  if (args.length !== 1) throw new Error('usage: node dist/bench/reach.js DIR [--jobs N]');
  const found = await discover([args[0]]);
  const catalogue = loadCatalogue();
  // Pruned and built as an audit without settings prunes and builds them.
  const known = catalogueKnows(catalogue, userApis());
  const modules = await runPool(found.files, 'facts', { jobs, onFacts: (facts) => pruneCalls(facts, known) });
  const index = projectIndex(modules, catalogue);
  const count = index.functions.length;
  const byModule = new Map<string, number[]>();
  for (const node of index.functions) {
    const ids = byModule.get(node.module.path);
    if (ids) ids.push(node.id);
    else byModule.set(node.module.path, [node.id]);
  }
  const callers = (id: number) => index.callers[id].map((e) => e.from);
  const callees = (id: number) => index.outgoing[id].map((e) => e.to);
  const rows = [...byModule].map(([path, ids]) => {
    const reached = union(closure(ids, callers, count), closure(ids, callees, count));
    const redo = closure(reached, callees, count);
    return { path, reached: reached.length / count, redo: redo.length / count };
  });
  console.log(`${found.files.length} files, ${rows.length} modules with functions, ${count} functions`);
  for (const key of ['reached', 'redo'] as const) {
    const shares = rows.map((r) => r[key]).sort((a, b) => a - b);
    const at = (q: number) => percent(shares[Math.min(shares.length - 1, Math.floor(q * shares.length))]);
    const largest = [...rows].sort((a, b) => b[key] - a[key]).slice(0, 3).map((r) => `${r.path} ${percent(r[key])}`);
    console.log(`${key === 'reached' ? 'reached ' : 'to redo '}: median ${at(0.5)}, p75 ${at(0.75)}, p90 ${at(0.9)}, largest ${largest.join(', ')}`);
  }
}

/** The ids reachable from `start` by `next`, `start` included. */
function closure(start: readonly number[], next: (id: number) => number[], count: number): number[] {
  const seen = new Uint8Array(count);
  const stack = [...start];
  for (const id of start) seen[id] = 1;
  const out = [...start];
  while (stack.length > 0) {
    for (const to of next(stack.pop()!)) {
      if (seen[to]) continue;
      seen[to] = 1;
      out.push(to);
      stack.push(to);
    }
  }
  return out;
}

function union(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])];
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
