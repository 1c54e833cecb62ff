/**
 * `gil-audit rules` and `gil-audit explain RULE`: rule metadata as a table, JSON or long form.
 *
 * Stage: cli. The long form follows the fixed section order of the rule docs: What it does,
 * Why is this bad?, Example, Use instead, Equivalents, References.
 */
import { matchedKinds, type RuleMeta } from '../model/types.js';
import type { Catalogue, CatalogueEntry } from '../classify/catalogue.js';

export function listRules(rules: RuleMeta[], format: 'text' | 'json'): string {
  if (format === 'json') {
    const out = rules.map((r) => ({
      id: r.id, name: r.name, category: r.category, severity: r.severity, confidence: r.confidence,
      status: r.status, since: r.since, summary: r.summary, rationale: r.rationale.trim(),
      recommendation: r.fix.recommendation.trim(), equivalents: r.equivalents, references: r.references,
    }));
    return `${JSON.stringify(out, null, 2)}\n`;
  }
  const width = Math.max(...rules.map((r) => r.name.length));
  const lines = rules.map((r) => `${r.id}  ${r.name.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.summary}`);
  return `${lines.join('\n')}\n\n${rules.length} rules. 'gil-audit explain <id>' prints one in full.\n`;
}

/** The long form of a rule; for declarative rules, with the catalogue entries it covers. */
export function explainRule(r: RuleMeta, catalogue?: Catalogue): string {
  const block = (code: string) => code.trimEnd().split('\n').map((l) => `    ${l}`).join('\n');
  const parts = [
    `${r.id} ${r.name}`,
    `${'='.repeat(r.id.length + r.name.length + 1)}`,
    `Category: ${r.category}    Severity: ${r.severity}    Confidence: ${confidenceText(r)}    Status: ${r.status} (since ${r.since})`,
    '',
    'What it does',
    `  ${r.summary}.`,
    '',
    'Why is this bad?',
    wrap(r.rationale.trim(), '  '),
    '',
    'Example',
    block(r.examples.bad),
    '',
    'Use instead',
    block(r.examples.good),
    '',
    'What to do',
    wrap(r.fix.recommendation.trim(), '  '),
  ];
  const options = Object.entries(r.options ?? {});
  if (options.length > 0) {
    parts.push('', 'Options');
    for (const [name, o] of options) parts.push(`  ${name} (default ${o.default})`, wrap(o.description.trim(), '    '));
  }
  const entries = ruleApis(r, catalogue);
  if (entries.length > 0) {
    parts.push('', `APIs (${entries[0].source.replace(/\/[^/]+$/, '/')}*.yaml)`);
    for (const e of entries) {
      const calls = e.calls.length > 3 ? [...e.calls.slice(0, 3), `… ${e.calls.length - 3} more`] : e.calls;
      parts.push(`  ${e.label ?? e.kind}: ${calls.join(', ')}${e.equivalents.length ? `  [${e.equivalents.join(', ')}]` : ''}`);
    }
  }
  if (r.equivalents.length > 0) parts.push('', 'Equivalents', `  ${r.equivalents.join(', ')}`);
  if (r.references.length > 0) parts.push('', 'References', ...r.references.map((u) => `  ${u}`));
  return `${parts.join('\n')}\n`;
}

/** `low`, or with the confidences the rule picks among by kind of finding: `low (in-coroutine: medium, via-helper: low)`. */
function confidenceText(r: RuleMeta): string {
  const picked = Object.entries(r.confidences ?? {});
  return picked.length === 0 ? r.confidence : `${r.confidence} (${picked.map(([id, c]) => `${id}: ${c}`).join(', ')})`;
}

function wrap(text: string, indent: string, width = 96): string {
  const out: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && line.length + word.length + 1 > width) {
        out.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) out.push(indent + line);
    out.push('');
  }
  return out.join('\n').trimEnd();
}

