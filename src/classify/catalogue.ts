/**
 * The API catalogue: loads `rules/catalogue/*.yaml`, validates each file, and matches calls.
 *
 * Stage: classify. Input: YAML files (schema: src/schema/catalogue.schema.json); output: a
 * matcher from a call's canonical API name (`requests.Session().get`) to its catalogue entry.
 * Patterns are expanded once (`{a,b}` alternatives); exact names are looked up in a map and the
 * few patterns with `*`/`**` are tried as regular expressions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYaml } from '../config/yaml.js';
import { sameCall } from '../facts/call-table.js';
import type { ArgFact, BindingFact, CallFact, FunctionFact, LoopFact, ModuleFacts } from '../facts/types.js';
import type { CatalogueFile, CatalogueFileEntry } from '../model/schema-types.js';
import { madeBy, opensMemoryDatabase } from '../facts/arguments.js';
import { ConfigError, packagePath } from '../config/schema.js';
import { validatedData } from '../config/shipped-data.js';

/**
 * One API family of the catalogue: a file entry (its shape, with what each field means, is
 * generated from src/schema/catalogue.schema.json) with its file's kind and effect.
 */
export interface CatalogueEntry extends Omit<CatalogueFileEntry, 'equivalents'> {
  kind: string;
  effect: CatalogueFile['effect'];
  equivalents: string[];
  /** Catalogue file it came from. */
  source: string;
}

export interface Match {
  entry: CatalogueEntry;
  /** The pattern that matched, expanded. */
  pattern: string;
}

export type Effect = CatalogueEntry['effect'];

/** A wildcard pattern, with its place in file order. */
interface Wild {
  regex: RegExp;
  /** The literal text every name it matches starts with (`boto3.client().` for `boto3.client().*`): tested before the regex. */
  prefix: string;
  match: Match;
  order: number;
}

/** What a name no entry describes matches: one shared, read-only list. */
const NO_MATCHES: Match[] = Object.freeze([]) as unknown as Match[];

/**
 * An API can play several roles (`ThreadPoolExecutor().map` both waits and hands work to
 * threads), so names map to one match per effect; within an effect the first file wins.
 */
export class Catalogue {
  private readonly exact = new Map<string, Match[]>();
  /** Wildcard patterns, by the literal name they end with (`...**.execute`), in file order. */
  private readonly wildByLast = new Map<string, Wild[]>();
  /** Wildcard patterns that end with a wildcard (`boto3.client().*`). */
  private readonly wildAny: Wild[] = [];
  /** The wildcard patterns a name ending with a given step may match, in file order (made on first use). */
  private readonly wildFor = new Map<string, Wild[]>();
  readonly entries: CatalogueEntry[] = [];

  /** `returns` entries, by exact name: kept apart, since a method can both block and return a value. */
  private readonly returnsMap = new Map<string, CatalogueEntry>();
  /** First names of the `returns` patterns (`pathlib`): other names need no rewriting. */
  private readonly returnsRoots = new Set<string>();

