#!/usr/bin/python3
"""Median step times of ganlab and PyTorch over alternated rounds, and their ratio.

Usage: summarize.py WORKLOAD DIR   (DIR holds ganlab-N.json and torch-N.json)
"""
import glob
import json
import statistics
import sys


def times(path, workload):
    with open(path) as f:
        doc = json.load(f)
    for r in doc["results"]:
        if r["name"] == workload:
            return r.get("iter_ms_all") or r["step_ms_all"], doc
    raise SystemExit("%s: no %s result" % (path, workload))


def main():
    workload, d = sys.argv[1], sys.argv[2]
    sides = {}
    for side in ("ganlab", "torch"):
        all_ms, per_round = [], []
        for p in sorted(glob.glob("%s/%s-*.json" % (d, side))):
            ms, doc = times(p, workload)
            all_ms += ms
            per_round.append(statistics.median(ms))
        if not all_ms:
            raise SystemExit("no %s results in %s" % (side, d))
        sides[side] = (statistics.median(all_ms), per_round, len(all_ms))
    g, t = sides["ganlab"], sides["torch"]
    print("%s: ganlab median %.1f ms (rounds %s, n=%d) | pytorch median %.1f ms (rounds %s, n=%d) | ratio %.2f" % (
        workload, g[0], " ".join("%.0f" % x for x in g[1]), g[2],
        t[0], " ".join("%.0f" % x for x in t[1]), t[2], g[0] / t[0]))


if __name__ == "__main__":
    main()
