/** YAML parsing, with the parser loaded on first use: most runs read no YAML (the shipped data comes bundled as JSON). */
import { createRequire } from 'node:module';

type YamlModule = typeof import('yaml');

const require = createRequire(import.meta.url);
let yaml: YamlModule | undefined;

/** The document in `text` as plain data; throws the parser's error on invalid YAML. */
export function parseYaml(text: string): unknown {
  yaml ??= require('yaml') as YamlModule;
  return yaml.parse(text) as unknown;
}
