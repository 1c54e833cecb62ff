"""Twelve small workloads whose thread scaling is measured (1 thread, 2 threads, 2 processes)."""
import hashlib
import json
import os
import re
import time
import zlib

import numpy as np

LINE = re.compile(r"^(\w+) (\d+) (\w+)$")


def sum_squares(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def count_primes(n):
    count = 0
    for k in range(2, n):
        for d in range(2, int(k ** 0.5) + 1):
            if k % d == 0:
                break
        else:
            count += 1
    return count


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def decode_lines(lines):
    return [json.loads(line) for line in lines]


def parse_log(lines):
    counts = {}
    for line in lines:
        m = LINE.match(line)
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + int(m.group(2))
    return counts


def sort_records(records):
    return sorted(records, key=lambda r: (r[1], r[0]))


def digest_blobs(blobs):
    return [hashlib.sha256(blob).hexdigest() for blob in blobs]


def deflate(payload):
    return zlib.compress(payload, 6)


def matmul(a, b):
    return np.dot(a, b)


def derive_key(password, salt):
    return hashlib.pbkdf2_hmac("sha256", password, salt, 200_000)


def pause(seconds):
    time.sleep(seconds)


def read_file(path):
    with open(path, "rb") as fh:
        return len(fh.read())
