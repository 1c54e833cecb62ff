/**
 * Facts for one file: read, decode, parse, extract, resolve.
 *
 * Stage: facts. Runs inside a parse worker; the syntax tree is dropped as soon as its facts are out.
 */
import type { PythonParser, TypeIds } from '../parse/language.js';
import { boundSource } from '../parse/bound.js';
import { parseRecovering } from '../parse/recover.js';
import { decodeSource, readSourceFile } from './read-source.js';
import { extract, moduleName } from './extract.js';
import { resolveModule } from './resolve-local.js';
import { sharedStateVisitor } from './shared-state.js';
import type { FileIssue, ModuleFacts } from './types.js';

export interface FactsRequest {
  abs: string;
  rel: string;
  /** The path as bytes, for a name that is not valid UTF-8 (`abs` and `rel` then hold a lossy decoding). */
  raw?: Uint8Array;
}

/**
 * Reads synchronously: it runs in a worker thread, and opening file handles asynchronously per
 * file costs more than it saves. `allowed`: the real paths the file may lie in (see readSourceFile).
 */
export function factsForFile(req: FactsRequest, parser: PythonParser, ids: TypeIds, maxBytes?: number, allowed?: readonly string[]): ModuleFacts {
  const file = req.raw ? Buffer.from(req.raw.buffer, req.raw.byteOffset, req.raw.byteLength) : req.abs;
  const read = readSourceFile(file, allowed, maxBytes);
  if ('issue' in read) return emptyFacts(req.rel, read.size, [read.issue]);
  return factsForBytes(read.bytes, req.rel, parser, ids, maxBytes);
}

/** Facts of a file's bytes: a function of the bytes, `rel`, `maxBytes` and this code only (what the cache relies on). */
export function factsForBytes(bytes: Buffer, rel: string, parser: PythonParser, ids: TypeIds, maxBytes?: number): ModuleFacts {
  const decoded = decodeSource(bytes, maxBytes);
  if (decoded.text === null) return emptyFacts(rel, bytes.length, decoded.issues);
  return factsForSource(decoded.text, rel, parser, ids, decoded.issues);
}

export function factsForSource(source: string, rel: string, parser: PythonParser, ids: TypeIds, issues: FileIssue[] = []): ModuleFacts {
  // Trimmed first (a file of tiny tokens would make a huge tree), then parsed with recovery.
  const bounded = boundSource(source);
  const parsed = parseRecovering(parser, bounded.text);
  // Shared-state facts are read in the same walk, for files whose text may hold shared state.
  const shared = sharedStateVisitor(parsed.source);
  const raw = extract(parsed.tree, parsed.source, rel, ids, parsed.source === source ? undefined : Buffer.byteLength(source), shared);
  for (const limit of bounded.limits) issues.push({ kind: 'limit', line: limit.line, message: limit.message });
  for (const error of parsed.errors) issues.push({ kind: 'syntax', line: error.line, message: error.message });
  raw.issues.unshift(...issues);
  const facts = resolveModule(raw);
  const sharedState = shared?.facts();
  if (sharedState) facts.sharedState = sharedState;
  return facts;
}

export function emptyFacts(rel: string, bytes: number, issues: FileIssue[]): ModuleFacts {
  const { module, isPackage } = moduleName(rel);
  return {
    path: rel, module, isPackage, lines: 0, bytes, imports: [], classes: [], functions: [],
    suppressions: [], issues, asyncLibraries: [], hasMainGuard: false,
  };
}
