/**
 * Public types of the discover stage: what it is asked to do and what it hands on.
 *
 * Stage: discover. Inputs: the paths given on the command line and `DiscoverOptions`.
 * Outputs: a `DiscoverResult` (Python sources, manifests, native sources, non-fatal errors),
 * or a thrown `DiscoverError` for a path that does not exist.
 */

/** One file found on disk. */
export interface SourceFile {
  /** Absolute path, as reached (symlinks inside the root are kept, not resolved). */
  abs: string;
  /** Path relative to `DiscoverResult.root`, `/`-separated on every OS. */
  rel: string;
  /** Size in bytes (of the file a symlink points to, for a symlink). */
  size: number;
  /** The path as bytes, when a name on it is not valid UTF-8 (`abs` and `rel` then hold a lossy decoding). */
  raw?: Buffer;
}

/** A problem that did not stop the walk: the path (relative to the root) and what to do. */
export interface DiscoverProblem {
  file: string;
  message: string;
}

export interface DiscoverResult {
  /** Absolute; the directory every `rel` is relative to. */
  root: string;
  /** `.py` and `.pyi` files, sorted by `rel`. */
  files: SourceFile[];
  /** Dependency manifests (`pyproject.toml`, `requirements*.txt`, lock files...) and the configuration readiness scans (CI workflows, tox.ini, Dockerfiles, `.env`), sorted by `rel`. */
  manifests: SourceFile[];
  /** C, C++, Cython and Rust sources and native build files, sorted by `rel`. */
  nativeSources: SourceFile[];
  /** Unreadable directories and files, broken symlinks...; sorted by `file`. */
  errors: DiscoverProblem[];
  /**
   * Real paths the files may lie in: the root's, and those of the directories and files given.
   * A file that leads elsewhere when it is read (it was swapped for a symlink) is not read.
   */
  allowedReals: string[];
}

export interface DiscoverOptions {
  /** Gitignore-style patterns matched against paths relative to the root. */
  exclude?: string[];
  /** Honour `.gitignore` files and `.git/info/exclude` (default true). */
  respectGitignore?: boolean;
  /** Only files git tracks (files named on the command line are always kept). */
  trackedOnly?: boolean;
}

/** A path given to `discover` cannot be used at all (the CLI exits 2). */
export class DiscoverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscoverError';
  }
}
