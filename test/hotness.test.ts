/**
 * Hotness: estimated work times how often a function runs. A worker thread's per-frame loop and a
 * heavy request handler outrank a trivial handler; start-up hooks and `__main__` code rank low.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditFiles } from './helpers/fixtures.js';

const files = new Map([
  ['svc/pipeline.py', `import threading


def detect(frame):
    hits = []
    for y in range(len(frame)):
        for x in range(len(frame[y])):
            if frame[y][x] > 200 and frame[y][x - 1] < 50:
                hits.append((x, y))
    return hits


class Pipeline(threading.Thread):
    def __init__(self, camera):
        super().__init__(daemon=True)
        self.camera = camera

    def run(self):
        while not self.stopped:
            frame = self.camera.grab()
            detect(frame)
`],
  ['svc/api.py', `from fastapi import FastAPI

from svc.pipeline import detect

app = FastAPI()


def build_index(rows):
    index = {}
    for row in rows:
        for token in row.split():
            index[token] = index.get(token, 0) + len(token) * 2
    return index


@app.on_event("startup")
def warm_up():
    build_index(open("corpus.txt").read().splitlines())


@app.get("/health")
def health():
    return {"ok": True}


@app.post("/detect")
def detect_route(frame: list):
    return {"hits": detect(frame)}


def main(rows):
    build_index(rows)


if __name__ == "__main__":
    main([])
`],
]);

test('per-frame worker loops and heavy handlers outrank trivial handlers; start-up code ranks low', async () => {
  const run = await auditFiles(files);
  const hot = new Map((run.functions ?? []).map((f) => [f.qualname, f.hotness]));
  const get = (name: string) => {
    assert.ok(hot.has(name), `${name} is profiled`);
    return hot.get(name)!;
  };
  assert.ok(get('svc.pipeline.Pipeline.run') > get('svc.api.health'), 'the worker loop outranks a trivial handler');
  assert.ok(get('svc.api.detect_route') > get('svc.api.health'), 'a heavy handler outranks a trivial one');
  assert.ok(get('svc.pipeline.Pipeline.run') >= 70, 'the worker loop is near the top');
  assert.ok(get('svc.api.warm_up') < 20, 'a startup hook ranks low');
  assert.ok(get('svc.api.main') < get('svc.api.detect_route'), '__main__ code ranks below request work');
  assert.ok(get('svc.api.health') < 40, 'a trivial handler is not hot');
  const top = (run.functions ?? []).slice(0, 3).map((f) => f.qualname);
  assert.ok(top.includes('svc.pipeline.Pipeline.run'), `the pipeline is among the three hottest: ${top.join(', ')}`);
});
