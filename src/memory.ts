/**
 * Full garbage collections between stages, on large projects only.
 *
 * Building the graph leaves about a fifth of its allocations as garbage, and each work model
 * some more; V8 lets the heap grow rather than collect it, so the peak held the next stage's data
 * on top of the last one's garbage: 1.65 GB on 5 M lines, against 1.42 GB when each stage's
 * garbage goes at its end, and 1.26 GB when the lenient work model's goes too. V8 offers the
 * collector to scripts only behind `--expose-gc`, which is set here (as test runners do for leak
 * checks); where that fails, nothing is done.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Heap in use from which garbage is collected (a large project's). */
const COLLECT_FROM = 384 * 1048576;
let fullGc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (process.memoryUsage().heapUsed < COLLECT_FROM) return;
  if (fullGc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      fullGc = runInNewContext('gc') as () => void;
    } catch {
      fullGc = null;
    }
  }
  fullGc?.();
}
