/**
 * A call chain drawn as a top-down flowchart: Mermaid source for the Markdown report, an inline
 * SVG for the HTML page.
 *
 * Stage: report. Input: the chain of a finding (caller first, API last). Output: text. Names come
 * from the audited code and may hold anything: Mermaid labels carry every character but letters,
 * digits and a few safe marks as `#N;` entity codes, and SVG text is XML-escaped, with control
 * and bidirectional characters written out (see `visible`).
 */

import type { ChainStep } from '../model/types.js';
import { visible } from './format.js';

/** `app/api.py:14`, or '' for an external API. */
function where(step: ChainStep): string {
  if (step.file === '') return '';
  return step.line > 0 ? `${step.file}:${step.line}` : step.file;
}

/** Mermaid label text: every character that could end the label or be read as markup as `#N;`. */
function mermaidText(text: string): string {
  return [...visible(text)].map((c) => (/[A-Za-z0-9 ._:/-]/.test(c) ? c : `#${c.codePointAt(0)};`)).join('');
}

/** The chain as a Mermaid `flowchart TD`, one node per step, the API last. */
export function mermaidFlowchart(chain: ChainStep[]): string {
  const lines = ['flowchart TD'];
  chain.forEach((step, i) => {
    const at = where(step);
    const label = at === '' ? mermaidText(step.function) : `${mermaidText(step.function)}<br/>${mermaidText(at)}`;
    lines.push(`  n${i}["${label}"]`);
  });
  for (let i = 0; i + 1 < chain.length; i++) lines.push(`  n${i} --> n${i + 1}`);
  if (chain.length > 0) lines.push(`  class n${chain.length - 1} api`, '  classDef api stroke-width:3px');
  return lines.join('\n');
}

function xml(text: string): string {
  return visible(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Width in pixels the SVG gives a character of its 13px monospace text. */
const CHAR_WIDTH = 7.9;
const BOX_HEIGHT = 46;
const GAP = 28;
const PAD = 14;

/**
 * The chain as an inline SVG flowchart: one box per step (name, then `file:line`), arrows down,
 * the API's box marked. Sizes come from the text lengths only, so the same chain gives the same SVG.
 */
export function svgFlowchart(chain: ChainStep[]): string {
  const longest = Math.max(10, ...chain.map((s) => Math.max([...visible(s.function)].length, [...where(s)].length)));
  const boxWidth = Math.ceil(longest * CHAR_WIDTH + 2 * PAD);
  const width = boxWidth + 4;
  const height = chain.length * BOX_HEIGHT + Math.max(0, chain.length - 1) * GAP + 4;
  const parts: string[] = [];
  chain.forEach((step, i) => {
    const y = 2 + i * (BOX_HEIGHT + GAP);
    const last = i === chain.length - 1;
    parts.push(`<rect class="${last ? 'flow-box flow-api' : 'flow-box'}" x="2" y="${y}" width="${boxWidth}" height="${BOX_HEIGHT}" rx="6"/>`);
    const at = where(step);
    if (at === '') {
      parts.push(`<text class="flow-name" x="${2 + PAD}" y="${y + 28}">${xml(step.function)}</text>`);
    } else {
      parts.push(`<text class="flow-name" x="${2 + PAD}" y="${y + 19}">${xml(step.function)}</text>`);
      parts.push(`<text class="flow-where" x="${2 + PAD}" y="${y + 36}">${xml(at)}</text>`);
    }
    if (!last) {
      const x = 2 + Math.round(boxWidth / 2);
      const y1 = y + BOX_HEIGHT;
      const y2 = y1 + GAP;
      parts.push(`<path class="flow-arrow" d="M${x} ${y1 + 2}V${y2 - 8}"/>`, `<path class="flow-head" d="M${x - 5} ${y2 - 9}L${x} ${y2 - 1}L${x + 5} ${y2 - 9}Z"/>`);
    }
  });
  const label = xml(`Call chain: ${chain.map((s) => s.function).join(' calls ')}`);
  return [
    `<svg class="flowchart" role="img" aria-label="${label}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">`,
    ...parts,
    '</svg>',
  ].join('\n');
}
