/**
 * Python syntax trees as flat arrays: one native call per file, then plain array reads.
 *
 * Stage: parse. The addon (native/python_flat.c, built at install) parses the source with
 * tree-sitter and returns every node in pre-order as STRIDE int32 values: symbol, field id,
 * flags, parent index, index past the last descendant, start and end UTF-16 index, start row and
 * column, end row and column. The tree itself is freed in native code before the call returns,
 * so a worker holds no native trees and the extractor makes no call into native code per node.
 * FlatCursor and FlatNode read those arrays with the part of tree-sitter's cursor and node API
 * the extractor uses.
 */
import { createRequire } from 'node:module';

interface Addon {
  parse(source: string): Int32Array;
  trim(): boolean;
  symbolNames: string[];
  fieldNames: string[];
  stride: number;
  languageVersion: number;
  minLanguageVersion: number;
  maxLanguageVersion: number;
}

const SYMBOL = 0;
const FIELD = 1;
const FLAGS = 2;
const PARENT = 3;
const END = 4;
const START_INDEX = 5;
const END_INDEX = 6;
const START_ROW = 7;
const START_COLUMN = 8;
const END_ROW = 9;
const END_COLUMN = 10;
const S = 11;
const NAMED = 1;
const MISSING = 2;
const HAS_ERROR = 4;
/** tree-sitter's symbol for ERROR nodes. */
const ERROR_SYMBOL = 65535;

/** Loaded on first use, so that a missing build is an error of the run, reported as such, not of the import. */
let addon: Addon | undefined;
/** The addon's names by symbol and field id (filled on load; read only for trees it made). */
let symbolNames: readonly string[] = [];
let fieldNames: readonly string[] = [];

/** The native parser is not built or does not load: a problem of the installation, not of the audited code. */
export class ParserSetupError extends Error {}

/** Loads the native parser now; throws ParserSetupError, with the fix, when it cannot. */
export function checkParser(): void {
  native();
}

function native(): Addon {
  if (addon) return addon;
  addon = loadAddon();
  symbolNames = addon.symbolNames;
  fieldNames = addon.fieldNames;
  return addon;
}

function loadAddon(): Addon {
  const require = createRequire(import.meta.url);
  let loaded: Addon;
  try {
    // dist/src/parse/flat.js -> the package root's build/Release.
    loaded = require('../../../build/Release/python_flat.node') as Addon;
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' ? 'is missing' : `does not load (${(error as Error).message.split('\n')[0]})`;
    throw new ParserSetupError(`the native Python parser build/Release/python_flat.node ${why}; install again with \`npm ci\` (node-gyp builds it, with python3, make and a C compiler)`);
  }
  if (typeof loaded.trim !== 'function') throw new ParserSetupError('the native Python parser was built from older sources (it has no `trim`); rebuild it with `npm ci`');
  if (loaded.stride !== S) throw new ParserSetupError(`the native Python parser was built from other sources (${loaded.stride} values per node, ${S} expected); rebuild it with \`npm ci\``);
  if (loaded.languageVersion < loaded.minLanguageVersion || loaded.languageVersion > loaded.maxLanguageVersion) {
    throw new ParserSetupError(`the Python grammar's ABI ${loaded.languageVersion} is outside what the tree-sitter runtime reads (${loaded.minLanguageVersion}-${loaded.maxLanguageVersion}); reinstall with \`npm ci\``);
  }
  return loaded;
}

/**
 * Hands the C heap's free memory back to the system, once the parse workers have ended: each
 * freed its trees into a C heap arena of its own, which would otherwise stay resident (on 5 M
 * lines, 40 MB of the process's memory for the rest of the run).
 */
export function releaseParserMemory(): void {
  if (addon) addon.trim();
}

/** Parses Python source into a flat tree. */
export function parseFlat(source: string): FlatTree {
  return new FlatTree(native().parse(source), source);
}

/** The type name of a symbol. */
function typeName(symbol: number): string {
  return symbol === ERROR_SYMBOL ? 'ERROR' : symbolNames[symbol];
}

export interface Point {
  row: number;
  column: number;
}

export class FlatTree {
  constructor(
    /** STRIDE values per node, in pre-order. */
    readonly nodes: Int32Array,
    readonly source: string,
  ) {}

  get rootNode(): FlatNode {
    return new FlatNode(this, 0);
  }

  walk(): FlatCursor {
    return new FlatCursor(this, 0);
  }

  /** Whether the tree holds an ERROR or MISSING node. */
  get hasError(): boolean {
    return (this.nodes[FLAGS] & HAS_ERROR) !== 0;
  }

  /** The ERROR nodes, in document order (an ERROR before the ERRORs inside it), at most `max`. */
  errorNodes(max: number): FlatNode[] {
    return this.nodesWhere(max, (at) => this.nodes[at + SYMBOL] === ERROR_SYMBOL);
  }

  /** The MISSING nodes, in document order, at most `max`. */
  missingNodes(max: number): FlatNode[] {
    return this.nodesWhere(max, (at) => (this.nodes[at + FLAGS] & MISSING) !== 0);
  }

  /** The first `max` nodes in document order whose values, at offset `at`, pass `test`. */
  private nodesWhere(max: number, test: (at: number) => boolean): FlatNode[] {
    const out: FlatNode[] = [];
    for (let at = 0; at < this.nodes.length && out.length < max; at += S) if (test(at)) out.push(new FlatNode(this, at / S));
    return out;
  }

