/**
 * Writes a deterministic synthetic Python project of about N lines, for the benchmark: a package
 * tree `synth/pA/sB/mC.py` (ten modules per subpackage, ten subpackages per package, `__init__.py`
 * in each) whose modules import earlier ones (absolute and relative imports, modules and names),
 * define classes with `self.` attributes and methods, subclasses of imported classes, helpers that
 * block (`time.sleep`, `requests.get`, `open(...).read()`, `sqlite3.connect(...).execute`), loops
 * over query rows and file lines, comprehensions, threads and executor submissions, and FastAPI
 * `async def` handlers that call those helpers across modules, so that graph resolution,
 * classification and the rules all do representative work and the audit reports findings.
 * The same N writes byte-identical files (a seeded PRNG, no clock, no Math.random).
 *
 * Usage: `node dist/bench/generate.js DIR [LINES]`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** mulberry32: a small seeded PRNG; returns integers in [0, n). */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** Module i lives at synth/p{i/100}/s{i/10%10}/m{i%10}. */
const parts = (i: number) => ({ p: Math.floor(i / 100), s: Math.floor(i / 10) % 10, m: i % 10 });
const dotted = (i: number) => { const { p, s, m } = parts(i); return `synth.p${p}.s${s}.m${m}`; };

/** An earlier module this one imports: `alias` when imported as a module, else its names are imported. */
interface Dep { j: number; alias?: string }

const BLOCKING = [
  (i: number) => [`    time.sleep(0.01)`, `    return {"key": key, "module": ${i}}`],
  (i: number) => [`    response = requests.get(f"https://api.example.com/m${i}/{key}", timeout=5)`, `    return response.json()`],
  () => [`    text = open(os.path.join(DATA_DIR, f"{key}.txt")).read()`, `    return text.splitlines()`],
  () => [
    `    rows = sqlite3.connect(DB_PATH).execute("SELECT id, value FROM items WHERE key = ?", (key,)).fetchall()`,
    `    return [{"id": row[0], "value": row[1]} for row in rows]`,
  ],
];

/** The import lines for module i's dependencies. */
function importLines(i: number, deps: Dep[]): string[] {
  const me = parts(i);
  return deps.map((d) => {
    const { p, s, m } = parts(d.j);
    const names = `load_${d.j}, Service${d.j}`;
    if (p === me.p && s === me.s) return d.alias ? `from . import m${m} as ${d.alias}` : `from .m${m} import ${names}`;
    if (p === me.p) return d.alias ? `from ..s${s} import m${m} as ${d.alias}` : `from ..s${s}.m${m} import ${names}`;
    return d.alias ? `import ${dotted(d.j)} as ${d.alias}` : `from ${dotted(d.j)} import ${names}`;
  });
}

