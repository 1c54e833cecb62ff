/** A module under folders that are not packages is known by shorter names too (`src/pkg/mod.py` is `pkg.mod`): its functions and classes are found through them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser, typeIds } from '../src/parse/language.js';
import { factsForSource } from '../src/facts/index.js';
import { factsFromText, factsToText } from '../src/facts/wire.js';
import { ProjectIndex } from '../src/graph/index.js';

const parser = createParser();
const ids = typeIds(parser);

const FILES: Record<string, string> = {
  'src/pkg/__init__.py': 'from pkg.client import Client\n',
  'src/pkg/http.py': 'class Session:\n    def get(self, url):\n        pass\n',
  'src/pkg/client.py': 'import pkg.http\nclass Client:\n    def __init__(self):\n        self.http = pkg.http.Session()\n',
  'src/pkg/mod.py': 'def helper():\n    pass\nclass Repo:\n    def save(self):\n        pass\n',
  'src/pkg/sub.py': 'import pkg.mod\nclass Cached(pkg.mod.Repo):\n    pass\n',
  'src/pkg/app.py': [
    'import random',
    'from pkg import Client',
    'from pkg.mod import helper, Repo',
    'from pkg.sub import Cached',
    'def run():',
    '    helper()',
    '    Repo().save()',
    '    Cached().save()',
    '    Client().http.get("/")',
    'def mix(rows):',
    '    random.shuffle(rows)',
    '',
  ].join('\n'),
  // Outside any package, so `random` is also its name; the standard library's `random.shuffle` is not its own.
  'scripts/random.py': 'def choice():\n    pass\n',
};

const index = new ProjectIndex(Object.entries(FILES).map(([rel, source]) => factsFromText(`[${factsToText(factsForSource(source, rel, parser, ids))}]`)[0]));
const fqn = (target: ReturnType<ProjectIndex['resolve']>) => (target.kind === 'function' ? index.functions[target.id].fqn : target.kind === 'external' ? `external ${target.name}` : 'unknown');

test('functions, methods and inherited methods are found under a module\'s shorter names', () => {
  assert.equal(fqn(index.resolve('pkg.mod.helper')), 'src.pkg.mod.helper');
  assert.equal(fqn(index.resolve('pkg.mod.Repo().save')), 'src.pkg.mod.Repo.save');
  assert.equal(fqn(index.resolve('pkg.sub.Cached().save')), 'src.pkg.mod.Repo.save');
  assert.equal(fqn(index.resolve('random.choice')), 'scripts.random.choice');
  const run = index.functions.find((f) => f.fqn === 'src.pkg.app.run')!;
  assert.deepEqual(index.outgoing[run.id].map((e) => index.functions[e.to].fqn).sort(), [
    'src.pkg.client.Client.__init__', 'src.pkg.http.Session.get', 'src.pkg.mod.Repo.save', 'src.pkg.mod.Repo.save', 'src.pkg.mod.helper',
  ]);
});

test('a name the module does not define stays the external name as written', () => {
  assert.equal(fqn(index.resolve('random.shuffle')), 'external random.shuffle');
  assert.equal(fqn(index.resolve('pkg.mod.missing')), 'external pkg.mod.missing');
  const mix = index.functions.find((f) => f.fqn === 'src.pkg.app.mix')!;
  assert.deepEqual([index.target(mix.id, 0)], [{ kind: 'external', name: 'random.shuffle' }]);
  assert.equal(mix.fact.calls.length, 1);
});
