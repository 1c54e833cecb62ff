/**
 * Python state the GIL used to protect, in code that threads run: which functions threads reach
 * (with the chain from the thread's entry point), and the unlocked writes there to shared
 * containers, module globals, class attributes and process-wide state.
 *
 * Stage: classify. Input: the ProjectIndex (with each module's shared-state facts), the entry
 * points and the catalogue; output: one ThreadStateIssue per function, target and kind. The checks
 * are those of shared/FREE-THREADING.md §6.4: P02 check-then-act, P03 read-modify-write, P04 lazy
 * initialisation, P01/P05 containers mutated without a lock, P10/P12–P14 process-wide state. Threads
 * are `threading.Thread` targets, thread pools, `asyncio.to_thread` / `run_in_executor(None, …)`,
 * and, at lower confidence, sync request handlers (WSGI and FastAPI's thread pool run them on threads).
 */
import type { ModuleFacts, StateWrite } from '../facts/types.js';
import type { ChainStep, Confidence, EntryPoint } from '../model/types.js';
import { THREAD_ENTRY_KINDS } from '../model/types.js';
import type { FunctionNode, ProjectIndex } from '../graph/index.js';
import type { Catalogue } from './catalogue.js';
import type { EntryPoints } from './entry-points.js';

export type ThreadStateKind = 'check-then-act' | 'read-modify-write' | 'lazy-init' | 'unlocked-mutation' | 'process-state';

export interface ThreadStateIssue {
  kind: ThreadStateKind;
  fn: FunctionNode;
  /** What is shared: `CACHE` (module dict), `Registry.items` (class list), `os.environ`, `os.chdir`. */
  target: string;
  /** `module-level dict`, `class-level list`, `module global`, `class attribute`, or a catalogue label. */
  what: string;
  line: number;
  column: number;
  endColumn: number;
  /** The operation, as a short phrase: `sets an item`, `calls .append`, `+=`. */
  operation: string;
  /** How threads reach the function: the entry point, then each call down to it. */
  entry: EntryPoint;
  chain: ChainStep[];
  confidence: Confidence;
}

const THREADS = THREAD_ENTRY_KINDS;
/** Method writes that read before they write: racy between the check and the act without a lock. */
const CHECKED_METHODS = new Set(['pop', 'remove', 'popitem', 'popleft', 'discard']);

interface Reach {
  entry: EntryPoint;
  /** Previous function on the way from the entry (-1 at the entry). */
  from: number;
  /** The call line in `from` that leads here. */
  line: number;
  confidence: Confidence;
}

export class SharedStateAnalysis {
  readonly issues: ThreadStateIssue[] = [];
  private readonly reach = new Map<number, Reach>();
  private readonly held = new Map<number, boolean>();

  constructor(private readonly index: ProjectIndex, entries: EntryPoints, private readonly catalogue: Catalogue) {
    this.findThreadReach(entries);
    if (this.reach.size === 0) return;
    for (const module of index.modules) {
      if (module.sharedState) this.moduleIssues(module.sharedState.writes, module.path);
    }
    this.processStateCalls();
    this.issues.sort((a, b) => (a.fn.module.path < b.fn.module.path ? -1 : a.fn.module.path > b.fn.module.path ? 1 : a.line - b.line || a.column - b.column));
  }

  /** Breadth-first from every thread entry point along calls; threads first, so their (stronger) reach wins. */
  private findThreadReach(entries: EntryPoints): void {
    const queue: number[] = [];
    const seed = (test: (e: EntryPoint, node: FunctionNode) => boolean, confidence: Confidence) => {
      for (const node of this.index.functions) {
        if (this.reach.has(node.id)) continue;
        const entry = entries.byFunction[node.id].find((e) => test(e, node));
        if (!entry) continue;
        this.reach.set(node.id, { entry, from: -1, line: node.fact.span.line, confidence });
        queue.push(node.id);
      }
    };
    seed((e) => THREADS.has(e.kind), 'medium');
    seed((e, node) => e.kind === 'request-handler' && !node.fact.isAsync, 'low');
    for (let head = 0; head < queue.length; head++) {
      const id = queue[head];
      const at = this.reach.get(id)!;
      for (const edge of this.index.outgoing[id]) {
        if (this.reach.has(edge.to) || this.index.functions[edge.to].fact.isAsync) continue;
        this.reach.set(edge.to, { entry: at.entry, from: id, line: edge.call.span.line, confidence: at.confidence });
        queue.push(edge.to);
      }
    }
  }

  /**
   * Whether every call of the function is made with a lock held, so its writes are locked too
   * (`threading._maintain_shutdown_locks`, "must be called with _shutdown_locks_lock acquired").
   * A call counts as locked when it is under a lock in its caller, or when its caller is itself
   * held by every one of its callers. A thread entry point is never held: the thread calls it bare.
   */
  private heldByCallers(id: number, visiting = new Set<number>()): boolean {
    const known = this.held.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return false;
    const callers = this.index.callers[id];
    if (callers.length === 0 || this.reach.get(id)?.from === -1) return false;
    visiting.add(id);
    const held = callers.every((edge) => {
      const caller = this.index.functions[edge.from];
      return lockedLines(caller.module).has(edge.call.span.line) || this.heldByCallers(edge.from, visiting);
    });
    visiting.delete(id);
    // A "no" found inside a cycle depends on where it was entered; only the outermost one is kept.
    if (held || visiting.size === 0) this.held.set(id, held);
    return held;
  }

