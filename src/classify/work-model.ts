/**
 * The work model: how many times a loop runs, judged from what it iterates, and what calls cost.
 *
 * Stage: classify. Input: rules/work-model.yaml (schema: src/schema/work-model.schema.json) and
 * the loop facts; output: pass estimates with the size class that explains them (tiny, small,
 * unknown, element, data, service). docs/work-model.md explains the model and its numbers.
 *
 * A model is lenient (labels: a name like `rows` or a computed `range(n)` counts as data) or
 * strict (findings: only sizes the code proves count as data, such as the rows of a query, the
 * lines of a file or a constant range; data known only by a name counts as unknown, and a
 * collection of unknown or code size runs once).
 */
import { readFileSync } from 'node:fs';
import { parseYaml } from '../config/yaml.js';
import type { LoopFact } from '../facts/types.js';
import type { ModelNumber, ModelWords, WorkModelFile } from '../model/schema-types.js';
import { ConfigError, packagePath } from '../config/schema.js';
import { validatedData } from '../config/shipped-data.js';
import type { CacheDecorators } from '../graph/lifetime.js';

/** Why a loop runs as often as it does. */
export type SizeClass = 'tiny' | 'small' | 'unknown' | 'element' | 'data' | 'service';

export interface Passes {
  passes: number;
  size: SizeClass;
  /** For messages: "over `rows` (a parameter)". */
  why: string;
  /** For data: the code proves the size (a query's rows, a file's lines, an exact count), not only a name. */
  proven?: boolean;
  /**
   * The part of `passes` that is a guess at a collection of unknown or code size (small,
   * element, unknown: see `guessedPasses`); absent when none is (data, exact sizes).
   */
  guessed?: number;
}

/** Size classes whose passes are a guess at a collection the code says nothing about: their products are bounded (`guessed-passes`, see workload.ts). */
const GUESSED: ReadonlySet<SizeClass> = new Set(['small', 'element', 'unknown']);

/** The guessed part of one iterable's passes: all of them for a guessed size class, else none. */
export function guessedPasses(p: Pick<Passes, 'passes' | 'size'>): number {
  return GUESSED.has(p.size) ? p.passes : 1;
}

/** The loaded model: numbers by name, and the size judgement of loops and arguments. */
export class WorkModel {
  readonly passes: Record<keyof WorkModelFile['passes'], number>;
  readonly thresholds: Record<keyof WorkModelFile['thresholds'], number>;
  readonly costs: Record<Exclude<keyof WorkModelFile['costs'], 'io'>, number>;
  readonly ioCosts: Record<string, number>;
  /**
   * The cache decorators by what they keep (rules/work-model.yaml `once-only`); the graph holds
   * them (ProjectIndex `caches`), and a call of a function behind any of them counts its work once.
   */
  readonly caches: CacheDecorators;
  /** Resolved values that are whole documents (a response body, a file's content): see documents.ts. */
  readonly documentSources: RegExp[];
  /** Module prefixes (`requests.`) of HTTP clients and browser drivers: see documents.ts. */
  readonly httpClients: string[];
  private readonly smallWords: Set<string>;
  private readonly dataWords: Set<string>;
  private readonly dataCalls: Set<string>;
  private readonly provenCalls: Set<string>;
  private readonly smallCalls: Set<string>;
  private readonly serviceWhile: RegExp;
  private readonly cheapModules: string[];
  private readonly cheapMethods: Set<string>;