  /**
   * The smallest node (named or not) that spans [start, end), found as tree-sitter does: step
   * into the first child that reaches past both `start` and `end` and starts at or before `start`.
   */
  descendantForIndex(start: number, end: number = start): FlatNode {
    const { nodes } = this;
    let node = 0;
    for (;;) {
      let child = node + 1;
      const stop = nodes[node * S + END];
      let into = -1;
      while (child < stop) {
        const childEnd = nodes[child * S + END_INDEX];
        if (childEnd >= end && childEnd > start) {
          if (start >= nodes[child * S + START_INDEX]) into = child;
          break;
        }
        child = nodes[child * S + END];
      }
      if (into < 0) return new FlatNode(this, node);
      node = into;
    }
  }
}

/** A node of a FlatTree, by its pre-order index. */
export class FlatNode {
  constructor(
    readonly tree: FlatTree,
    readonly index: number,
  ) {}

  get type(): string {
    return typeName(this.tree.nodes[this.index * S + SYMBOL]);
  }

  get startIndex(): number {
    return this.tree.nodes[this.index * S + START_INDEX];
  }

  get endIndex(): number {
    return this.tree.nodes[this.index * S + END_INDEX];
  }

  get startPosition(): Point {
    const at = this.index * S;
    return { row: this.tree.nodes[at + START_ROW], column: this.tree.nodes[at + START_COLUMN] };
  }

  get endPosition(): Point {
    const at = this.index * S;
    return { row: this.tree.nodes[at + END_ROW], column: this.tree.nodes[at + END_COLUMN] };
  }

  get text(): string {
    return this.tree.source.slice(this.startIndex, this.endIndex);
  }

  get parent(): FlatNode | null {
    const parent = this.tree.nodes[this.index * S + PARENT];
    return parent < 0 ? null : new FlatNode(this.tree, parent);
  }

  /** Indices of the direct children. */
  private childIndices(): number[] {
    const { nodes } = this.tree;
    const out: number[] = [];
    const stop = nodes[this.index * S + END];
    for (let child = this.index + 1; child < stop; child = nodes[child * S + END]) out.push(child);
    return out;
  }

  get namedChildCount(): number {
    return this.namedChildIndices().length;
  }

  /** The named children, in order. */
  get namedChildren(): FlatNode[] {
    return this.namedChildIndices().map((i) => new FlatNode(this.tree, i));
  }

  private namedChildIndices(): number[] {
    const { nodes } = this.tree;
    return this.childIndices().filter((i) => (nodes[i * S + FLAGS] & NAMED) !== 0);
  }

  /** The first child in the field `name`, or null. */
  childForFieldName(name: string): FlatNode | null {
    const { nodes } = this.tree;
    for (const child of this.childIndices()) if (fieldNames[nodes[child * S + FIELD]] === name) return new FlatNode(this.tree, child);
    return null;
  }
}

/** A cursor over a FlatTree that moves as tree-sitter's TreeCursor does (it never leaves the node it started at). */
export class FlatCursor {
  private readonly nodes: Int32Array;
  /** Offset of the current node's values in `nodes`. */
  private at: number;
  private readonly rootAt: number;

  constructor(
    private readonly tree: FlatTree,
    index: number,
  ) {
    this.nodes = tree.nodes;
    this.at = index * S;
    this.rootAt = this.at;
  }

  get nodeTypeId(): number {
    return this.nodes[this.at + SYMBOL];
  }

  get nodeType(): string {
    return typeName(this.nodes[this.at + SYMBOL]);
  }

  get nodeIsNamed(): boolean {
    return (this.nodes[this.at + FLAGS] & NAMED) !== 0;
  }

  get nodeIsMissing(): boolean {
    return (this.nodes[this.at + FLAGS] & MISSING) !== 0;
  }

  get currentFieldName(): string | undefined {
    const field = this.nodes[this.at + FIELD];
    return field === 0 ? undefined : fieldNames[field];
  }

  get startIndex(): number {
    return this.nodes[this.at + START_INDEX];
  }

  get endIndex(): number {
    return this.nodes[this.at + END_INDEX];
  }

  get startPosition(): Point {
    return { row: this.nodes[this.at + START_ROW], column: this.nodes[this.at + START_COLUMN] };
  }

  get endPosition(): Point {
    return { row: this.nodes[this.at + END_ROW], column: this.nodes[this.at + END_COLUMN] };
  }

  get currentNode(): FlatNode {
    return new FlatNode(this.tree, this.at / S);
  }

  gotoFirstChild(): boolean {
    const child = this.at / S + 1;
    if (child >= this.nodes[this.at + END]) return false;
    this.at = child * S;
    return true;
  }

  gotoNextSibling(): boolean {
    if (this.at === this.rootAt) return false;
    const parent = this.nodes[this.at + PARENT];
    const next = this.nodes[this.at + END];
    if (next >= this.nodes[parent * S + END]) return false;
    this.at = next * S;
    return true;
  }

  gotoParent(): boolean {
    if (this.at === this.rootAt) return false;
    this.at = this.nodes[this.at + PARENT] * S;
    return true;
  }
}

