/** Memos dropped between stages (src/analyse.ts): answers asked again afterwards are the answers given before. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser, typeIds } from '../src/parse/language.js';
import { factsForSource } from '../src/facts/index.js';
import { ProjectIndex } from '../src/graph/index.js';
import { loadCatalogue } from '../src/classify/catalogue.js';
import { loadWorkModel } from '../src/classify/work-model.js';
import { WorkloadAnalysis } from '../src/classify/workload.js';

const parser = createParser();
const ids = typeIds(parser);

const files: Record<string, string> = {
  'app/store.py': `import json
import time


class Base:
    def save(self, rows):
        for row in rows:
            json.dumps(row)


class Store(Base):
    def load(self, path):
        time.sleep(1)
        return open(path).read()
`,
  'app/service.py': `from app.store import Store


def handle(rows, path):
    store = Store()
    store.save(rows)
    for name in rows:
        store.load(name)
`,
};

test('resolutions, catalogue matches and labels are the same after the memos are dropped', () => {
  const catalogue = loadCatalogue();
  const model = loadWorkModel();
  const modules = Object.entries(files).map(([rel, source]) => factsForSource(source, rel, parser, ids));
  const index = new ProjectIndex(modules, catalogue.namesOf('calls-argument'), (n) => catalogue.canonical(n), (a, b) => catalogue.sameApi(a, b), model.caches);
  index.releaseBuildState();
  const names = ['app.store.Store().save', 'app.store.Store().load', 'app.service.handle', 'json.dumps', 'time.sleep'];
  const ask = () => ({
    resolved: names.map((n) => JSON.stringify(index.resolve(n))),
    matches: names.map((n) => catalogue.matches(n).map((m) => m.entry.effect).join(',')),
    labels: new WorkloadAnalysis(index, catalogue).labels.slice(),
  });
  const before = ask();
  // The two memoised answers this test relies on: a method found through a base class, and a blocking call.
  assert.equal(index.functions[JSON.parse(before.resolved[0]).id].fqn, 'app.store.Base.save');
  assert.notEqual(before.matches[4], '');
  index.forgetMemos();
  catalogue.forgetMatches();
  model.forgetPasses();
  assert.deepEqual(ask(), before);
});
