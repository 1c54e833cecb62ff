/**
 * Markdown building blocks every chapter of the report uses: text and code made safe to show,
 * table cells, number grouping, lists, and heading anchors.
 *
 * Stage: report. Input: strings, many of them from the audited code (names may hold anything).
 * Output: Markdown that shows them verbatim and cannot inject markup.
 */

import { visible } from './format.js';

/**
 * Escapes `&`, `<` and `>` outside code spans, so text cannot inject HTML into the rendered page;
 * a code span that holds control characters or markup is rewritten by `mdCode`. Line breaks are
 * shown as `\n`, so audited text cannot start a heading or a list, unless `multiline` (text the
 * tool wrote, such as a rule's rationale).
 */
export function mdText(text: string, multiline = false): string {
  return visible(text, multiline ? '\n' : '')
    .split(/(`+[^`]*?`+)/)
    .map((part, i) => {
      if (i % 2 === 0) return part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      const inner = part.replace(/^`+/, '').replace(/`+$/, '');
      return inner.includes('\n') || looksLikeMarkup(inner) ? mdCode(inner) : part;
    })
    .join('');
}

/**
 * Whether `text` holds something a Markdown renderer or a browser could take for HTML: `<!`, `<?`
 * or `</`; a tag with attributes (`<img src=x`); or a tag whose name could be an element's
 * (`<script>`, `<module>`). `<lambda:56>` is none of these: a colon is in no element's name.
 */
function looksLikeMarkup(text: string): boolean {
  return /<[!?/]|<[A-Za-z][^\s/>]*[\s/]|<[A-Za-z][A-Za-z0-9-]*(?:>|$)/.test(text);
}

/** Every character but ASCII letters, digits, spaces and non-ASCII text, as `&#N;`. */
function entities(text: string): string {
  return text.replace(/[^A-Za-z0-9 \u0080-\uffff]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A Markdown code span showing `text` verbatim (control characters and line breaks as escapes,
 * see `visible`), whatever backticks it contains. Text that looks like markup goes in an HTML
 * `<code>` element instead, with every markup character as a character reference: inside a code
 * span a `<` would reach a renderer raw, and only the code span keeps it from being a tag.
 */
export function mdCode(raw: string): string {
  const text = visible(raw);
  if (looksLikeMarkup(text)) return `<code>${entities(text)}</code>`;
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block holding `text` verbatim, tabs kept and other control characters escaped. */
export function mdFence(raw: string, lang: string): string {
  const text = visible(raw, '\t');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}

export function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** Free text for a table cell: one line, HTML escaped outside code spans, pipes escaped. */
export function textCell(text: string): string {
  return cell(mdText(text.trim().replace(/\s*\n\s*/g, ' ')));
}

/** `1,234`: digit grouping that does not depend on the locale. */
export function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `a`, `a and b`, `a, b and c`. */
export function listing(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The anchor GitHub gives a heading (`## Action plan` gives `action-plan`): lower case, spaces as
 * hyphens, punctuation dropped. The HTML page gives its headings the same ids, so links work in both.
 */
export function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .trim()
    .replace(/ /g, '-');
}
