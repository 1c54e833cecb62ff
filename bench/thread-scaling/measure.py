"""Measures throughput scaling of each workload: 2 threads vs 1, 2 processes vs 1 (min of repeats)."""
import os, sys, time, threading, multiprocessing as mp
sys.path.insert(0, os.path.dirname(__file__))
import numpy as np
import funcs

PATH = "/tmp/gil-audit-scaling-blob.bin"
if not os.path.exists(PATH):
    with open(PATH, "wb") as fh:
        fh.write(os.urandom(64 * 1024 * 1024))
LINES = [f'{{"user": "u{i}", "amount": {i}, "tags": ["a", "b"]}}' for i in range(200_000)]
LOG = [f"user{i % 97} {i} ok" for i in range(300_000)]
RECORDS = [(f"k{i}", (i * 7919) % 100_003) for i in range(400_000)]
BLOBS = [os.urandom(1 << 20) for _ in range(40)]
PAYLOAD = os.urandom(8 << 20)
A = np.random.rand(700, 700); B = np.random.rand(700, 700)

WORK = {
    "sum_squares": lambda: funcs.sum_squares(3_000_000),
    "count_primes": lambda: funcs.count_primes(60_000),
    "fib": lambda: funcs.fib(25),
    "decode_lines": lambda: funcs.decode_lines(LINES),
    "parse_log": lambda: funcs.parse_log(LOG),
    "sort_records": lambda: funcs.sort_records(RECORDS),
    "digest_blobs": lambda: funcs.digest_blobs(BLOBS),
    "deflate": lambda: funcs.deflate(PAYLOAD),
    "matmul": lambda: [funcs.matmul(A, B) for _ in range(6)],
    "derive_key": lambda: funcs.derive_key(b"pw", b"salt"),
    "pause": lambda: funcs.pause(0.4),
    "read_file": lambda: funcs.read_file(PATH),
}

def run_threads(fn, n):
    ts = [threading.Thread(target=fn) for _ in range(n)]
    s = time.perf_counter()
    for t in ts: t.start()
    for t in ts: t.join()
    return time.perf_counter() - s

def run_procs(fn, n):
    ps = [mp.Process(target=fn) for _ in range(n)]
    s = time.perf_counter()
    for p in ps: p.start()
    for p in ps: p.join()
    return time.perf_counter() - s

if __name__ == "__main__":
    mp.set_start_method("fork")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    names = sys.argv[1:] or list(WORK)
    print(f"{'function':14} {'1 thread s':>10} {'2 threads s':>11} {'2 procs s':>9} {'thread x':>8} {'proc x':>6}")
    for name in names:
        fn = WORK[name]
        fn()  # warm up
        t1 = min(run_threads(fn, 1) for _ in range(3))
        t2 = min(run_threads(fn, 2) for _ in range(3))
        p2 = min(run_procs(fn, 2) for _ in range(3))
        # throughput speed-up: twice the work in t2 versus once in t1
        print(f"{name:14} {t1:10.3f} {t2:11.3f} {p2:9.3f} {2 * t1 / t2:8.2f} {2 * t1 / p2:6.2f}", flush=True)