  /** The calls from the thread's entry point down to `id`, then the place in `id` itself. */
  chainTo(id: number, line: number): ChainStep[] {
    const steps: ChainStep[] = [];
    let current = id;
    let at = line;
    for (let guard = 0; guard < 1000 && current >= 0; guard++) {
      const node = this.index.functions[current];
      steps.push({ function: node.fqn, file: node.module.path, line: at });
      const r = this.reach.get(current)!;
      at = r.line;
      current = r.from;
    }
    return steps.reverse();
  }

  private moduleIssues(writes: StateWrite[], path: string): void {
    const module = this.index.modules.find((m) => m.path === path)!;
    const containers = module.sharedState!.containers;
    const moduleContainers = new Map(containers.filter((c) => !c.cls).map((c) => [c.name, c.kind]));
    const seen = new Set<string>();
    for (const w of writes) {
      if (w.locked) continue;
      const fn = this.functionAt(module.module, module.functions, w);
      if (!fn) continue;
      const reach = this.reach.get(fn.id);
      if (!reach || this.heldByCallers(fn.id)) continue;
      const shared = this.sharedTarget(w, fn, moduleContainers, containers);
      if (!shared) continue;
      const kind = issueKind(w, shared.kind);
      const key = `${fn.id}\0${w.target}\0${kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.issues.push({
        kind, fn, target: w.target, what: shared.what, line: w.line, column: w.column, endColumn: w.column + w.target.length,
        operation: operation(w), entry: reach.entry, chain: this.chainTo(fn.id, w.line),
        confidence: kind === 'unlocked-mutation' ? 'low' : reach.confidence,
      });
    }
  }

  private functionAt(moduleName: string, functions: ProjectIndex['modules'][number]['functions'], w: StateWrite): FunctionNode | undefined {
    const i = functions.findIndex((f) => f.kind === 'def' && f.span.line === w.defLine && f.span.column === w.defColumn);
    return i < 0 ? undefined : this.index.functionByFqn(`${moduleName}.${functions[i].qualname}`);
  }

  /** Whether the written name is state other threads see, and what it is. */
  private sharedTarget(
    w: StateWrite, fn: FunctionNode, moduleContainers: Map<string, string>, containers: { name: string; kind: string; cls?: string }[],
  ): { kind: 'container' | 'scalar' | 'process'; what: string } | undefined {
    if (/^(os\.environ|environ|sys\.path|sys\.modules)$/.test(w.target)) return { kind: 'process', what: `changes ${w.target === 'sys.modules' ? 'the module table' : w.target.endsWith('path') ? 'the import path' : 'the environment'} of every thread` };
    if (w.global) return { kind: moduleContainers.has(w.target) ? 'container' : 'scalar', what: moduleContainers.has(w.target) ? `module-level ${moduleContainers.get(w.target)}` : 'module global' };
    const local = new Set([...fn.fact.params.map((p) => p.name), ...fn.fact.bindings.map((b) => b.name)]);
    if (moduleContainers.has(w.target) && !local.has(w.target)) return { kind: 'container', what: `module-level ${moduleContainers.get(w.target)}` };
    const attr = /^(self|cls|[A-Z]\w*)\.(\w+)$/.exec(w.target);
    if (!attr) return undefined;
    const owner = attr[1] === 'self' || attr[1] === 'cls' ? fn.fact.className.split('.').pop() : attr[1];
    const classLevel = containers.find((c) => c.cls === owner && c.name === attr[2]);
    if (classLevel) return { kind: 'container', what: `class-level ${classLevel.kind} shared by every instance` };
    // `cls.count += 1` / `Registry.count += 1`: a class attribute every instance shares.
    if (attr[1] !== 'self' && (w.how === 'augmented' || w.how === 'rebind')) return { kind: 'scalar', what: 'class attribute' };
    return undefined;
  }

  /** Catalogue `process-state` calls (os.chdir, warnings filters...) in functions threads run. */
  private processStateCalls(): void {
    for (const [id, reach] of this.reach) {
      const node = this.index.functions[id];
      node.fact.calls.forEach((call, i) => {
        const target = this.index.targets[id][i];
        if (target.kind !== 'external') return;
        const match = this.catalogue.match(target.name, 'process-state');
        if (!match) return;
        this.issues.push({
          kind: 'process-state', fn: node, target: target.name, what: match.entry.label ?? 'process-wide state', line: call.span.line,
          column: call.span.column, endColumn: call.span.endColumn, operation: `calls \`${target.name}\``,
          entry: reach.entry, chain: this.chainTo(id, call.span.line), confidence: reach.confidence,
        });
      });
    }
  }
}

function issueKind(w: StateWrite, shared: 'container' | 'scalar' | 'process'): ThreadStateKind {
  if (shared === 'process') return 'process-state';
  if (w.how === 'augmented') return 'read-modify-write';
  if (w.guarded && w.how === 'rebind') return 'lazy-init';
  if (w.guarded && (w.how === 'subscript' || w.how === 'del' || (w.how === 'method' && (CHECKED_METHODS.has(w.method ?? '') || w.method === 'append' || w.method === 'add')))) return 'check-then-act';
  return 'unlocked-mutation';
}

function operation(w: StateWrite): string {
  switch (w.how) {
    case 'subscript': return 'sets an item of';
    case 'del': return 'deletes an item of';
    case 'method': return `calls \`.${w.method}()\` on`;
    case 'augmented': return 'updates';
    case 'rebind': return 'assigns';
  }
}

const lockedByModule = new WeakMap<ModuleFacts, Set<number>>();

/** The lines of a module's calls made with a lock held. */
function lockedLines(module: ModuleFacts): Set<number> {
  let lines = lockedByModule.get(module);
  if (!lines) {
    lines = new Set(module.sharedState?.lockedCalls ?? []);
    lockedByModule.set(module, lines);
  }
  return lines;
}
