/** The report names a package under non-package folders (a `src/` layout) as Python imports it, and keeps fingerprints as they were. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { audit } from '../src/audit.js';
import { importNames } from '../src/graph/import-names.js';
import { auditFiles } from './helpers/fixtures.js';

/** A module at `path`, importing `imports` (absolute names, as the facts hold them). */
const module = (path: string, ...imports: string[]) => {
  const parts = path.replace(/\.py$/, '').split('/');
  const isPackage = parts.at(-1) === '__init__';
  if (isPackage) parts.pop();
  return { path, module: parts.join('.'), isPackage, imports: imports.map((target) => ({ local: target, target, line: 1, scope: 0 })) };
};
const modules = (...paths: string[]) => paths.map((p) => module(p));

test('names under a src/ layout lose the folders that are not packages', () => {
  const rename = importNames([...modules('src/app/__init__.py', 'src/app/io/__init__.py', 'src/app/io/disk.py'), module('src/app/store.py', 'app.io.disk')])!;
  assert.equal(rename('`src.app.store.Store.save` → `src.app.io.disk.write`'), '`app.store.Store.save` → `app.io.disk.write`');
  assert.equal(rename('src.app'), 'app');
  // Not a name of the project: a variable `src`, a longer name, a name that merely starts alike.
  assert.equal(rename('`src.read` blocks'), '`src.read` blocks');
  assert.equal(rename('x.src.app.store'), 'x.src.app.store');
  assert.equal(rename('src.application.run'), 'src.application.run');
});

test('nothing is renamed where every module is named as imported', () => {
  assert.equal(importNames([...modules('app/__init__.py', 'scripts/tool.py', 'setup.py'), module('app/store.py', 'app')]), undefined);
  // A folder of scripts is not a package: its modules have no shorter name to show.
  assert.equal(importNames([module('tools/a/run.py', 'run'), module('tools/b/run.py', 'run')]), undefined);
});

test('a namespace package keeps the folder that makes it', () => {
  // `beetsplug/` has no __init__.py, and the project imports its plugins through it.
  assert.equal(importNames([...modules('beetsplug/web/__init__.py', 'beetsplug/web/views.py'), module('beets/plugins.py', 'beetsplug')]), undefined);
  // A folder between packages (`discord/ext/`) is a namespace package, whatever is imported.
  assert.equal(importNames([...modules('discord/__init__.py', 'discord/ext/commands/__init__.py'), module('discord/ext/commands/bot.py', 'commands')]), undefined);
  // Nothing imports the package by either name: its name is left as its path gives it.
  assert.equal(importNames(modules('examples/demo/__init__.py', 'examples/demo/tasks.py')), undefined);
  // Relative imports inside the folders read as path names, and do not make it a namespace package.
  const rename = importNames([module('src/app/__init__.py', 'src.app.store'), module('src/app/store.py'), module('tests/test_store.py', 'app.store')])!;
  assert.equal(rename('src.app.store.save'), 'app.store.save');
});

test('a package whose import name another module has keeps its path name', () => {
  const rename = importNames([...modules('app/__init__.py', 'app/store.py', 'src/app/__init__.py', 'src/app/store.py', 'src/other/__init__.py'), module('main.py', 'app', 'other')])!;
  assert.equal(rename('src.app.store.save'), 'src.app.store.save');
  assert.equal(rename('src.other.run'), 'other.run');
  const twice = importNames([...modules('src/app/__init__.py', 'src/app/x.py', 'lib/app/__init__.py', 'lib/app/x.py'), module('main.py', 'app.x')])!;
  assert.equal(twice, undefined);
});

test('an audit of a src/ layout shows import names in messages, chains and profiles; fingerprints keep path names', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gil-audit-import-names-'));
  const files: Record<string, string> = {
    'src/shop/__init__.py': '',
    'src/shop/store.py': 'import time\n\nclass Store:\n    def save(self):\n        time.sleep(1)\n',
    'src/shop/api.py': 'from shop.store import Store\n\nasync def handler():\n    Store().save()\n',
    'src/shop/stats.py': [
      'import threading',
      '',
      'def collatz_block(first):',
      '    lengths = {}',
      '    for k in range(100_000):',
      '        n, steps = first + k, 0',
      '        while n != 1:',
      '            n = n // 2 if n % 2 == 0 else 3 * n + 1',
      '            steps += 1',
      '        lengths[first + k] = steps',
      '    return lengths',
      '',
      'def start():',
      '    threading.Thread(target=collatz_block, args=(1,)).start()',
      '',
    ].join('\n'),
  };
  try {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    const { run } = await audit([root]);
    assert.deepEqual(run.findings.map((f) => [f.rule, f.file, f.line, f.function, f.chain.map((s) => s.function)]), [
      ['GA110', 'src/shop/api.py', 4, 'shop.api.handler', ['shop.api.handler', 'shop.store.Store.save', 'time.sleep']],
      ['GA201', 'src/shop/stats.py', 14, 'shop.stats.start', ['shop.stats.start', 'shop.stats.collatz_block']],
    ]);
    assert.match(run.findings[0].message, /through `shop\.store\.Store\.save` → `time\.sleep`/);
    assert.ok(run.findings.every((f) => !f.message.includes('src.')));
    // The fingerprint is made of the names as the path gives them, as before: a baseline still matches.
    const fingerprint = (text: string) => createHash('sha1').update(`${text}\0${1}`).digest('hex').slice(0, 16);
    assert.equal(run.findings[1].fingerprint, fingerprint('GA201\0src/shop/stats.py\0start\0threading.Thread\0src.shop.stats.collatz_block'));
    assert.deepEqual(run.functions!.map((f) => f.qualname).sort(), ['shop.api.handler', 'shop.stats.collatz_block', 'shop.store.Store.save']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('configured API patterns match a project function by the name the report shows', async () => {
  const files = new Map([
    ['src/shop/__init__.py', ''],
    ['src/shop/store.py', 'class Store:\n    def save(self):\n        pass\n'],
    ['src/shop/pool.py', 'def in_thread(fn):\n    return fn\n'],
    ['src/shop/work.py', 'import requests\nfrom shop.pool import in_thread\n\n@in_thread\ndef fetch():\n    return requests.get("https://x")\n'],
    ['src/shop/api.py', 'from shop.store import Store\nfrom shop.work import fetch\n\nasync def handler():\n    Store().save()\n    fetch()\n'],
  ]);
  const sites = async (options: Parameters<typeof auditFiles>[1]) => (await auditFiles(files, options)).findings.map((f) => `${f.file}:${f.line} ${f.rule}`);
  assert.deepEqual(await sites({}), ['src/shop/api.py:6 GA110']);
  assert.deepEqual(await sites({ blockingApis: ['shop.store.Store.save'], offloadWrappers: ['shop.pool.in_thread'] }), ['src/shop/api.py:5 GA114']);
});