/** One module's text, of about `target` lines. */
function moduleText(i: number, target: number, rand: (n: number) => number): string {
  const deps: Dep[] = [];
  const wanted = i === 0 ? 0 : 1 + rand(3);
  for (let k = 0; k < wanted; k++) {
    // A sibling, a cousin in the same package, or any earlier module.
    const pick = rand(3);
    const base = pick === 0 ? i - (i % 10) : pick === 1 ? i - (i % 100) : 0;
    const j = base + rand(i - base);
    if (j < i && !deps.some((d) => d.j === j)) deps.push({ j, ...(rand(2) ? { alias: `dep${k}` } : {}) });
  }
  const ref = (d: Dep, name: string) => (d.alias ? `${d.alias}.${name}` : name);
  const dep = () => deps[rand(deps.length)];
  const out: string[] = [
    `"""Module ${i} of the synthetic benchmark project: records, services and handlers."""`,
    `import asyncio`, `import logging`, `import os`, `import sqlite3`, `import threading`, `import time`,
    `from concurrent.futures import ThreadPoolExecutor`, ``, `import requests`, ``,
    `from synth.web import app`, ...importLines(i, deps), ``,
    `log = logging.getLogger(__name__)`, `DATA_DIR = "/var/lib/synth/m${i}"`, `DB_PATH = os.path.join(DATA_DIR, "m${i}.db")`, ``, ``,
    `def load_${i}(key):`, `    """Loads the record \`key\` of module ${i}."""`, ...BLOCKING[rand(BLOCKING.length)](i), ``, ``,
    `def compute_${i}(values):`, `    # Pure work: squares of the even values, and their total.`,
    `    squares = [v * v for v in values if v % 2 == 0]`, `    return sum(squares), len(squares)`, ``, ``,
    `class Service${i}:`, `    """Caches the records of module ${i}."""`, ``,
    `    def __init__(self, name):`, `        self.name = name`, `        self.count = 0`, `        self.items = []`, ``,
    `    def refresh(self, key):`, `        self.items = load_${i}(key)`, `        self.count += len(self.items)`, `        return self.items`, ``,
    `    def summary(self):`, `        return {str(k): v for k, v in enumerate(self.items)}`, ``, ``,
  ];
  for (let n = 0; out.length < target; n++) {
    const d = deps.length ? dep() : undefined;
    const helper = d ? ref(d, `load_${d.j}`) : `load_${i}`;
    const service = d ? ref(d, `Service${d.j}`) : `Service${i}`;
    switch (rand(9)) {
      case 0: {
        const floor = rand(100);
        out.push(
          `def total_${n}(db_path):`, `    """Sums the values above ${floor} of every row."""`, `    conn = sqlite3.connect(db_path)`, `    total = 0`,
          `    for row in conn.execute("SELECT value FROM items"):`, `        if row[0] > ${floor}:`, `            total += row[0]`,
          `    conn.close()`, `    return total`,
        );
        break;
      }
      case 1:
        out.push(
          `def count_lines_${n}(path):`, `    # Counts the non-blank lines of a file.`, `    count = 0`, `    with open(path) as fh:`,
          `        for line in fh:`, `            if line.strip():`, `                count += 1`, `    return count`,
        );
        break;
      case 2:
        out.push(
          `def transform_${n}(items):`, `    squares = [x * x for x in items if x % ${2 + rand(7)} == 0]`,
          `    index = {x: pos for pos, x in enumerate(squares)}`, `    pairs = sorted((v, k) for k, v in index.items())`,
          `    return sum(squares) + len(pairs)`,
        );
        break;
      case 3:
        out.push(
          `@app.get("/m${i}/items/${n}")`, `async def get_items_${n}(key: str):`, `    """Returns the items of \`key\`."""`,
          `    data = ${helper}(key)`, `    return {"items": data, "count": len(data)}`,
        );
        break;
      case 4:
        out.push(
          `@app.post("/m${i}/refresh/${n}")`, `async def refresh_${n}(key: str):`, `    service = ${service}("m${i}")`,
          [
            `    time.sleep(0.05)  # waits for the upstream to settle`,
            `    requests.get(f"https://api.example.com/m${i}/ping", timeout=1)`,
            `    await asyncio.sleep(0.05)`,
            `    await asyncio.sleep(0.05)`,
          ][rand(4)],
          `    items = service.refresh(key)`, `    return {"count": service.count, "first": items[:1]}`,
        );
        break;
      case 5:
        out.push(
          `@app.get("/m${i}/offloaded/${n}")`, `async def offloaded_${n}(key: str):`, `    # Runs the blocking helper on a thread.`,
          `    data = await asyncio.to_thread(${helper}, key)`, `    return {"items": data}`,
        );
        break;
      case 6:
        out.push(
          `def start_workers_${n}(keys):`, `    threads = [threading.Thread(target=load_${i}, args=(k,), daemon=True) for k in keys]`,
          `    for t in threads:`, `        t.start()`, `    return threads`, ``, ``,
          `def fetch_all_${n}(keys):`, `    pool = ThreadPoolExecutor(max_workers=${2 + rand(7)})`,
          `    futures = [pool.submit(${helper}, k) for k in keys]`, `    return [f.result() for f in futures]`,
        );
        break;
      case 7:
        out.push(
          `class Cached${n}(${service}):`, `    """A service that keeps its results per key."""`, ``,
          `    def __init__(self, name):`, `        super().__init__(name)`, `        self.lock = threading.Lock()`, `        self.by_key = {}`, ``,
          `    def warm(self, keys):`, `        for key in keys:`, `            with self.lock:`, `                self.by_key[key] = self.refresh(key)`,
          `        return len(self.by_key)`,
        );
        break;
      default:
        out.push(
          `_RESULTS_${n} = []`, ``, ``, `def _collect_${n}(key):`, `    _RESULTS_${n}.append(load_${i}(key))`, ``, ``,
          `def run_${n}(keys):`, `    # One thread per key, all appending to the module's list.`,
          `    for key in keys:`, `        threading.Thread(target=_collect_${n}, args=(key,)).start()`, `    return _RESULTS_${n}`,
        );
    }
    out.push(``, ``);
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Writes the project into `dir`; returns the files and lines written. */
export function generateProject(dir: string, lines = 2_000_000, seed = 1): { files: number; lines: number } {
  const rand = prng(seed);
  let files = 0;
  let written = 0;
  const write = (rel: string, text: string) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
    files++;
    written += text.split('\n').length - 1;
  };
  write('synth/__init__.py', '"""A synthetic project for the gil-audit benchmark."""\n');
  write('synth/web.py', '"""The web application every module registers its handlers on."""\nfrom fastapi import FastAPI\n\napp = FastAPI()\n');
  for (let i = 0; written < lines; i++) {
    const { p, s, m } = parts(i);
    if (s === 0 && m === 0) write(`synth/p${p}/__init__.py`, `"""Package ${p}."""\n`);
    if (m === 0) write(`synth/p${p}/s${s}/__init__.py`, `"""Subpackage ${p}.${s}."""\nfrom .m0 import load_${i}\n\n__all__ = ["load_${i}"]\n`);
    write(`synth/p${p}/s${s}/m${m}.py`, moduleText(i, 150 + rand(350), rand));
  }
  return { files, lines: written };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, lines] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: node dist/bench/generate.js DIR [LINES]\n');
    process.exitCode = 2;
  } else {
    const made = generateProject(dir, lines ? Number(lines) : undefined);
    process.stdout.write(`${made.files} files, ${made.lines} lines in ${dir}\n`);
  }
}
