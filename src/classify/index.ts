/**
 * The classify stage in one call: what every function of the project does and how it runs.
 *
 * Stage: classify. Input: the ProjectIndex (graph), the API catalogue and the project's own API
 * settings; output: one ClassifiedProject, the only thing the rules and the findings stage read
 * from classification. Its per-function facts are plain arrays indexed by function id (where a
 * function runs, how often, whether only at start-up) and plain reports (the workload profiles);
 * the analyses beside them answer the questions whose answers are chains built on demand (the
 * shortest blocking chain from a coroutine, the heaviest path from a thread target), since
 * building every chain for every function up front would cost more than the rules ever ask.
 */
import type { FunctionReport } from '../model/types.js';
import type { ProjectIndex } from '../graph/index.js';
import { BlockingAnalysis } from './blocking.js';
import type { Catalogue } from './catalogue.js';
import { EntryPoints } from './entry-points.js';
import { findWrappers, LoopContext } from './loop.js';
import { frequency, mainCoroutines, profiles, startupOnly } from './profile.js';
import { SharedStateAnalysis } from './shared-state.js';
import type { UserApis } from './user-apis.js';
import { loadWorkModel } from './work-model.js';
import { WorkloadAnalysis } from './workload.js';
import { collectGarbage } from '../memory.js';

export interface ClassifiedProject {
  catalogue: Catalogue;
  /** Thread targets, executor submissions, request handlers, tasks: how each function is started. */
  entries: EntryPoints;
  /** What runs on the event loop (coroutines, loop callbacks) and what calls run in worker threads. */
  loop: LoopContext;
  /** Direct blocking calls per function, and the shortest chain to one of each kind. */
  blocking: BlockingAnalysis;
  /** Work per function with the lenient model: labels, hot paths, evidence for profiles. */
  workload: WorkloadAnalysis;
  /**
   * Work per function counting only proven data sizes (the strict model): CPU findings are decided
   * on it. Worked out only for the functions CPU findings are about (see `cpuFindingRoots`) and
   * what they call.
   */
  provenWork: WorkloadAnalysis;
  /** Unlocked writes to shared state in functions that threads run. */
  sharedState: SharedStateAnalysis;
  /** By function id: how often it runs, relative to a request (profile.ts `frequency`). */
  frequency: readonly number[];
  /** By function id: whether it runs only while the process starts (lifespan and startup hooks, the `__main__` block). */
  startupOnly: readonly boolean[];
  /** By function id: whether it is a main coroutine (`asyncio.run(main())`) that no other coroutine awaits. */
  mainCoroutines: readonly boolean[];
  /** The workload profile of every function worth reporting, hottest first. */
  profiles: FunctionReport[];
}

/**
 * Classifies every function of `index`. `profileTests`: profile the functions of test code too
 * (only asked when test code counts like the rest, `--tests include`; profiles are the costliest
 * output, and test code is often half a project).
 */
export function classify(index: ProjectIndex, catalogue: Catalogue, user: UserApis, profileTests = true): ClassifiedProject {
  const wrappers = findWrappers(index, catalogue, user);
  const entries = new EntryPoints(index, catalogue, wrappers);
  const loop = new LoopContext(index, catalogue, entries, wrappers, user);
  const blocking = new BlockingAnalysis(index, catalogue, { offloaded: loop.offloaded, user });
  const workload = new WorkloadAnalysis(index, catalogue);
  // What working out every function's totals left (tallies, lists of edges) goes before the rest.
  collectGarbage();
  const provenWork = new WorkloadAnalysis(index, catalogue, loadWorkModel(undefined, true), cpuFindingRoots(index, entries));
  const often = frequency(index, entries, workload);
  const sharedState = new SharedStateAnalysis(index, entries, catalogue);
  return {
    catalogue, entries, loop, blocking, workload, provenWork, sharedState,
    frequency: often,
    startupOnly: startupOnly(often),
    mainCoroutines: mainCoroutines(index, entries),
    profiles: profiles(index, workload, entries, often, profileTests),
  };
}

/**
 * The functions whose CPU work findings are about: coroutines (GA111), sync request
 * handlers (GA202) and thread targets (GA201, GA301). On a large tree they and what they call
 * are a small part of it (on 5 M lines of the standard library and site-packages, 7 k of 326 k
 * functions), so the strict work model is worked out for them alone.
 */
function cpuFindingRoots(index: ProjectIndex, entries: EntryPoints): number[] {
  const roots: number[] = [];
  for (const node of index.functions) if (node.fact.isAsync || entries.handlerFramework(node.id)) roots.push(node.id);
  for (const spawn of entries.spawns) if (spawn.target) roots.push(spawn.target.id);
  return roots;
}
