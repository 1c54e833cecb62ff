/** The strict work model worked out only from some roots (src/classify/workload.ts `roots`): the same answers there, an error elsewhere. */
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
const catalogue = loadCatalogue();

const source = `import threading


def tokens(rows):
    out = []
    for row in rows:
        for word in row.split():
            out.append(word.lower() * 3)
    return out


def count(rows):
    return len(tokens(rows))


def report(rows):
    total = 0
    for row in rows:
        for cell in row:
            total += cell * 2
    return total


def start(rows):
    threading.Thread(target=count, args=(rows,)).start()
`;

function analyses() {
  const index = new ProjectIndex([factsForSource(source, 'app/work.py', parser, ids)], catalogue.namesOf('calls-argument'), (n) => catalogue.canonical(n), (a, b) => catalogue.sameApi(a, b), loadWorkModel().caches);
  const id = (qualname: string) => index.functions.find((f) => f.fact.qualname === qualname)!.id;
  const whole = new WorkloadAnalysis(index, catalogue, loadWorkModel(undefined, true));
  const scoped = new WorkloadAnalysis(index, catalogue, loadWorkModel(undefined, true), [id('count')]);
  return { index, id, whole, scoped };
}

test('a root and what it calls get the same work, labels, reasons and evidence as in the whole analysis', () => {
  const { index, id, whole, scoped } = analyses();
  for (const name of ['count', 'tokens']) {
    const f = id(name);
    assert.deepEqual(scoped.work(f), whole.work(f), name);
    assert.equal(scoped.labels[f], whole.labels[f], name);
    assert.equal(scoped.confidence[f], whole.confidence[f], name);
    assert.equal(scoped.reason(f, 'cpu-gil'), whole.reason(f, 'cpu-gil'), name);
    assert.deepEqual(scoped.evidence(f), whole.evidence(f), name);
    assert.equal(scoped.heavyCpu(f, 1000), whole.heavyCpu(f, 1000), name);
  }
  assert.ok(whole.cpuWork(id('tokens')) > 0);
  const edge = index.outgoing[id('count')].find((e) => e.to === id('tokens'))!;
  assert.deepEqual(scoped.chainFrom(edge, 'cpu-gil'), whole.chainFrom(edge, 'cpu-gil'));
});

test('a function the roots do not reach is labelled unknown, and asking about its work is an error', () => {
  const { id, whole, scoped } = analyses();
  const report = id('report');
  assert.ok(whole.cpuWork(report) > 0);
  assert.equal(scoped.labels[report], 'unknown');
  assert.throws(() => scoped.cpuWork(report), /internal error: the work of function app\.work\.report was not worked out/);
  assert.throws(() => scoped.evidence(report), /not worked out/);
  assert.throws(() => scoped.heavyLoops(report, 1), /not worked out/);
});