  add(entry: CatalogueEntry): void {
    this.entries.push(entry);
    for (const call of entry.calls) {
      for (const pattern of expandBraces(call)) {
        if (entry.effect === 'returns') {
          this.returnsMap.set(pattern, entry);
          this.returnsRoots.add(pattern.split(/[.(]/)[0]);
          continue;
        }
        const match = { entry, pattern };
        if (pattern.includes('*')) {
          const last = /\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(pattern)?.[1];
          const wild = { regex: patternRegex(pattern), prefix: literalPrefix(pattern), match, order: this.wildCount++ };
          if (!last) this.wildAny.push(wild);
          else {
            const list = this.wildByLast.get(last);
            if (list) list.push(wild);
            else this.wildByLast.set(last, [wild]);
          }
          continue;
        }
        const list = this.exact.get(pattern);
        if (!list) this.exact.set(pattern, [match]);
        else if (!list.some((m) => m.entry.effect === entry.effect)) list.push(match);
      }
    }
  }

  private readonly memo = new Map<string, Match[]>();
  private wildCount = 0;

  /**
   * Drops the matches memoised so far (every name a large tree calls: 9 MB on 5 M lines), once
   * a stage that asked for most of them is done; later asks are answered afresh.
   */
  forgetMatches(): void {
    this.memo.clear();
  }

  /** Every role of an API name: exact entries, then wildcard ones for effects not yet covered. */
  matches(name: string): Match[] {
    let found = this.memo.get(name);
    if (found) return found;
    found = [...(this.exact.get(name) ?? [])];
    // Only the wildcard patterns ending with this name's last step can match it (file order kept).
    const last = /([A-Za-z_][A-Za-z0-9_]*)$/.exec(name)?.[1] ?? '';
    let candidates = this.wildFor.get(last);
    if (!candidates) {
      // Most last steps have no pattern of their own: they share the list of the others.
      const own = this.wildByLast.get(last);
      candidates = own ? [...own, ...this.wildAny].sort((a, b) => a.order - b.order) : this.wildAny;
      if (own) this.wildFor.set(last, candidates);
    }
    for (const { regex, prefix, match } of candidates) {
      if (name.startsWith(prefix) && !found.some((m) => m.entry.effect === match.entry.effect) && regex.test(name)) found.push(match);
    }
    // Most names match nothing: they share one empty list (memoised for every name a large tree calls).
    if (found.length === 0) found = NO_MATCHES;
    this.memo.set(name, found);
    return found;
  }

  /** The entry for an API name with one of these effects, if any. */
  match(name: string, ...effects: Effect[]): Match | undefined {
    const all = this.matches(name);
    return effects.length === 0 ? all[0] : all.find((m) => effects.includes(m.entry.effect));
  }

  private readonly canonicalMemo = new Map<string, string>();

  /**
   * Rewrites an API name through the `returns` entries: `pathlib.Path().resolve().read_text`
   * becomes `pathlib.Path().read_text`, so that the catalogue's entries for Path match it.
   */
  canonical(name: string): string {
    if (!this.returnsRoots.has(name.split(/[.(]/, 1)[0])) return name;
    const cached = this.canonicalMemo.get(name);
    if (cached !== undefined) return cached;
    let current = name;
    for (let guard = 0; guard < 8; guard++) {
      const steps = current.match(/\(\)|\[\]|\.?[A-Za-z_][A-Za-z0-9_]*|\.?""/g) ?? [];
      let rewritten: string | undefined;
      let prefix = '';
      for (let i = 0; i < steps.length && !rewritten; i++) {
        const step = steps[i];
        if (step === '()') {
          const entry = this.returnsMap.get(prefix);
          if (entry && !entry.attribute) rewritten = entry.returns! + steps.slice(i + 1).join('');
        }
        prefix += step;
        if (step !== '()' && step !== '[]') {
          const entry = this.returnsMap.get(prefix);
          if (entry?.attribute) rewritten = entry.returns! + steps.slice(i + 1).join('');
        }
      }
      if (!rewritten || rewritten === current) break;
      current = rewritten;
    }
    this.canonicalMemo.set(name, current);
    return current;
  }

  /** Whether two API names play the same roles (the same entries), so that either may stand for both. */
  sameApi(a: string, b: string): boolean {
    if (a === b) return true;
    const left = this.matches(a);
    const right = this.matches(b);
    return left.length > 0 && left.length === right.length && left.every((m, i) => m.entry === right[i].entry);
  }

  /** Entries of one effect, e.g. every `calls-argument` API. */
  namesOf(effect: CatalogueEntry['effect']): string[] {
    return [...this.exact.entries()].filter(([, list]) => list.some((m) => m.entry.effect === effect)).map(([name]) => name);
  }
}

/**
 * The time of one call of a slow entry, in milliseconds: `costMs`, scaled by the integer literal
 * the call passes as the entry's `costScale` argument (`pbkdf2_hmac(..., 2048)` costs 1/300 of
 * the 600,000-iteration figure). Undefined for entries without a cost.
 */
export function callCostMs(entry: CatalogueEntry, call: CallFact): number | undefined {
  if (entry.costMs === undefined || !entry.costScale) return entry.costMs;
  const { argument, keyword, reference } = entry.costScale;
  const positional = call.args.filter((a) => !a.keyword && a.kind !== 'splat');
  const arg = (keyword !== undefined ? call.args.find((a) => a.keyword === keyword) : undefined)
    ?? (argument !== undefined && !call.args.some((a) => a.kind === 'splat') ? positional[argument] : undefined);
  // A literal (`600_000`), or a module constant bound to one (`iterations=ROUNDS`: its target is `<int:2048>`).
  const text = arg?.kind === 'literal' ? arg.text : arg?.kind === 'ref' ? /^<int:(\d+)>$/.exec(arg.target ?? '')?.[1] : undefined;
  const value = text !== undefined && /^\d[\d_]*$/.test(text) ? Number(text.replace(/_/g, '')) : NaN;
  return Number.isFinite(value) && value > 0 ? entry.costMs * value / reference : entry.costMs;
}

/** What `exempt` knows of the call's surroundings. */
export interface ExemptContext {
  /** The modules the calling module imports at its top level (for `importedModule`). */
  imported?: ReadonlySet<string>;
  /** Names the project assigns queues made with a size (for `unboundedReceiver`; see `boundedQueueNames`). */
  boundedQueues?: ReadonlySet<string>;
}

/**
 * Does the call meet one of the entry's `unless` conditions (so it does not block)? `module`: the
 * module the call is made in (for `datagramReceiver`: the names it assigns datagram sockets);
 * `fn`: the function it is made in (for `inMemory`: how it opened the file object called).
 */
export function exempt(entry: CatalogueEntry, call: CallFact, context: ExemptContext = {}, module?: ModuleFacts, fn?: FunctionFact): boolean {
  const unless = entry.unless;
  if (!unless) return false;
  const { imported, boundedQueues } = context;
  // An opener's own arguments say what it opens; a method's (`tf.addfile(ti, fileobj=io.BytesIO(b))`) say what it copies from.
  if (unless.inMemory && (call.target.includes('()') ? fn !== undefined && openedOverMemory(call, fn) : overMemory(call))) return true;
  if (unless.unboundedReceiver && boundedQueues && !boundedQueues.has(receiverName(call.callee))) return true;
  if (unless.checkedNotEmpty && fn && call.loop !== undefined && checksNotEmpty(fn.loops[call.loop], call.callee)) return true;
  // Matched within the module: a common name (`sock`) elsewhere may well be a stream socket.
  if (unless.datagramReceiver && module?.datagramSockets?.includes(receiverName(call.callee))) return true;
  if (unless.memoryDatabase && (call.target.includes('()') ? module !== undefined && overMemoryDatabase(call, module) : opensMemoryDatabase(call.args))) return true;
  const firstPositional = () => call.args.find((a) => !a.keyword);
  if (unless.onlyKeywords && call.args.length > 0 && call.args.every((a) => a.keyword && unless.onlyKeywords!.includes(a.keyword))) return true;
  if (unless.firstArgPrefix) {
    const first = firstPositional();
    if (first?.kind === 'literal' && first.text !== undefined && unless.firstArgPrefix.some((p) => first.text!.startsWith(p))) return true;
  }
  if (unless.importedModule && imported) {
    const first = firstPositional();
    if (first?.kind === 'literal' && first.text !== undefined && imported.has(first.text)) return true;
  }
  if (unless.methods) {
    const method = /([A-Za-z_][A-Za-z0-9_]*)$/.exec(call.target || call.callee)?.[1];
    if (method && unless.methods.includes(method)) return true;
  }
  const keyword = (arg: ArgFact) => arg.keyword;
  if (unless.keywords?.some((k) => call.args.some((a) => keyword(a) === k))) return true;
  if (unless.keywordFalse?.some((k) => call.args.some((a) => a.keyword === k && a.kind === 'false'))) return true;
  if (unless.firstArgFalse) {
    const first = call.args.find((a) => !a.keyword);
    if (first?.kind === 'false') return true;
  }
  if (unless.namedArgument?.some((name) => call.args.some((a) => a.kind === 'ref' && a.text !== undefined && lastName(a.text) === name))) return true;
  if (unless.minArgs !== undefined && call.args.length >= unless.minArgs) return true;
  if (unless.shortData !== undefined && isShortData(call.args, unless.shortData)) return true;
  return false;
}

/** Whether `loop` is a `while` loop that runs while the receiver of `callee` (`q` of `q.get`) is not empty. */
function checksNotEmpty(loop: LoopFact | undefined, callee: string): boolean {
  const receiver = /^(.+)\.[A-Za-z_][A-Za-z0-9_]*$/.exec(callee)?.[1];
  if (loop?.kind !== 'while' || loop.iter === undefined || receiver === undefined) return false;
  const q = receiver.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(?:not ${q}\\.empty\\(\\)|${q}\\.qsize\\(\\)(?: ?(?:> ?0|!= ?0|>= ?1))?)$`).test(loop.iter);
}

/**
 * Whether the data a hash call is given (`data=`, `string=`, else the positional argument at
 * `index`) is absent, a literal, or text encoded on the spot: input that is hashed holding the
 * GIL (hashlib releases it from 2 KiB on) in next to no time. Text read from a file or a buffer
 * (`f.read().encode()`) is data, and so is anything passed with `*args`.
 */
function isShortData(args: readonly ArgFact[], index: number): boolean {
  if (args.some((a) => a.kind === 'splat')) return false;
  const data = args.find((a) => a.keyword === 'data' || a.keyword === 'string') ?? args.filter((a) => !a.keyword)[index];
  if (data === undefined || data.kind === 'literal') return true;
  return data.kind === 'call' && data.text !== undefined && /\.encode$/.test(data.text) && !READ_TEXT.test(data.text);
}

/** A call chain through a read of a file, a stream or a buffer (`f.read().strip()`, `buf.getvalue()`). */
const READ_TEXT = /\b(?:read\w*|getvalue|recv\w*)\(\)/;

/** In-memory file objects: what they read and write never touches a disk. */
const MEMORY_FILES = new Set(['io.BytesIO', 'io.StringIO']);

/**
 * Whether the call opens an in-memory buffer: made in its arguments (`gzip.GzipFile(fileobj=io.BytesIO(body))`,
 * `zipfile.ZipFile(io.BytesIO(data))`), or a name bound to one (`buf = io.BytesIO()`, then `tarfile.open(fileobj=buf)`).
 */
function overMemory(call: CallFact): boolean {
  const file = call.args.find((a) => a.keyword === 'fileobj') ?? call.args.find((a) => !a.keyword);
  return file !== undefined && MEMORY_FILES.has(madeBy(file));
}

/**
 * Whether the call is a method of a file object that function `fn` opened over an in-memory
 * buffer: `f.read()` after `f = gzip.GzipFile(fileobj=io.BytesIO(body))` (or `with ... as f`), or
 * `zipfile.ZipFile(io.BytesIO(data)).read(name)` in one expression.
 */
function openedOverMemory(call: CallFact, fn: FunctionFact): boolean {
  const receiver = call.callee.slice(0, Math.max(0, call.callee.lastIndexOf('.')));
  if (receiver.endsWith('()')) {
    const maker = receiver.slice(0, -2);
    return fn.calls.some((c) => !sameCall(c, call) && c.callee === maker && c.line <= call.line && c.endLine >= call.line && overMemory(c));
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(receiver)) return false;
  let binding: BindingFact | undefined;
  for (const b of fn.bindings) if (b.name === receiver && b.line <= call.line && (!binding || b.line >= binding.line)) binding = b;
  if (!binding) return false;
  const { line, value } = binding;
  const made = (c: CallFact) => c.target !== '' && (value === `${c.target}()` || value === `${c.target}().__enter__()`);
  return fn.calls.some((c) => c.line <= line && c.endLine >= line && made(c) && overMemory(c));
}

/** What a method call returns, at the end of a receiver (`.cursor()` in `db.cursor()`). */
const METHOD_RESULT = /\.[A-Za-z_][A-Za-z0-9_]*\(\)$/;

/**
 * Whether the call is a method of a connection (or of what its methods return: `db.cursor()`,
 * `db.execute(...)`) held by a name its module assigns only in-memory databases. Names, not
 * objects, are matched, within the module: a name that is also given another connection there
 * may hold either.
 */
function overMemoryDatabase(call: CallFact, module: ModuleFacts): boolean {
  if (!module.memoryDatabases) return false;
  let receiver = call.callee.slice(0, Math.max(0, call.callee.lastIndexOf('.')));
  while (METHOD_RESULT.test(receiver)) receiver = receiver.replace(METHOD_RESULT, '');
  const name = /(?:^|\.)([A-Za-z_][A-Za-z0-9_]*)$/.exec(receiver)?.[1];
  return name !== undefined && module.memoryDatabases.includes(name) && !module.otherDatabases?.includes(name);
}

/** The last part of a dotted name (`WNOHANG` for `os.WNOHANG`). */
function lastName(text: string): string {
  return text.slice(text.lastIndexOf('.') + 1);
}

/** The last name of a method call's receiver: `_q` for `self._q.put`, `queues` for `queues[].put`; '' when there is none. */
function receiverName(callee: string): string {
  const receiver = callee.slice(0, Math.max(0, callee.lastIndexOf('.'))).replace(/(?:\[\])+$/, '');
  return /(?:^|\.)([A-Za-z_][A-Za-z0-9_]*)$/.exec(receiver)?.[1] ?? '';
}

const boundedQueueMemo = new WeakMap<readonly ModuleFacts[], ReadonlySet<string>>();

/**
 * Every name the project assigns a queue made with a size (`self.jobs = Queue(100)` gives `jobs`):
 * a `put` on any other receiver cannot wait, since an unbounded queue is never full. Names, not
 * objects, are matched, so a bounded queue handed on under another name is missed.
 */
export function boundedQueueNames(modules: readonly ModuleFacts[]): ReadonlySet<string> {
  let names = boundedQueueMemo.get(modules);
  if (!names) {
    names = new Set(modules.flatMap((m) => m.boundedQueues ?? []));
    boundedQueueMemo.set(modules, names);
  }
  return names;
}

/** `a.{b,c}.d` gives `a.b.d`, `a.c.d` (several brace groups multiply). */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  const close = pattern.indexOf('}', open);
  if (close < 0) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  return pattern
    .slice(open + 1, close)
    .split(',')
    .flatMap((alt) => expandBraces(head + alt.trim() + tail));
}

/** The text before a pattern's first wildcard (`numpy` for `numpy.**`, whose `.**` needs a step, not a dot). */
function literalPrefix(pattern: string): string {
  const star = pattern.indexOf('*');
  return pattern.startsWith('.**', star - 1) ? pattern.slice(0, star - 1) : pattern.slice(0, star);
}

/** `*` is one name; `**` is any number of names or subscripts (at least one step). */
function patternRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (pattern.startsWith('.**', i)) {
      source += '(?:(?:\\.[A-Za-z_][A-Za-z0-9_]*)|\\[\\]|\\(\\))+';
      i += 2;
    } else if (ch === '*') source += '[A-Za-z_][A-Za-z0-9_]*';
    else source += ch.replace(/[.()[\]\\^$|?+]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

let cached: Catalogue | undefined;

/** Loads and validates every catalogue file shipped in `rules/catalogue/`. */
export function loadCatalogue(dir = packagePath('rules', 'catalogue')): Catalogue {
  if (cached && dir === packagePath('rules', 'catalogue')) return cached;
  const catalogue = new Catalogue();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const file = join(dir, name);
    const data = validatedData(file, readFileSync(file, 'utf8'), 'catalogue.schema.json', file, (text) => {
      try {
        return parseYaml(text) as unknown;
      } catch (error) {
        throw new ConfigError(`${file}: invalid YAML: ${(error as Error).message}`);
      }
    }) as CatalogueFile;
    for (const entry of data.entries) {
      catalogue.add({ ...entry, equivalents: entry.equivalents ?? [], kind: data.kind, effect: data.effect, source: `rules/catalogue/${name}` });
    }
  }
  if (dir === packagePath('rules', 'catalogue')) cached = catalogue;
  return catalogue;
}
