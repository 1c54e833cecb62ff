/**
 * Facts for one file: read, decode, parse, extract, resolve.
 *
 * Stage: facts. Runs inside a parse worker; the syntax tree is dropped as soon as its facts are out.
 */
import { readFileSync } from 'node:fs';
import type Parser from 'tree-sitter';
import type { TypeIds } from '../parse/language.js';
import { decodeSource } from './read-source.js';
import { extract, moduleName } from './extract.js';
import { resolveModule } from './resolve-local.js';
import { sharedStateFacts } from './shared-state.js';
import type { FileIssue, ModuleFacts } from './types.js';

export interface FactsRequest {
  abs: string;
  rel: string;
}

/** Reads synchronously: it runs in a worker thread, and opening file handles asynchronously per file costs more than it saves. */
export function factsForFile(req: FactsRequest, parser: Parser, ids: TypeIds, maxBytes?: number): ModuleFacts {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(req.abs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return emptyFacts(req.rel, 0, [{ kind: 'unreadable', message: `cannot read file: ${code}; check its permissions or exclude it` }]);
  }
  const decoded = decodeSource(bytes, maxBytes);
  if (decoded.text === null) return emptyFacts(req.rel, bytes.length, decoded.issues);
  return factsForSource(decoded.text, req.rel, parser, ids, decoded.issues);
}

export function factsForSource(source: string, rel: string, parser: Parser, ids: TypeIds, issues: FileIssue[] = []): ModuleFacts {
  const tree = parser.parse(source);
  const raw = extract(tree, source, rel, ids);
  raw.issues.unshift(...issues);
  const facts = resolveModule(raw);
  const shared = sharedStateFacts(tree, source);
  if (shared) facts.sharedState = shared;
  return facts;
}

export function emptyFacts(rel: string, bytes: number, issues: FileIssue[]): ModuleFacts {
  const { module, isPackage } = moduleName(rel);
  return {
    path: rel, module, isPackage, lines: 0, bytes, imports: [], classes: [], functions: [],
    suppressions: [], issues, asyncLibraries: [], hasMainGuard: false,
  };
}
