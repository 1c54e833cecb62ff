/**
 * HTML reporter: the Markdown audit report as one self-contained web page.
 *
 * Stage: report. Input: an `AuditRun`. Output: an HTML5 document (UTF-8, inline stylesheet,
 * no scripts and no external assets) whose body is the Markdown report rendered by `marked`.
 * Raw HTML in the Markdown is shown as text, except the few fixed tags the Markdown reporter
 * writes itself; links go only to web and mail addresses, and images are shown as their text.
 */

import { Marked, type Tokens } from 'marked';
import type { AuditRun } from '../model/types.js';
import { visible } from './format.js';
import { markdownReporter } from './markdown.js';
import type { ReportOptions } from './types.js';

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #59636e; --line: #d1d9e0; --code: #f6f8fa; --accent: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --code: #151b23; --accent: #4493f8; } }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: var(--bg); font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 2rem; margin-top: 0; }
h2 { font-size: 1.45rem; margin-top: 2.5rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin-top: 2rem; }
a { color: var(--accent); }
code, pre { font: .9em/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code { background: var(--code); padding: .1em .35em; border-radius: 4px; }
pre { background: var(--code); padding: .8rem 1rem; border-radius: 6px; overflow-x: auto; border: 1px solid var(--line); }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: 1rem 0; max-width: 100%; }
td code { word-break: break-all; }
th, td { border: 1px solid var(--line); padding: .35rem .75rem; text-align: left; }
th { background: var(--code); }
td[align="right"], th[align="right"] { text-align: right; }
details { margin: .75rem 0 1.5rem; padding: .5rem 1rem; border-left: 3px solid var(--line); color: var(--muted); }
summary { cursor: pointer; color: var(--fg); }
ol, ul { padding-left: 1.6rem; }
@media print { details { border: none; } pre { white-space: pre-wrap; } }
`.trim();

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The only raw HTML the Markdown report contains: its own fixed tags. */
const OWN_TAGS: ReadonlySet<string> = new Set([
  '<details><summary>Why this matters</summary>', '<details><summary>How the readiness score is made</summary>', '</details>', '<code>', '</code>',
]);

/** Link targets kept as links; any other (`javascript:`, `data:`...) is shown as plain text. */
const SAFE_HREF = /^(?:https?:|mailto:|#)/i;

const markdown = new Marked({
  gfm: true,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag): string {
      return OWN_TAGS.has(token.text.trim()) ? token.text : escapeHtml(token.text);
    },
    link(token: Tokens.Link): string | false {
      return SAFE_HREF.test(token.href) ? false : this.parser.parseInline(token.tokens);
    },
    image(token: Tokens.Image): string {
      return escapeHtml(token.text);
    },
  },
});

/** Renders the run as a self-contained HTML page. */
export function htmlReporter(run: AuditRun, options: ReportOptions): string {
  const body = markdown.parse(markdownReporter(run, { ...options, color: false }), { async: false });
  const roots = run.roots.length === 0 ? '' : `: ${visible(run.roots.join(', '))}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="${escapeHtml(`${run.tool.name} ${run.tool.version}`)}">`,
    `<title>${escapeHtml(`gil-audit report${roots}`)}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    '<main>',
    body.trimEnd(),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
