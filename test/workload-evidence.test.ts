/** The evidence the work model gives a label (src/classify/workload.ts `evidence`): what labelled the function comes first. */
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

// Undescribed library work (a publish per row) outweighs the CPU work, so the function is not
// cpu-gil; its one file read is what labels it io, though it is a tenth of its CPU work.
const source = `import pulsar_lite


def relay(path, rows):
    header = open(path).read()
    for row in rows:
        scaled = [row * 2 + 1, row * 3 - 1, row % 7, row // 2, row + 5, row - 5, row * row, row << 1, row >> 1]
        checks = [row & 3, row | 4, row ^ 5, row > 9, row < 2, row == 4, row != 3, -row, row * 9 - 2]
        pulsar_lite.publish(header, scaled, checks)
`;

test('a label shows its own kind first, however small beside the other work', () => {
  const index = new ProjectIndex([factsForSource(source, 'app/relay.py', parser, ids)], catalogue.namesOf('calls-argument'), (n) => catalogue.canonical(n), (a, b) => catalogue.sameApi(a, b), loadWorkModel().caches);
  const work = new WorkloadAnalysis(index, catalogue);
  const relay = index.functions.find((f) => f.fact.qualname === 'relay')!.id;
  const t = work.work(relay);
  // The shape this test needs: unknown > CPU > 10 x I/O, and I/O at the label's threshold.
  assert.ok(t.unknown > t['cpu-gil'] && t['cpu-gil'] > 10 * t.io && t.io >= 1000, JSON.stringify(t));
  assert.equal(work.labels[relay], 'io');
  assert.deepEqual(work.evidence(relay).map((e) => [e.kind, e.reason, e.line]), [
    ['io', '`open().read` waits on I/O', 5],
    ['cpu-gil', 'a `for` loop over `rows` (data, by its name): about 24,000 operations per call', 6],
  ]);
});
