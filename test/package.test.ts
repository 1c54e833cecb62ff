/**
 * What the published package holds: everything the CLI reads at run time (compiled code, rules,
 * catalogue, schemas, README, LICENSE) and no fixtures or test code, as `npm pack` sees it; and
 * the metadata that links the registry page back to the repository.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers/fixtures.js';

/** Files under `dir` (relative to the repository, `/`-separated). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(REPO, dir)).sort()) {
    const rel = `${dir}/${name}`;
    if (statSync(join(REPO, rel)).isDirectory()) out.push(...filesUnder(rel));
    else out.push(rel);
  }
  return out;
}

test('npm pack ships what the CLI needs at run time, and no fixtures or test code', () => {
  // --ignore-scripts: `prepare` would rebuild dist/ under the other tests' feet.
  const npm = process.env.npm_execpath;
  const args = ['pack', '--dry-run', '--json', '--ignore-scripts'];
  const r = npm ? spawnSync(process.execPath, [npm, ...args], { cwd: REPO, encoding: 'utf8' }) : spawnSync('npm', args, { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const packed = new Set((JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
  const needed = [
    ...filesUnder('dist/src'),
    ...filesUnder('rules'),
    ...filesUnder('src/schema').filter((f) => f.endsWith('.json')),
    'README.md', 'LICENSE', 'package.json',
    // The native parser is built at install from these.
    'binding.gyp', 'native/python_flat.c',
  ];
  assert.deepEqual(needed.filter((f) => !packed.has(f)), [], 'missing from the package');
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  for (const bin of Object.values(pkg.bin)) assert.ok(packed.has(bin), `the bin ${bin} is packed`);
  const unwanted = [...packed].filter((f) => /^(fixtures|test|bench|scripts|docs|reports|dist\/(test|bench|scripts))\//.test(f) || /(^|\/)\.ci\//.test(f) || (f.startsWith('src/') && !f.startsWith('src/schema/')));
  assert.deepEqual(unwanted, [], 'fixtures, tests and sources stay out');
});

test('package.json links to the repository, its home page and its issues', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(pkg.repository, { type: 'git', url: 'git+https://github.com/gil-audit/gil-audit.git' });
  assert.equal(pkg.homepage, 'https://github.com/gil-audit/gil-audit#readme');
  assert.deepEqual(pkg.bugs, { url: 'https://github.com/gil-audit/gil-audit/issues' });
});
