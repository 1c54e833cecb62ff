/**
 * HTML reporter: the Markdown audit report as one self-contained web page.
 *
 * Stage: report. Input: an `AuditRun`. Output: an HTML5 document (UTF-8, inline stylesheet,
 * no scripts and no external assets, a Content-Security-Policy that allows neither) whose body is
 * the Markdown report rendered by `marked`, with call chains drawn as inline SVG, headings that the
 * contents link to, severities in colour, identifiers that break only between their parts, and a
 * print stylesheet that opens every collapsed section. Raw HTML in the Markdown is shown as text,
 * except the few fixed tags the Markdown reporter writes itself; links go only to web and mail
 * addresses and to anchors, and images are shown as their text.
 */

import { Marked, type Tokens } from 'marked';
import type { AuditRun, ChainStep } from '../model/types.js';
import { svgFlowchart } from './flowchart.js';
import { visible } from './format.js';
import type { FlowRenderer } from './markdown-groups.js';
import { markdownDocument } from './markdown.js';
import { slug } from './markdown-text.js';
import type { ReportOptions } from './types.js';

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #59636e; --line: #d1d9e0; --code: #f6f8fa; --accent: #0969da;
  --red: #cf222e; --red-bg: #ffebe9; --orange: #bc4c00; --orange-bg: #fff1e5; --amber: #9a6700; --amber-bg: #fff8c5; --blue: #0969da; --blue-bg: #ddf4ff; --green: #1a7f37; --green-bg: #dafbe1; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --code: #151b23; --accent: #4493f8;
  --red: #ff7b72; --red-bg: #3c1618; --orange: #ffa657; --orange-bg: #3d2410; --amber: #d29922; --amber-bg: #37290a; --blue: #79c0ff; --blue-bg: #0c2d4b; --green: #3fb950; --green-bg: #0f2f1a; } }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: var(--bg); font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 64rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 2rem; margin-top: 0; }
