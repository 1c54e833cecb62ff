/**
 * Loads rule metadata from `rules/<category>/<ID>-<name>.yaml` and checks it.
 *
 * Stage: rules. Each file is validated against src/schema/rule.schema.json; its file name must
 * be `<id>-<name>.yaml` and ids must be unique. A bad rule file is a ConfigError naming the file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseYaml } from '../config/yaml.js';
import type { RuleMeta } from '../model/types.js';
import { ConfigError, packagePath } from '../config/schema.js';
import { validatedData } from '../config/shipped-data.js';

let cached: RuleMeta[] | undefined;

/** Every rule, sorted by id. */
export function loadRules(dir = packagePath('rules')): RuleMeta[] {
  if (cached && dir === packagePath('rules')) return cached;
  const rules: RuleMeta[] = [];
  const seen = new Map<string, string>();
  for (const category of readdirSync(dir).sort()) {
    const folder = join(dir, category);
    if (category === 'catalogue' || !statSync(folder).isDirectory()) continue;
    for (const name of readdirSync(folder).filter((n) => n.endsWith('.yaml')).sort()) {
      const file = join(folder, name);
      const rel = `rules/${category}/${name}`;
      const data = validatedData(file, readFileSync(file, 'utf8'), 'rule.schema.json', rel, (text) => {
        try {
          return parseYaml(text) as unknown;
        } catch (error) {
          throw new ConfigError(`${rel}: invalid YAML: ${(error as Error).message}`);
        }
      });
      const rule = data as Omit<RuleMeta, 'source'>;
      if (name !== `${rule.id}-${rule.name}.yaml`) throw new ConfigError(`${rel}: file name must be '${rule.id}-${rule.name}.yaml' (from its id and name)`);
      if (rule.category !== category) throw new ConfigError(`${rel}: category '${rule.category}' does not match its folder '${category}'`);
      if (rule.engine === 'declarative' && !rule.match) throw new ConfigError(`${rel}: a declarative rule needs a 'match' block`);
      if (seen.has(rule.id)) throw new ConfigError(`${rel}: id ${rule.id} is already used by ${seen.get(rule.id)}`);
      seen.set(rule.id, rel);
      rules.push({ ...rule, source: rel });
    }
  }
  rules.sort((a, b) => (a.id < b.id ? -1 : 1));
  if (dir === packagePath('rules')) cached = rules;
  return rules;
}

/**
 * Turns `--select`/`--ignore` lists (ids or prefixes such as `GA1`) into a predicate. With no
 * select list every rule is selected.
 */
export function ruleFilter(select: string[] = [], ignore: string[] = []): (id: string) => boolean {
  const matches = (id: string, codes: string[]) => codes.some((c) => id.startsWith(c.toUpperCase()));
  return (id) => (select.length === 0 || matches(id, select)) && !matches(id, ignore);
}