  /** `strict`: only proven sizes count as data (see the header). */
  constructor(file: WorkModelFile, readonly strict = false) {
    const values = <K extends string>(o: Record<K, ModelNumber>) => Object.fromEntries(Object.entries<ModelNumber>(o).map(([k, v]) => [k, v.value])) as Record<K, number>;
    // Strict: a collection of unknown or code size multiplies nothing, so only proven sizes make work large.
    this.passes = { ...values(file.passes), ...(strict ? { unknown: 1, 'small-collection': 1 } : {}) };
    this.thresholds = values(file.thresholds);
    const { io, ...costs } = file.costs;
    this.costs = values(costs);
    this.ioCosts = io.value;
    const lower = (w: ModelWords) => new Set(w.value.map((v) => v.toLowerCase()));
    this.smallWords = lower(file.names['small-words']);
    this.dataWords = lower(file.names['data-words']);
    this.dataCalls = new Set(file.names['data-calls'].value);
    this.provenCalls = new Set(file.names['proven-calls'].value);
    this.smallCalls = new Set(file.names['small-calls'].value);
    this.serviceWhile = new RegExp(file.names['service-while'].value);
    this.cheapModules = file.names['cheap-modules'].value;
    this.cheapMethods = new Set(file.names['cheap-methods'].value);
    const once = file['once-only'];
    this.caches = { memoizing: new Set(once.memoizing.value), expiring: new Set(once.expiring.value), perInstance: new Set(once['per-instance'].value) };
    this.documentSources = file.names['document-sources'].value.map((re) => new RegExp(re));
    this.httpClients = file.names['http-clients'].value.map((m) => `${m}.`);
  }

  private passesMemo = new WeakMap<LoopFact, Passes>();

  /** Drops the passes memoised so far (one per loop of the project, 14 MB on 5 M lines); later asks are answered afresh. */
  forgetPasses(): void {
    this.passesMemo = new WeakMap();
  }

  /** Passes of one loop, its comprehension clauses multiplied in (computed once per loop). */
  loopPasses(loop: LoopFact): Passes {
    let found = this.passesMemo.get(loop);
    if (!found) this.passesMemo.set(loop, (found = this.computeLoopPasses(loop)));
    return found;
  }

