/**
 * The readiness stage: dependency manifests and native sources in, ReadinessFacts out.
 *
 * Stage: readiness. Pure over its inputs (paths and texts), so tests feed it in-memory files.
 * Asynchronous only so that native parsing can yield to the event loop (it frees parse trees there).
 */
import { analyseDependencies } from './dependencies/index.js';
import { loadPackageCatalogue } from './dependencies/catalogue.js';
import { analyseNative } from './native/index.js';
import { fileSuppressions } from './suppressions.js';
import type { PureCythonModule, ReadinessFacts, ReadinessInput, ReadinessProblem } from './types.js';

/** `pureCython`: `.py` modules Cython compiles (see ModuleFacts.cython). */
export async function analyseReadiness(inputs: ReadinessInput[], pureCython: PureCythonModule[] = []): Promise<ReadinessFacts> {
  const sorted = [...inputs].sort((a, b) => cmp(a.rel, b.rel));
  const deps = analyseDependencies(sorted);
  const native = await analyseNative(sorted, pureCython);
  const suppressions: ReadinessFacts['suppressions'] = {};
  for (const input of sorted) {
    const found = fileSuppressions(input.text);
    if (found.length > 0) suppressions[input.rel] = found;
  }
  return {
    dependencies: deps.dependencies,
    nativeModules: native.nativeModules,
    problems: [...deps.problems, ...native.problems].sort(compareProblems),
    suppressions,
    errors: [...deps.errors, ...native.errors].sort((a, b) => cmp(a.file, b.file)),
    signals: deps.signals,
    packageData: { source: loadPackageCatalogue().source, asOf: loadPackageCatalogue().asOf },
  };
}

function compareProblems(a: ReadinessProblem, b: ReadinessProblem): number {
  return cmp(a.file, b.file) || a.span.line - b.span.line || a.span.column - b.span.column || cmp(a.check, b.check);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
