/**
 * Fills a rule's message template, picks the recommendation for the module's async library, reads rule options,
 * recommendations and message variants by id.
 *
 * Stage: rules.
 */
import type { ModuleFacts } from '../facts/types.js';
import type { CatalogueEntry } from '../classify/catalogue.js';
import type { Confidence, RuleMeta } from '../model/types.js';

/** `{{name}}` placeholders replaced from `values`; unknown ones are left as they are. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*([a-zA-Z][a-zA-Z0-9_]*)\s*\}\}/g, (whole, key: string) => values[key] ?? whole);
}

export type AsyncLibrary = 'asyncio' | 'trio' | 'anyio';

/** The library the module's coroutines run on: trio or anyio when imported, else asyncio. */
export function asyncLibrary(module: ModuleFacts): AsyncLibrary {
  if (module.asyncLibraries.includes('trio')) return 'trio';
  if (module.asyncLibraries.includes('anyio')) return 'anyio';
  return 'asyncio';
}

/**
 * The entry's advice for that library, falling back to asyncio's, then to `fallback`, written for
 * the call at hand: `{{callee}}` is the call as the code writes it (`shutil.copyfileobj`,
 * `dest.unlink`) and `{{method}}` its last name, so the advice names that very API.
 */
export function alternativeFor(entry: CatalogueEntry, library: AsyncLibrary, fallback: string, callee?: string): string {
  const text = entry.alternative?.[library] ?? entry.alternative?.asyncio ?? fallback;
  if (callee === undefined) return text;
  return fillTemplate(text, { callee, method: callee.split('.').at(-1) ?? callee });
}

/** A message about a sync function the loop calls (a `@callback`) says so instead of "async function". */
export function onLoopWording(message: string, isAsync: boolean): string {
  return isAsync ? message : message.replace('async function', 'event-loop callback');
}

/** How to run a sync function off the loop in that library. */
export function offloadFor(library: AsyncLibrary, fn: string): string {
  switch (library) {
    case 'trio':
      return `\`await trio.to_thread.run_sync(${fn}, ...)\``;
    case 'anyio':
      return `\`await anyio.to_thread.run_sync(${fn}, ...)\``;
    default:
      return `\`await asyncio.to_thread(${fn}, ...)\``;
  }
}

/** A numeric option of the rule (its YAML `options`), or a clear error naming the rule file if it has none. */
export function ruleOption(rule: RuleMeta, name: string): number {
  const option = rule.options?.[name];
  if (!option || typeof option.default !== 'number') throw new Error(`${rule.source}: rule ${rule.id} has no numeric option '${name}'`);
  return option.default;
}

/** The rule's recommendation with this id (its YAML `fix.recommendations`), or a clear error naming the rule file. */
export function recommendation(rule: RuleMeta, id: string): string {
  const text = rule.fix.recommendations?.[id];
  if (text === undefined) throw new Error(`${rule.source}: rule ${rule.id} has no fix.recommendations.${id}`);
  return text.trim();
}

/** The rule's confidence with this id (its YAML `confidences`), or a clear error naming the rule file. */
export function confidenceFor(rule: RuleMeta, id: string): Confidence {
  const confidence = rule.confidences?.[id];
  if (confidence === undefined) throw new Error(`${rule.source}: rule ${rule.id} has no confidences.${id}`);
  return confidence;
}

/** The rule's message variant with this id (its YAML `messages`), or a clear error naming the rule file. */
export function messageVariant(rule: RuleMeta, id: string): string {
  const text = rule.messages?.[id];
  if (text === undefined) throw new Error(`${rule.source}: rule ${rule.id} has no messages.${id}`);
  return text;
}
