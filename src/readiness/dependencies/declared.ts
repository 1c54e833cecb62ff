/**
 * What each manifest reader hands back: the dependencies a file declares (with where their names
 * sit), the files it includes, and what it could not read.
 *
 * Stage: readiness.
 */
import type { Span } from '../../facts/types.js';
import type { Dependency } from '../types.js';
import type { Dialect } from './versions.js';

/** One dependency as a manifest declares it, before the catalogue is consulted. */
export interface Declared {
  /** PEP 503 normalised name. */
  name: string;
  /** The requirement as written, trimmed (`numpy>=1.26,<2`; for Poetry tables `numpy = "^1.26"`). */
  requirement: string;
  /** The package name's place. */
  span: Span;
  group: Dependency['group'];
  /** Version constraint (`>=1.26,<2`, `^1.26`), '' for any version. */
  specifier: string;
  dialect: Dialect;
  marker?: string;
  /** Installed from a URL, a path or a VCS: no version constraint can be judged. */
  direct?: boolean;
}

/** A manifest's reading. */
export interface ManifestReading {
  declared: Declared[];
  /** `what is wrong`, each prefixed with the line where it can be told (`line 4: …`). */
  errors: string[];
  /** `-r` / `-c` files named by a requirements file, resolved relative to it. */
  includes?: { rel: string | null; written: string; line: number; constraint: boolean }[];
}

/** `line N: message`. */
export function atLine(line: number, message: string): string {
  return `line ${line}: ${message}`;
}
