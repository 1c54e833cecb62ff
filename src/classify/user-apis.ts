/**
 * The project's own blocking APIs and offload wrappers, declared in its configuration
 * (`blocking-apis`, `offload-wrappers`), turned into name matchers for the classify stage.
 *
 * Stage: classify. Input: the validated configuration values (src/config); output: matchers over
 * API names and callee texts. Patterns are dotted names as the report shows them (`mylib.fetch`,
 * `mylib.Client().get`), with shell-style wildcards as in flake8-async's ASYNC200 options (`*`
 * any characters, `?` one, `[abc]` a set) and the catalogue's `{a,b}` alternatives.
 */
import { expandBraces } from './catalogue.js';
import type { BlockingApiSetting } from '../model/schema-types.js';

/** One `blocking-apis` item: `"pattern"`, `"pattern -> suggestion"`, or `{pattern, suggestion}`. */
export type { BlockingApiSetting };

export interface BlockingApi {
  /** The pattern as written. */
  pattern: string;
  /** What to use instead, when the configuration says. */
  suggestion?: string;
  regex: RegExp;
}

export interface UserApis {
  blocking: BlockingApi[];
  /** Functions that run their first argument in a worker thread (`pkg.utils.run_sync`). */
  offloadWrappers: { pattern: string; regex: RegExp }[];
}

/** Compiles the configuration's lists (either may be absent). */
export function userApis(blocking: BlockingApiSetting[] = [], wrappers: string[] = []): UserApis {
  return {
    blocking: blocking.map((item) => {
      const { pattern, suggestion } = typeof item === 'string' ? splitArrow(item) : item;
      return { pattern, ...(suggestion ? { suggestion } : {}), regex: globRegex(pattern) };
    }),
    offloadWrappers: wrappers.map((pattern) => ({ pattern: pattern.trim(), regex: globRegex(pattern.trim()) })),
  };
}

/** `mylib.fetch -> mylib.afetch` (flake8-async's form) splits into the pattern and the suggestion. */
function splitArrow(text: string): { pattern: string; suggestion?: string } {
  const arrow = text.indexOf('->');
  if (arrow < 0) return { pattern: text.trim() };
  const suggestion = text.slice(arrow + 2).trim();
  return { pattern: text.slice(0, arrow).trim(), ...(suggestion ? { suggestion } : {}) };
}

/** A shell-style pattern (with `{a,b}` alternatives) as an anchored regular expression. */
export function globRegex(pattern: string): RegExp {
  const alternatives = expandBraces(pattern).map((p) => {
    let out = '';
    for (let i = 0; i < p.length; i++) {
      const ch = p[i];
      if (ch === '*') out += '.*';
      else if (ch === '?') out += '.';
      else if (ch === '[') {
        const close = p.indexOf(']', i + 1);
        if (close < 0) out += '\\[';
        else {
          const set = p.slice(i + 1, close).replace(/\\/g, '\\\\');
          out += set.startsWith('!') ? `[^${set.slice(1)}]` : `[${set}]`;
          i = close;
        }
      } else out += ch.replace(/[.()+^$|\\{}\]]/g, '\\$&');
    }
    return out;
  });
  return new RegExp(`^(?:${alternatives.join('|')})$`);
}