  private computeLoopPasses(loop: LoopFact): Passes {
    if (loop.onePass) return { passes: 1, size: 'tiny', why: `\`${loop.kind === 'while' ? 'while ' : ''}${loop.iter ?? ''}\` (its body leaves on the first pass)` };
    if (loop.kind === 'while') {
      const condition = loop.iter ?? '';
      if (this.serviceWhile.test(condition)) return { passes: this.passes['service-loop'], size: 'service', why: `\`while ${condition}\` (runs until stopped)` };
      // A work list that its name says is small (`while len(name_parts):`, `while bits:`) runs a handful of times.
      const list = /^(?:len\()?([A-Za-z_][\w.]*)\)?$/.exec(condition)?.[1];
      const named = list !== undefined ? this.expressionSize(list, undefined, undefined, `\`while ${condition}\``) : undefined;
      if (named?.size === 'small') return named;
      // A counter (`i < n`) or a work list (`while stack:`, `while len(queue)`) runs as often as a data loop; other conditions are unknown.
      if (/[<>]|^(not\s+)?[A-Za-z_][\w.]*$|\blen\(/.test(condition)) return this.guessed(`\`while ${condition}\``, 'a counter or a work list');
      return { passes: this.passes.unknown, size: 'unknown', why: `\`while ${condition}\` (size unknown)`, guessed: this.passes.unknown };
    }
    const first = this.iterablePasses(loop);
    let { passes } = first;
    let size = first.size;
    let guessed = guessedPasses(first);
    for (const clause of loop.clauses ?? []) {
      const inner = this.iterablePasses(clause);
      passes *= inner.passes;
      guessed *= guessedPasses(inner);
      if (RANK[inner.size] > RANK[size]) size = inner.size;
    }
    return guessed > 1 ? { passes, size, why: first.why, guessed } : { passes, size, why: first.why };
  }

  /** Passes over one iterable (a loop's or a clause's). */
  iterablePasses(it: Pick<LoopFact, 'iter' | 'size' | 'subject' | 'origin' | 'value'>): Passes {
    const text = it.iter ?? '';
    const shown = `\`${text.length > 40 ? `${text.slice(0, 37)}...` : text}\``;
    if (it.size !== undefined) {
      const data = it.size >= this.thresholds['data-sized'];
      return { passes: it.size, size: data ? 'data' : 'tiny', why: `${shown} (${it.size.toLocaleString('en-US')} items)`, ...(data ? { proven: true } : {}) };
    }
    return this.expressionSize(it.subject ?? text, it.origin, it.value, shown);
  }

  /**
   * The size of a collection expression: `subject` is the expression with wrappers removed,
   * `origin` where its first name comes from, `value` its resolved absolute value.
   */
  expressionSize(subject: string, origin: LoopFact['origin'] | undefined, value: string | undefined, shown = `\`${subject}\``): Passes {
    // `with open(p) as fh`: a library context manager gives itself, so `fh` is `open()`.
    if (value?.includes('.__enter__()')) value = value.replace(/\.__enter__\(\)/g, '');
    const data = (why: string, proven = false): Passes => (proven ? { passes: this.passes.data, size: 'data', why: `${shown} (${why})`, proven } : this.guessed(shown, why));
    const small = (why: string): Passes => ({ passes: this.passes['small-collection'], size: 'small', why: `${shown} (${why})` });
    const range = /^range\((.*)\)$/s.exec(subject);
    if (range) {
      const bound = range[1].split(',').slice(0, 2).pop()!.trim();
      if (/[A-Z]/.test(bound) && /^[A-Z0-9_\s+\-*/()]+$/.test(bound)) return small('a constant bound');
      // `range(1, self.max_attempts + 1)`, `range(retries)`: a code-sized count, by its name.
      const names = bound.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
      if (names.some((n) => this.smallWords.has(n.toLowerCase().split('_').filter(Boolean).pop() ?? ''))) return small('a code-sized count, by its name');
      return data('a computed bound');
    }
    const word0 = (/([A-Za-z_][A-Za-z0-9_]*)(?:\(\))?$/.exec(subject.replace(/\([^()]*\)/g, '()'))?.[1] ?? '').toLowerCase().split('_').filter(Boolean).pop() ?? '';
    if (origin === 'element' && !ELEMENT_DATA.has(word0)) {
      // Part of an element of the outer loop (`row.items()`, `line.split()`): it multiplies the outer loop's passes.
      return { passes: this.passes.element, size: 'element', why: `${shown} (part of an element of the outer loop)` };
    }
    const called = [subject, value ?? ''].find((t) => t.endsWith(')'));
    const folded = called?.replace(/\([^()]*\)/g, '()');
    const callName = folded && /([A-Za-z_][A-Za-z0-9_]*)\(\)$/.exec(folded)?.[1];
    if (callName) {
      if (this.smallCalls.has(callName)) return small('introspection');
      if (SPLITTERS.has(callName)) {
        // `header.split(",")` is as large as what is split: data only when the text is. So is a
        // name bound to such a split (`names = option.split(".")`), by the value it was bound to.
        const receiverOf = (text: string) => /^(.*)\.[A-Za-z_][A-Za-z0-9_]*\(.*\)$/s.exec(text)?.[1];
        const receiver = called === subject ? receiverOf(subject) : undefined;
        const receiverValue = value ? receiverOf(value) : undefined;
        const inner = receiver ? this.expressionSize(receiver, origin, receiverValue) : receiverValue ? this.expressionSize(receiverValue, undefined, receiverValue) : undefined;
        if (inner?.size === 'data') return data(`\`${callName}()\` of data`, inner.proven === true);
        if (inner?.size === 'small' || inner?.size === 'tiny') return small(`\`${callName}()\` of a small text`);
        return { passes: this.passes.unknown, size: 'unknown', why: `${shown} (size unknown)` };
      }
      // The builtin `iter(x)` is as large as `x`, which the bound value no longer shows (a method `.iter()` walks a tree).
      if (folded === 'iter()') return { passes: this.passes.unknown, size: 'unknown', why: `${shown} (\`iter()\` of a collection of unknown size)` };
      if (this.dataCalls.has(callName)) return data(`\`${callName}()\` gives data`, this.provenCalls.has(callName));
    }
    // What a NumPy function gives is an array, as large as the data it was computed from.
    if (value?.startsWith('numpy.') && value.endsWith(')')) return data('a NumPy array');
    const last = /([A-Za-z_][A-Za-z0-9_]*)(?:\(\))?$/.exec(subject.replace(/\([^()]*\)/g, '()'))?.[1] ?? '';
    if (last && this.smallCalls.has(last)) return small('introspection');
    const word = last.toLowerCase().split('_').filter(Boolean).pop() ?? '';
    if (this.smallWords.has(word)) return small('a code-sized collection, by its name');
    // `request.app.config.cameras`, `self.settings.backends`: the items of a configuration object.
    const segments = subject.replace(/\([^()]*\)/g, '').split('.').slice(0, -1);
    if (segments.some((seg) => this.smallWords.has(seg.toLowerCase().split('_').filter(Boolean).pop() ?? ''))) return small('part of a configuration object');
    if (origin === 'constant' || (/^[A-Z][A-Z0-9_]*$/.test(last) && last.length > 1)) return small('a constant');
    // `for path in paths` over `*paths`: the arguments one call writes out, however they are named.
    if (origin === 'arguments') return small('the arguments of one call');
    if (/^[A-Z][a-z]\w*$/.test(subject)) return small('the members of a class');
    if (origin === 'element') return data('the characters or bytes of an element');
    if (this.dataWords.has(word)) return data('data, by its name');
    const valueWord = (value && /([A-Za-z_][A-Za-z0-9_]*)$/.exec(value)?.[1]?.toLowerCase().split('_').filter(Boolean).pop()) ?? '';
    if (this.dataWords.has(valueWord)) return data(`data: \`${value}\``);
    // A parameter is data when its name says so (`rows`, `frames`, above); otherwise it is as
    // likely a handful of ids or options as a table, so it counts as unknown.
    return { passes: this.passes.unknown, size: 'unknown', why: `${shown} (size unknown)` };
  }

  /** Data whose size only a name or a shape suggests: data when lenient, unknown when strict. */
  private guessed(shown: string, why: string): Passes {
    if (!this.strict) return { passes: this.passes.data, size: 'data', why: `${shown} (${why})` };
    return { passes: this.passes.unknown, size: 'unknown', why: `${shown} (${why}, its size not proven)` };
  }

  /** A call of a standard-library helper or container method that counts as one operation. */
  isCheap(name: string): boolean {
    let found = this.cheapMemo.get(name);
    if (found === undefined) this.cheapMemo.set(name, (found = this.computeCheap(name)));
    return found;
  }

  private readonly cheapMemo = new Map<string, boolean>();

  private computeCheap(name: string): boolean {
    const bare = name.replace(/\(\)/g, '');
    for (const m of this.cheapModules) if (bare === m || bare.startsWith(`${m}.`)) return true;
    const method = /\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(name)?.[1];
    return method !== undefined && this.cheapMethods.has(method);
  }
}

/** Calls whose result is as large as their receiver's text: splitting and regex matching. */
const SPLITTERS = new Set(['split', 'rsplit', 'splitlines', 'findall', 'finditer']);

/** Elements whose own items grow with the data: the text or bytes of a document. */
const ELEMENT_DATA = new Set(['text', 'content', 'body', 'payload', 'blob', 'buf', 'buffer', 'data']);

const RANK: Record<SizeClass, number> = { service: 0, tiny: 1, small: 2, element: 3, unknown: 4, data: 5 };

const cached: { lenient?: WorkModel; strict?: WorkModel } = {};

/** Loads and validates rules/work-model.yaml (once per process and mode). */
export function loadWorkModel(file = packagePath('rules', 'work-model.yaml'), strict = false): WorkModel {
  const shipped = file === packagePath('rules', 'work-model.yaml');
  const mode = strict ? 'strict' : 'lenient';
  if (shipped && cached[mode]) return cached[mode]!;
  const data = validatedData(file, readFileSync(file, 'utf8'), 'work-model.schema.json', file, (text) => {
    try {
      return parseYaml(text) as unknown;
    } catch (error) {
      throw new ConfigError(`${file}: invalid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
  });
  const model = new WorkModel(data as WorkModelFile, strict);
  if (shipped) cached[mode] = model;
  return model;
}
