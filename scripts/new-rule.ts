/**
 * Scaffolds a rule: `npm run new-rule -- GA123 rule-name [--ts]` writes its YAML (every field the
 * schema requires), a fixture with one positive and one negative case to fill in, and with `--ts`
 * the implementation file. The category comes from the id's hundred (GA1xx async-blocking, GA2xx
 * gil-contention, GA3xx offload, GA4xx free-threading). Nothing is overwritten.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CATEGORIES: Record<string, string> = { '1': 'async-blocking', '2': 'gil-contention', '3': 'offload', '4': 'free-threading' };

function fail(message: string): never {
  process.stderr.write(`new-rule: ${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const ts = args.includes('--ts');
const [id, name] = args.filter((a) => !a.startsWith('--'));
if (!id || !name) fail('usage: npm run new-rule -- GA123 rule-name [--ts]');
if (!/^GA[0-9]{3}$/.test(id)) fail(`'${id}' is not a rule id (GA followed by three digits)`);
if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) fail(`'${name}' is not a kebab-case rule name`);
const category = CATEGORIES[id[2]] ?? fail(`no category for ids starting ${id.slice(0, 3)}`);

const yaml = `id: ${id}
name: ${name}
engine: ${ts ? 'ts' : 'declarative'}
category: ${category}
severity: warning
confidence: medium
status: experimental
since: 0.1.0
summary: Checks for ... (one line, no final period)
message: "\`{{callee}}\` ... inside \`{{function}}\`"
rationale: >
  Why this matters, with the fact behind it and its source.
fix:
  recommendation: >
    What to do instead, concretely.
examples:
  bad: |
    # code the rule reports
  good: |
    # the same code, fixed
equivalents: []
references: []
${ts ? '' : 'match:\n  kinds: []\n  context: async-function\n'}`;

const fixture = `# ${id} ${name}: realistic code, one case per situation the rule decides.

# A case that must be reported: end its line with an expect comment for ${id}.

# A case that must not be reported: end its line with an ok comment for ${id}.
`;

const impl = `/**
 * ${id}: what the rule reports, in one line.
 *
 * Stage: rules. What it reads from the RuleContext and why.
 */
import type { RawFinding, RuleImpl } from '../types.js';

export const create: RuleImpl = (ctx, rule) => {
  const out: RawFinding[] = [];
  return out;
};
`;

const files: [string, string][] = [
  [join(REPO, 'rules', category, `${id}-${name}.yaml`), yaml],
  [join(REPO, 'fixtures', category, `${id}-${name}.py`), fixture],
];
if (ts) files.push([join(REPO, 'src', 'rules', 'impl', `${name}.ts`), impl]);
for (const [file] of files) if (existsSync(file)) fail(`${file.slice(REPO.length)} exists already`);
for (const [file, text] of files) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  process.stdout.write(`wrote ${file.slice(REPO.length)}\n`);
}
process.stdout.write('Fill them in; `npm test` fails until the fixture has a positive and a negative case and the examples hold.\n');
