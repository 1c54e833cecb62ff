/**
 * The project's own native code: C/C++, Cython and Rust extension modules, whether each declares
 * free-threading support, and the C-API patterns that are unsafe without the GIL.
 *
 * Stage: readiness.
 */
import type { NativeModule, ReadinessInput, ReadinessProblem } from '../types.js';

export interface NativeAnalysis {
  nativeModules: NativeModule[];
  problems: ReadinessProblem[];
  errors: { file: string; message: string }[];
}

export function analyseNative(_inputs: ReadinessInput[]): NativeAnalysis {
  return { nativeModules: [], problems: [], errors: [] };
}
