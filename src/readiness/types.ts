/**
 * What the readiness stage reads and hands on: dependency manifests and native sources in, the
 * project's dependencies, native modules and free-threading (PEP 703) problems out, as plain data.
 *
 * Stage: readiness. It reads files discover collected (never imports or runs them); rules turn
 * each ReadinessProblem into a finding (a rule's YAML `match.checks` names the checks it reports).
 * Check ids follow the checklist of shared/FREE-THREADING.md §6 (B01…, C01…, X01…, P01…), with a
 * suffix where one checklist item has several outcomes (`B11-not-ready`, `B11-partial`).
 */
import type { Span } from '../facts/types.js';

/** A file readiness reads: path relative to the audit root, and its text. */
export interface ReadinessInput {
  rel: string;
  text: string;
}

/** A `.py` module Cython compiles in pure-Python mode (see ModuleFacts.cython). */
export interface PureCythonModule {
  file: string;
  header?: Span;
  declares: boolean;
}

/** Free-threading status of a package, from the shipped package catalogue. */
export type PackageStatus = 'ready' | 'partial' | 'not-ready' | 'pure-python' | 'unknown';

/** One dependency as the project declares it, at the line that declares it. */
export interface Dependency {
  /** PEP 503 normalised name (`scikit-learn`). */
  name: string;
  /** The requirement as written, trimmed (`numpy>=1.26,<2`). */
  requirement: string;
  /** Where it is declared. */
  file: string;
  span: Span;
  /** `runtime` ([project] dependencies, requirements.txt), `optional` (extras), `dev` (dependency groups, dev requirements), `build` ([build-system] requires, setup_requires), `lock` (a pinned version that declares nothing: a lock file's resolved version, a constraints file's or a compiled requirements file's pin). */
  group: 'runtime' | 'optional' | 'dev' | 'build' | 'lock';
  status: PackageStatus;
  /** First version with free-threaded wheels, when the catalogue knows it. */
  firstVersion?: string;
  /** The highest version the requirement allows is older than `firstVersion` (a pin or cap below it). */
  capsBelowFirst?: boolean;
}

/** A native extension module defined by the project's own sources. */
export interface NativeModule {
  /** The module's name where it can be read (`_speedups`), else the file's stem. */
  name: string;
  /** `rust`: a module written against the C API from Rust without PyO3's macros (`PyInit_*` by hand). */
  binding: 'c' | 'cpp' | 'cython' | 'pyo3' | 'pybind11' | 'nanobind' | 'f2py' | 'rust';
  file: string;
  /** The module definition: slot array, `PyModuleDef`, `PyInit_`, `# cython:` header, `#[pymodule]`, `PYBIND11_MODULE`, `nanobind_add_module`. */
  span: Span;
  /** Declares that it does not need the GIL (`Py_MOD_GIL_NOT_USED`, `freethreading_compatible`, `gil_used = false`, `py::mod_gil_not_used()`, `FREE_THREADED`). */
  declaresFreeThreading: boolean;
  /** Signs in the defining file that it prepares for free-threading (checklist C10), with how often each occurs; absent when there are none. */
  signals?: Partial<Record<NativeSignal, number>>;
}

/**
 * Positive signals (checklist C10): `Py_GIL_DISABLED` guards, `PyMutex`, critical sections,
 * strong-reference APIs (`PyDict_GetItemRef`…), an include of `pythoncapi_compat.h`.
 */
export type NativeSignal = 'gil-disabled-guard' | 'pymutex' | 'critical-section' | 'strong-ref-api' | 'pythoncapi-compat';

/** One readiness problem (or positive signal) at a precise place. */
export interface ReadinessProblem {
  /** Checklist id, with an outcome suffix where needed: `B01`, `B11-not-ready`, `C01`. */
  check: string;
  file: string;
  span: Span;
  /** What the problem is about, for fingerprints and grouping: a package, a module, an API. */
  subject: string;
  /** Values for the placeholders of the reporting rule's message and recommendation (`{{api}}`, `{{replacement}}`). */
  values: Record<string, string>;
}

/** A suppression comment in a non-Python file (`# gil-audit: ignore[GA401]`, `// noqa: GA420`). */
export interface FileSuppression {
  line: number;
  /** Codes named; empty means every rule. */
  codes: string[];
}

/**
 * Whether the project says it supports free-threading (checklist B14, B15): context for a reader
 * of the facts, not findings. An absent classifier or CI leg means something only when the
 * project declares a package or has CI configuration at all.
 */
export interface PackagingSignals {
  /** `Programming Language :: Python :: Free Threading :: …` trove classifiers, where declared (B14). */
  classifiers: { file: string; line: number; value: string }[];
  /** Free-threaded Python versions (`3.14t`) named in CI or tox configuration (B15). */
  ciLegs: { file: string; line: number; version: string }[];
  /** Some manifest declares a package (a name in `[project]`, `[tool.poetry]`, setup.cfg `[metadata]` or `setup()`). */
  declaresPackage: boolean;
  /** CI or tox configuration was read. */
  hasCi: boolean;
}

export interface ReadinessFacts {
  dependencies: Dependency[];
  nativeModules: NativeModule[];
  /** Sorted by file, line, column, check. */
  problems: ReadinessProblem[];
  /** Suppression comments of the files read, by path. */
  suppressions: Record<string, FileSuppression[]>;
  /** Files that could not be read or understood, with what to do (reported as audit errors). */
  errors: { file: string; message: string }[];
  /** Where the package statuses come from, and their date (from the shipped package catalogue). */
  packageData?: { source: string; asOf: string };
  /** Free-threading support the packaging and CI declare (B14, B15). */
  signals?: PackagingSignals;
}
