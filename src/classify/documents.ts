/**
 * Whether a call's argument is a whole document: a fetched page or a file's content, here or
 * where the caller got it.
 *
 * Stage: classify. Whole-page parsers (BeautifulSoup, html2text, Markdown) cost tens of
 * milliseconds on a web page and a fraction of one on the short fragment, rendered message or
 * description they are as often given. Findings (the strict work model) count such a call as
 * heavy only when its argument is proven a document: its value matches one of the work model's
 * `document-sources` (a response body, `Path.read_text()`, an upload's bytes), directly or
 * through the parameter it arrives in (what the project's callers pass, up to `MAX_DEPTH`
 * calls up) or the project function whose result it is (a function that fetches with one of
 * the `http-clients`, or one that returns such a value).
 */
import type { ArgFact, CallFact } from '../facts/types.js';
import { bindsFirstParameter, passedArgument } from '../facts/arguments.js';
import type { FunctionNode, ProjectIndex } from '../graph/index.js';

/** How many calls up (through parameters) or down (through returned values) a document is followed. */
const MAX_DEPTH = 3;

export class DocumentOrigins {
  /** `clients`: module prefixes of HTTP clients and browser drivers (`requests.`, `playwright.`). */
  constructor(private readonly index: ProjectIndex, private readonly sources: readonly RegExp[], private readonly clients: readonly string[]) {}

  /** Whether the first positional argument of `call`, made in `node`, is a whole document. */
  argumentIsDocument(node: FunctionNode, call: CallFact): boolean {
    const arg = call.args.find((a) => !a.keyword && a.kind !== 'splat');
    return arg !== undefined && this.isDocument(node, arg, call.line, 0, new Set());
  }

  /** `arg` as passed at `line` of `node`. */
  private isDocument(node: FunctionNode, arg: ArgFact, line: number, depth: number, seen: Set<string>): boolean {
    if (arg.kind !== 'ref' && arg.kind !== 'call') return false;
    if (arg.target && !arg.target.startsWith('?') && this.valueIsDocument(arg.kind === 'call' ? `${arg.target}()` : arg.target, depth, seen)) return true;
    if (arg.kind !== 'ref' || !arg.text || depth >= MAX_DEPTH) return false;
    // A parameter, possibly with attribute reads after it (`response.content`): what callers pass.
    const [head, ...rest] = arg.text.split('.');
    const fact = node.fact;
    const position = fact.params.findIndex((p) => p.name === head);
    // A method's first parameter is the bound `self`: callers do not pass it.
    const skip = bindsFirstParameter(fact) ? 1 : 0;
    if (position < skip || fact.bindings.some((b) => b.name === head && b.line > 0 && b.line <= line)) return false;
    const key = `${node.id}:${arg.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    const suffix = rest.length > 0 ? `.${rest.join('.')}` : '';
    for (const edge of this.index.callers[node.id]) {
      const passed = passedArgument(edge.call.args, head, position - skip);
      if (!passed) continue;
      const forwarded: ArgFact = !suffix ? passed
        : passed.kind === 'ref' ? { kind: 'ref', text: `${passed.text}${suffix}`, ...(passed.target ? { target: `${passed.target}${suffix}` } : {}) }
          : { kind: 'other' };
      if (this.isDocument(this.index.functions[edge.from], forwarded, edge.call.line, depth + 1, seen)) return true;
    }
    return false;
  }

  /** A resolved value: a document source, or a call of a project function that returns one. */
  private valueIsDocument(value: string, depth: number, seen: Set<string>): boolean {
    const plain = value.replace(/\.__a?enter__\(\)/g, '');
    if (this.sources.some((re) => re.test(plain))) return true;
    if (depth >= MAX_DEPTH || !plain.endsWith('()') || seen.has(plain)) return false;
    seen.add(plain);
    const target = this.index.resolve(plain.slice(0, -2));
    if (target.kind !== 'function') return false;
    return this.fetches(target.id) || this.index.functions[target.id].fact.returns.some((r) => this.valueIsDocument(r, depth + 1, seen));
  }

  /**
   * A project function that makes an HTTP request (or drives a browser), itself or through the
   * project functions it calls (`MAX_DEPTH` deep): what it returns is the page it fetched.
   */
  private fetches(id: number, depth = 0): boolean {
    let found = this.fetchers.get(id);
    if (found !== undefined) return found;
    this.fetchers.set(id, false);
    found = this.index.someTarget(id, (t) =>
      (t.kind === 'external' && this.clients.some((c) => t.name.startsWith(c)))
      || (t.kind === 'function' && depth < MAX_DEPTH && this.fetches(t.id, depth + 1)));
    this.fetchers.set(id, found);
    return found;
  }

  private readonly fetchers = new Map<number, boolean>();
}
