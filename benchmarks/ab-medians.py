#!/usr/bin/env python3
"""Reads the output of benchmarks/ab-harness.sh: per case, the median over all its runs of each side, and the change.

    python3 benchmarks/ab-medians.py OUTPUT.txt

Prints a Markdown table (ms): before, after, after against before. Standard library only.
"""
import collections
import json
import statistics
import sys

ROWS = [
    ("save", "1073741824", "ours_ms", "save 1 GiB"),
    ("save", "1073741824", "durable_ms", "durable save 1 GiB"),
    ("load", "1073741824", "ours_ms", "full load 1 GiB (new arrays)"),
    ("load", "1073741824", "into_ms", "LoadInto a ready 1 GiB model"),
    ("lazy", "104857600", "ours_ms", "lazy open + 4 MiB, 100 MiB file"),
    ("lazy-large", "4294967296", "ours_ms", "lazy open + 4 MiB, 4 GiB file of 128 arrays"),
    ("lazy", "4294967296", "ours_ms", "lazy open + 4 MiB, 4 GiB file of 1024 arrays"),
    ("tutorial", "0", "ours_ms", "tutorial save + load"),
]


def main(path):
    runs = collections.defaultdict(list)
    with open(path, encoding="utf-8") as output:
        for line in output:
            if "RESULT" not in line:
                continue
            _, side, name, size = line.split()[:4]
            runs[(name, size, side)].append(json.loads(line[line.index("{"):]))

    print("| case | before | after | change | runs |")
    print("| --- | --- | --- | --- | --- |")
    for name, size, key, label in ROWS:
        before = [run[key] for run in runs[(name, size, "before")]]
        after = [run[key] for run in runs[(name, size, "after")]]
        if not before or not after:
            continue
        b, a = statistics.median(before), statistics.median(after)
        print(f"| {label} | {b:.3g} | {a:.3g} | {100 * (a / b - 1):+.0f}% | {len(before)} / {len(after)} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: ab-medians.py OUTPUT.txt")
    main(sys.argv[1])