h2 { font-size: 1.45rem; margin-top: 2.5rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin-top: 2rem; }
a { color: var(--accent); }
code, pre { font: .9em/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code { background: var(--code); padding: .1em .35em; border-radius: 4px; }
pre { background: var(--code); padding: .8rem 1rem; border-radius: 6px; overflow-x: auto; border: 1px solid var(--line); }
pre code { background: none; padding: 0; }
.table-wrap { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; }
td code, th code { word-break: normal; overflow-wrap: normal; hyphens: none; }
th, td { border: 1px solid var(--line); padding: .35rem .75rem; text-align: left; vertical-align: top; }
th { background: var(--code); }
td[align="right"], th[align="right"] { text-align: right; white-space: nowrap; }
details { margin: .75rem 0 1.5rem; padding: .5rem 1rem; border-left: 3px solid var(--line); }
summary { cursor: pointer; color: var(--fg); }
ol, ul { padding-left: 1.6rem; }
strong.sev { font-weight: 600; padding: .05em .45em; border-radius: 1em; white-space: nowrap; }
.sev-red { color: var(--red); background: var(--red-bg); }
.sev-orange { color: var(--orange); background: var(--orange-bg); }
.sev-amber { color: var(--amber); background: var(--amber-bg); }
.sev-blue { color: var(--blue); background: var(--blue-bg); }
.sev-green { color: var(--green); background: var(--green-bg); }
figure.flow { margin: 1rem 0; overflow-x: auto; }
svg.flowchart { max-width: 100%; height: auto; }
.flow-box { fill: var(--code); stroke: var(--line); stroke-width: 1.5; }
.flow-api { stroke: var(--red); stroke-width: 2.5; }
.flow-name { font: 600 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; fill: var(--fg); }
.flow-where { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; fill: var(--muted); }
.flow-arrow { stroke: var(--muted); stroke-width: 1.5; fill: none; }
.flow-head { fill: var(--muted); }
@media print {
  :root { color-scheme: light; --fg: #000; --bg: #fff; --muted: #444; --line: #bbb; --code: #f4f4f4; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  details { border: none; padding: 0; }
  details::details-content { content-visibility: visible; display: block; }
  summary { list-style: none; font-weight: 600; }
  summary::-webkit-details-marker { display: none; }
  pre { white-space: pre-wrap; }
  .table-wrap, figure.flow { overflow: visible; }
  h2, h3 { break-after: avoid; }
  pre, tr, figure, svg { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`.trim();

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The only raw HTML the Markdown report contains: its own fixed tags. */
const OWN_TAGS: ReadonlySet<string> = new Set(['<details><summary>How the readiness score is made</summary>', '</details>', '<code>', '</code>']);
/** Own tags with a number in them. */
const OWN_TAG_PATTERNS: readonly RegExp[] = [/^<details><summary>\d+ more call sites<\/summary>$/];

function isOwnTag(text: string): boolean {
  const tag = text.trim();
  return OWN_TAGS.has(tag) || OWN_TAG_PATTERNS.some((p) => p.test(tag));
}

/** The fenced-block language the HTML page's Markdown uses for a flowchart: the block holds its index. */
const FLOW_LANG = 'gil-audit-flowchart';

/** Words the report writes in bold that get a colour: severities, ratings, risk levels, priorities. */
const WORD_COLOURS: Record<string, string> = {
  critical: 'red', error: 'red', high: 'red', now: 'red',
  poor: 'orange',
  warning: 'amber', medium: 'amber', fair: 'amber', next: 'amber',
  note: 'blue', low: 'blue', later: 'blue',
  good: 'green', none: 'green',
};

/**
 * Escaped code with a line-break opportunity after each \`/\` and each \`.\` but a file name's
 * last (\`app/<wbr>main.py:37\`, \`app.<wbr>db.<wbr>load\`), so names break between their parts, never
 * inside a word or a \`file:line\`.
 */
function codeHtml(text: string): string {
  return escapeHtml(text).replace(/\/(?=[^/])|\.(?=[A-Za-z_])(?![A-Za-z0-9]{1,5}(?::\d+)?$)/g, '$&<wbr>');
}

/** Text with the character references marked writes for plain text decoded (`&lt;` gives `<`), for heading anchors. */
function unescapeHtml(text: string): string {
  return text.replace(/&(lt|gt|quot|#39|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[name] ?? '');
}

/** Link targets kept as links; any other (`javascript:`, `data:`...) is shown as plain text. */
const SAFE_HREF = /^(?:https?:|mailto:|#)/i;

/** A Markdown renderer for one page: headings get GitHub's anchors, flowcharts their SVG. */
function pageRenderer(charts: ChainStep[][]): Marked {
  const ids = new Map<string, number>();
  return new Marked({
    gfm: true,
    renderer: {
      html(token: Tokens.HTML | Tokens.Tag): string {
        return isOwnTag(token.text) ? token.text : escapeHtml(token.text);
      },
      link(token: Tokens.Link): string | false {
        return SAFE_HREF.test(token.href) ? false : this.parser.parseInline(token.tokens);
      },
      image(token: Tokens.Image): string {
        return escapeHtml(token.text);
      },
      heading(token: Tokens.Heading): string {
        const base = slug(unescapeHtml(this.parser.parseInline(token.tokens, this.parser.textRenderer))) || 'section';
        const seen = ids.get(base) ?? 0;
        ids.set(base, seen + 1);
        const id = seen === 0 ? base : `${base}-${seen}`;
        return `<h${token.depth} id="${escapeHtml(id)}">${this.parser.parseInline(token.tokens)}</h${token.depth}>\n`;
      },
      codespan(token: Tokens.Codespan): string {
        return `<code>${codeHtml(token.text)}</code>`;
      },
      strong(token: Tokens.Strong): string | false {
        const colour = WORD_COLOURS[token.text];
        return colour === undefined ? false : `<strong class="sev sev-${colour}">${escapeHtml(token.text)}</strong>`;
      },
      code(token: Tokens.Code): string | false {
        if (token.lang !== FLOW_LANG || !/^\d+$/.test(token.text)) return false;
        const chain = charts[Number(token.text)];
        return chain === undefined ? false : `<figure class="flow">\n${svgFlowchart(chain)}\n</figure>\n`;
      },
    },
  });
}

/** Renders the run as a self-contained HTML page. */
export function htmlReporter(run: AuditRun, options: ReportOptions): string {
  const charts: ChainStep[][] = [];
  const flow: FlowRenderer = (chain) => {
    charts.push(chain);
    return [`\`\`\`${FLOW_LANG}`, String(charts.length - 1), '```'];
  };
  const html = pageRenderer(charts).parse(markdownDocument(run, flow), { async: false });
  const body = html.replace(/<table>/g, '<div class="table-wrap"><table>').replace(/<\/table>/g, '</table></div>');
  const title = run.cover?.title ?? `gil-audit report${run.roots.length === 0 ? '' : `: ${run.roots.join(', ')}`}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="${escapeHtml(`${run.tool.name} ${run.tool.version}`)}">`,
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">',
    `<title>${escapeHtml(visible(title))}</title>`,
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
