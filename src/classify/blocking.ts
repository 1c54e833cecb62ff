/**
 * Which functions may block the event loop, directly or through the calls they make.
 *
 * Stage: classify. Input: the ProjectIndex and the API catalogue; output, per function, its
 * direct blocking calls and, per kind of blocking (sleep, http, file, ...), the shortest chain of
 * project calls that reaches one. Propagation is a breadth-first search backwards from the
 * functions that block directly, so it terminates on recursion and cycles and every chain it
 * keeps is a shortest one. Only sync functions carry the effect up: calling an `async def`
 * merely creates a coroutine, and a function passed as an argument (to `asyncio.to_thread`,
 * `run_in_executor`, a callback) is not called by the caller, so no edge exists for it.
 */
import type { CallFact, ModuleFacts } from '../facts/types.js';
import type { Confidence } from '../model/types.js';
import type { Edge, ProjectIndex } from '../graph/index.js';
import { exempt, type Catalogue, type Match } from './catalogue.js';

/** A call of a blocking API made in a function's own body. */
export interface BlockingCall {
  fn: number;
  call: CallFact;
  /** The API's canonical name (`requests.Session().get`). */
  api: string;
  match: Match;
  confidence: Confidence;
}

/** How a sync function comes to block with one kind of API. */
export interface BlockingEffect {
  kind: string;
  /** Project calls from this function down to the one that calls the API (0: it calls it itself). */
  hops: number;
  /** The first call on the way, when hops > 0. */
  next?: Edge;
  terminal: BlockingCall;
}

export class BlockingAnalysis {
  /** Direct blocking calls, per function id, in source order. */
  readonly direct: BlockingCall[][];
  /** Effects per function id (sync functions only), keyed by kind. */
  readonly effects: Map<string, BlockingEffect>[];

  constructor(readonly index: ProjectIndex, catalogue: Catalogue) {
    this.direct = index.functions.map(() => []);
    this.effects = index.functions.map(() => new Map());
    for (const node of index.functions) {
      const imported = moduleImports(node.module);
      index.targets[node.id].forEach((target, i) => {
        if (target.kind !== 'external') return;
        const match = catalogue.match(target.name, 'blocking-io');
        if (!match) return;
        const call = node.fact.calls[i];
        // An awaited call returns an awaitable, so it is not the sync API of that name.
        if (exempt(match.entry, call, imported) || call.awaited) return;
        const confidence: Confidence = call.resolution === 'unbound' ? 'low' : match.entry.confidence ?? 'high';
        this.direct[node.id].push({ fn: node.id, call, api: target.name, match, confidence });
      });
    }
    this.propagate();
  }

  private propagate(): void {
    const { functions, callers } = this.index;
    const kinds = new Set<string>();
    for (const calls of this.direct) for (const c of calls) kinds.add(c.match.entry.kind);
    for (const kind of [...kinds].sort()) {
      const queue: number[] = [];
      for (const node of functions) {
        if (node.fact.isAsync) continue;
        const terminal = this.direct[node.id].find((c) => c.match.entry.kind === kind);
        if (!terminal) continue;
        this.effects[node.id].set(kind, { kind, hops: 0, terminal });
        queue.push(node.id);
      }
      for (let head = 0; head < queue.length; head++) {
        const id = queue[head];
        const effect = this.effects[id].get(kind)!;
        for (const edge of callers[id]) {
          const caller = functions[edge.from];
          if (caller.fact.isAsync || caller.fact.kind === 'module') continue;
          if (this.effects[edge.from].has(kind)) continue;
          this.effects[edge.from].set(kind, { kind, hops: effect.hops + 1, next: edge, terminal: effect.terminal });
          queue.push(edge.from);
        }
      }
    }
  }

  /**
   * The chain from a call `edge` (made by a coroutine) down to the blocking API, one step per
   * function: the function, and the file and line of the call it makes.
   */
  chainFrom(edge: Edge, kind: string): { function: string; file: string; line: number }[] {
    const { functions } = this.index;
    const steps = [{ function: functions[edge.from].fqn, file: functions[edge.from].module.path, line: edge.call.span.line }];
    let id = edge.to;
    for (let guard = 0; guard < 1000; guard++) {
      const effect = this.effects[id].get(kind)!;
      const node = functions[id];
      if (!effect.next) {
        steps.push({ function: node.fqn, file: node.module.path, line: effect.terminal.call.span.line });
        steps.push({ function: effect.terminal.api, file: '', line: 0 });
        break;
      }
      steps.push({ function: node.fqn, file: node.module.path, line: effect.next.call.span.line });
      id = effect.next.to;
    }
    return steps;
  }
}

const importsMemo = new WeakMap<ModuleFacts, Set<string>>();

/** Modules a module imports at its top level, with their parent packages (`a.b` gives `a.b` and `a`). */
function moduleImports(module: ModuleFacts): Set<string> {
  let names = importsMemo.get(module);
  if (!names) {
    names = new Set();
    for (const imp of module.imports) {
      if (imp.scope !== 0) continue;
      const parts = imp.target.split('.');
      for (let i = 1; i <= parts.length; i++) names.add(parts.slice(0, i).join('.'));
    }
    importsMemo.set(module, names);
  }
  return names;
}