/** The rule's documentation page (docs/rules/<ID>-<name>.md), generated from its YAML. */
export function ruleMarkdown(r: RuleMeta, catalogue?: Catalogue): string {
  const parts = [
    '<!-- Generated from ' + r.source + ' by `npm run docs`. DO NOT EDIT. -->',
    '',
    `# ${r.id} ${r.name}`,
    '',
    `**Category** ${r.category} · **Severity** ${r.severity} · **Confidence** ${confidenceText(r)} · **Status** ${r.status} (since ${r.since})`,
    '',
    '## What it does',
    '',
    `${r.summary}.`,
    '',
    '## Why is this bad?',
    '',
    r.rationale.trim(),
    '',
    '## Example',
    '',
    `\`\`\`${fenceLanguage(r.examples.file)}`,
    r.examples.bad.trimEnd(),
    '```',
    '',
    '## Use instead',
    '',
    `\`\`\`${fenceLanguage(r.examples.file)}`,
    r.examples.good.trimEnd(),
    '```',
    '',
    r.fix.recommendation.trim(),
  ];
  const options = Object.entries(r.options ?? {});
  if (options.length > 0) {
    parts.push('', '## Options', '', 'Thresholds the rule decides with (its YAML `options`).', '');
    for (const [name, o] of options) parts.push(`- \`${name}\` (default ${o.default}): ${o.description.trim().replace(/\s+/g, ' ')}`);
  }
  const entries = ruleApis(r, catalogue);
  if (entries.length > 0) {
    parts.push('', '## APIs', '', `From \`${entries[0].source.replace(/\/[^/]+$/, '/')}\`: \`X()\` is an instance of X, \`{a,b}\` alternatives, \`*\` any one name.`, '');
    for (const e of entries) {
      parts.push(`- ${e.label ?? e.kind}: ${e.calls.map((c) => `\`${c}\``).join(', ')}${e.equivalents.length ? ` (${e.equivalents.join(', ')})` : ''}`);
    }
  }
  if (r.equivalents.length > 0) parts.push('', '## Equivalents', '', ...r.equivalents.map((e) => `- ${e}`));
  if (r.references.length > 0) parts.push('', '## References', '', ...r.references.map((u) => `- <${u}>`));
  return `${parts.join('\n')}\n`;
}

/**
 * The rules a code names: a gil-audit id (`GA101`) or name, or another tool's code (`ASYNC251`,
 * `ruff:ASYNC251`) through the rules' `equivalents` and the catalogue entries each rule covers.
 */
export function rulesForCode(code: string, rules: RuleMeta[], catalogue?: Catalogue): RuleMeta[] {
  const upper = code.toUpperCase();
  const own = rules.filter((r) => r.id === upper || r.name === code);
  if (own.length > 0) return own;
  const bare = upper.includes(':') ? upper.slice(upper.indexOf(':') + 1) : upper;
  const named = (equivalents: string[]) => equivalents.some((e) => e.toUpperCase() === upper || e.toUpperCase().split(':').pop() === bare);
  return rules.filter((r) => named(r.equivalents) || ruleApis(r, catalogue).some((e) => named(e.equivalents)));
}

/** The catalogue entries a declarative rule reports (those of the kinds its `match` names). */
function ruleApis(r: RuleMeta, catalogue?: Catalogue): CatalogueEntry[] {
  const kinds = new Set(matchedKinds(r));
  return catalogue?.entries.filter((e) => kinds.has(e.kind)) ?? [];
}

/** The Markdown code-fence language of an example audited as `file` (default `example.py`). */
function fenceLanguage(file = 'example.py'): string {
  const name = file.split('/').pop() ?? file;
  const byName: Record<string, string> = { 'CMakeLists.txt': 'cmake', Dockerfile: 'dockerfile', 'meson.build': 'meson', 'Cargo.toml': 'toml', 'pytest.ini': 'ini' };
  if (byName[name]) return byName[name];
  if (/^requirements.*\.txt$/.test(name)) return 'text';
  const ext = name.slice(name.lastIndexOf('.') + 1);
  const byExt: Record<string, string> = { py: 'python', pyi: 'python', pyx: 'cython', pxd: 'cython', c: 'c', h: 'c', cc: 'cpp', cpp: 'cpp', cxx: 'cpp', hpp: 'cpp', rs: 'rust', toml: 'toml', cfg: 'ini', ini: 'ini', yaml: 'yaml', yml: 'yaml' };
  return byExt[ext] ?? 'text';
}
