/**
 * The pipeline runs one way: a stage may import its own folder and the stages below it, never one
 * above it (shared/ARCHITECTURE.md). Also: every source file says what it is for first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';
import { REPO } from './helpers/fixtures.js';

/**
 * Bottom first. `analyse.ts` runs the stages after the run memo, `audit.ts` the whole pipeline
 * (loading analyse.ts only when the memo cannot answer); both sit above every analysis stage,
 * below the CLI.
 */
const ORDER = ['model', 'config', 'version', 'memory', 'timing', 'discover', 'parse', 'cache', 'facts', 'graph', 'classify', 'readiness', 'rules', 'findings', 'analyse', 'audit', 'report', 'cli'];

const SRC = join(REPO, 'src');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sources(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** `src/classify/workload.ts` → `classify`; `src/audit.ts` → `audit`. */
function stageOf(file: string): string {
  const rel = relative(SRC, file).split(sep);
  return rel.length === 1 ? rel[0].replace(/\.ts$/, '') : rel[0];
}

const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm;

test('no stage imports from a stage later in the pipeline', () => {
  const wrong: string[] = [];
  for (const file of sources(SRC)) {
    const stage = stageOf(file);
    const rank = ORDER.indexOf(stage);
    assert.ok(rank >= 0, `${relative(REPO, file)}: stage '${stage}' is not in the pipeline order of this test`);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), match[1]).replace(/\.js$/, '.ts');
      const other = stageOf(target);
      if (ORDER.indexOf(other) > rank) wrong.push(`${relative(REPO, file)} (${stage}) imports ${match[1]} (${other})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the import check sees an import that runs back up the pipeline', () => {
  // The check above must be able to fail: a facts file importing from graph is caught.
  const file = join(SRC, 'facts', 'x.ts');
  const target = resolve(dirname(file), '../graph/index.js').replace(/\.js$/, '.ts');
  assert.ok(ORDER.indexOf(stageOf(target)) > ORDER.indexOf(stageOf(file)));
});

test('every source file opens with a comment saying what it is for', () => {
  const missing = sources(SRC).filter((f) => !readFileSync(f, 'utf8').replace(/^#!.*\n/, '').trimStart().startsWith('/**')).map((f) => relative(REPO, f));
  assert.deepEqual(missing, []);
});
