/**
 * Every API the catalogue names is exercised by at least one call in the fixtures: an entry no
 * fixture calls is knowledge no test checks (a typo in a pattern would go unnoticed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, loadFixture, readTree } from './helpers/fixtures.js';
import { createParser, typeIds } from '../src/parse/language.js';
import { factsForSource } from '../src/facts/index.js';
import { ProjectIndex } from '../src/graph/index.js';
import { expandBraces, loadCatalogue } from '../src/classify/catalogue.js';
import { loadWorkModel } from '../src/classify/work-model.js';

const parser = createParser();
const ids = typeIds(parser);
const catalogue = loadCatalogue();

/** Each fixture project (a `.py` fixture, possibly split into files, or a directory) as its own set of files. */
function fixtureProjects(dir: string): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (/^GA\d{3}-/.test(name) || name === 'sample' || dir.endsWith('projects')) out.push(readTree(path));
      else out.push(...fixtureProjects(path));
    } else if (name.endsWith('.py')) out.push(loadFixture(path, name).files);
  }
  return out;
}

/**
 * Canonical names of every external API called anywhere in the fixtures, and of every decorator
 * on a function: the entry-point entries without `function` are decorators (`@app.get("/x")` is
 * `fastapi.FastAPI().get`), which the engine resolves without their call parentheses, as here.
 */
function calledApis(): Set<string> {
  const names = new Set<string>();
  for (const files of fixtureProjects(join(REPO, 'fixtures'))) {
    const modules = [...files].filter(([rel]) => rel.endsWith('.py')).map(([rel, source]) => factsForSource(source, rel, parser, ids));
    const index = new ProjectIndex(modules, catalogue.namesOf('calls-argument'), (name) => catalogue.canonical(name), undefined, loadWorkModel().caches);
    for (const t of index.allTargets()) if (t.kind === 'external') names.add(t.name);
    for (const fn of index.functions) {
      for (const decorator of fn.fact.decorators) {
        const resolved = index.resolve(decorator.replace(/\(\)$/, ''));
        if (resolved.kind === 'external') names.add(resolved.name);
      }
    }
  }
  return names;
}

test('every catalogue API is called by some fixture', () => {
  const called = [...calledApis()];
  const uncovered: string[] = [];
  for (const entry of catalogue.entries) {
    if (entry.effect === 'returns') continue;
    // A pattern with `{a,b}` alternatives is covered when a fixture calls one of them.
    for (const pattern of entry.calls) {
      const expanded = new Set(expandBraces(pattern));
      const hit = called.some((name) => catalogue.matches(name).some((m) => m.entry === entry && expanded.has(m.pattern)));
      if (!hit) uncovered.push(`${entry.source}: ${pattern}`);
    }
  }
  assert.deepEqual(uncovered, [], 'add a call of each to a fixture (a positive or a negative case)');
});
