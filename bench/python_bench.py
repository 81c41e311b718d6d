#!/usr/bin/env python3
"""bench/python_bench.py — the Python package side by side with NFStream 6.6.0.

One run, rounds alternating between the tools:
  * to_pandas() with default parameters: nfdataset, NFStream n_meters=1, NFStream default;
  * iteration (`for flow in streamer`, touching one attribute per flow), same tools;
  * the same with one Python on_update plugin (one size comparison per packet);
  * peak memory of nfdataset's to_pandas() on a capture of N concurrent flows
    (bench/genflows, default 1 M), beside the DataFrame's own size.

Usage: python3 bench/python_bench.py [--pcap PCAP] [--rounds N] [--flows N] [--skip-memory]
       (PCAP default bench/out/bench.pcap, the shared benchmark capture of bench/run.sh;
        pip install ./python and nfstream==6.6.0 first). Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

RUN = r"""
import json, resource, sys, time
which, pcap, plugin, kw, how = sys.argv[1], sys.argv[2], sys.argv[3] == "1", json.loads(sys.argv[4]), sys.argv[5]
mod = __import__(which)
class SizeMatches(mod.NFPlugin):
    # One comparison per packet: how many of the flow's packets have the size.
    def on_init(self, packet, flow):
        flow.udps.size_matches = int(packet.raw_size == self.size)
    def on_update(self, packet, flow):
        flow.udps.size_matches += packet.raw_size == self.size
if plugin:
    kw["udps"] = SizeMatches(size=555)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
if how == "iter":
    rows, total = 0, 0
    for flow in mod.NFStreamer(source=pcap, **kw):
        rows += 1
        total += flow.bidirectional_bytes
    wall = time.perf_counter() - t
    print(json.dumps({"wall": wall, "rows": rows, "total_bytes": total}))
    sys.exit(0)
df = mod.NFStreamer(source=pcap, **kw).to_pandas()
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "rows": len(df), "cols": df.shape[1],
                  "df_bytes": int(df.memory_usage(deep=True).sum()),
                  "base_kib": base,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "child_peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def run(which: str, pcap: str, plugin: bool, how: str = "pandas", **kw) -> dict:
    out = subprocess.run([sys.executable, "-c", RUN, which, pcap, "1" if plugin else "0", json.dumps(kw), how],
                         check=True, capture_output=True, text=True, cwd=tempfile.gettempdir())
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcap", default=str(REPO / "bench" / "out" / "bench.pcap"))
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--flows", type=int, default=1_000_000)
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-plugin", action="store_true")
    ap.add_argument("--skip-iteration", action="store_true")
    args = ap.parse_args()

    tools = [("nfdataset", {}), ("nfstream", {"n_meters": 1}), ("nfstream", {})]
    runs = [(False, "pandas")]
    if not args.skip_iteration:
        runs.append((False, "iter"))
    if not args.skip_plugin:
        runs.append((True, "pandas"))
    cases = [(which, plugin, how, kw) for plugin, how in runs for which, kw in tools]
    results: dict = {}
    # Read the capture once so that the first tool does not pay for the disk.
    with open(args.pcap, "rb") as f:
        while f.read(1 << 24):
            pass
    for _ in range(args.rounds):
        for which, plugin, how, kw in cases:
            key = (which, plugin, how, json.dumps(kw))
            r = run(which, args.pcap, plugin, how, **kw)
            results.setdefault(key, []).append(r)
            print(f"  {which:9s} {how:6s} plugin={plugin!s:5s} {kw!s:16s} {r['wall']:8.2f} s  {r['rows']} flows", file=sys.stderr)
    for how in ("iter",):
        # Both tools must have met the same flows.
        seen = {(r["rows"], r.get("total_bytes")) for k, rs in results.items() if k[2] == how for r in rs}
        if len(seen) > 1:
            print(f"  warning: {how} runs disagree on flows/bytes: {sorted(seen)}", file=sys.stderr)

    def best(which, plugin, how, kw):
        return min(r["wall"] for r in results[(which, plugin, how, json.dumps(kw))])

    if args.rounds == 0:
        cases = []
    print(f"capture: {args.pcap}  rounds: {args.rounds} (best of)")
    print("| run | nfdataset s | NFStream n_meters=1 s | NFStream default s | speed-up vs n_meters=1 | vs default |")
    print("|---|---|---|---|---|---|")
    labels = {(False, "pandas"): "to_pandas(), default parameters",
              (False, "iter"): "for flow in streamer, default parameters",
              (True, "pandas"): "to_pandas() + one Python on_update plugin"}
    for plugin, how in ([] if not cases else runs):
        ours = best("nfdataset", plugin, how, {})
        one = best("nfstream", plugin, how, {"n_meters": 1})
        dflt = best("nfstream", plugin, how, {})
        label = labels[(plugin, how)]
        print(f"| {label} | {ours:.2f} | {one:.2f} | {dflt:.2f} | {one / ours:.1f}× | {dflt / ours:.1f}× |")

    if args.skip_memory:
        return
    flows = Path(tempfile.gettempdir()) / f"nfdataset-genflows-{args.flows}.pcap"
    if not flows.exists():
        subprocess.run(["go", "run", "./bench/genflows", "-n", str(args.flows), "-o", str(flows)], check=True, cwd=REPO)
    r = run("nfdataset", str(flows), False)
    df_mib = r["df_bytes"] / 2**20
    peak_mib = r["peak_kib"] / 1024
    base_mib = r["base_kib"] / 1024
    print(f"\nmemory, to_pandas() on {flows.name}: {r['rows']} flows × {r['cols']} columns")
    print(f"  DataFrame (memory_usage(deep=True)): {df_mib:.0f} MiB")
    print(f"  Python process peak RSS: {peak_mib:.0f} MiB (after imports {base_mib:.0f} MiB;"
          f" growth {peak_mib - base_mib:.0f} MiB = {(peak_mib - base_mib) / df_mib:.2f}× the DataFrame)")
    print(f"  Go meter process peak RSS: {r['child_peak_kib'] / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
