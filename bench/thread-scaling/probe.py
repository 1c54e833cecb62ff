"""GIL probe: while a workload runs on one thread, another thread wakes every 1 ms and records
how late it gets to run Python. A workload that holds the GIL makes it wait about the switch
interval (5 ms); one that releases the GIL (native code, waiting) lets it run at once."""
import os, statistics, sys, threading, time
sys.path.insert(0, os.path.dirname(__file__))
from measure import WORK

def probe(fn, repeat=3):
    lateness = []
    for _ in range(repeat):
        done = threading.Event()
        def work():
            fn()
            done.set()
        t = threading.Thread(target=work)
        t.start()
        while not done.is_set():
            s = time.perf_counter()
            time.sleep(0.001)
            lateness.append((time.perf_counter() - s - 0.001) * 1000)
        t.join()
    return statistics.median(lateness), len(lateness)

if __name__ == "__main__":
    print(f"{'function':14} {'median lateness ms':>18} {'samples':>8}")
    for name in (sys.argv[1:] or list(WORK)):
        fn = WORK[name]
        if name == "fib":
            fn = lambda: __import__("funcs").fib(27)
        med, n = probe(fn)
        print(f"{name:14} {med:18.2f} {n:8d}", flush=True)
