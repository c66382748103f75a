#!/usr/bin/env python3
"""Summarises the last `cargo bench --bench codec` run as a Markdown table.

Reads criterion's estimates under target/criterion and prints, for each
group and data set, the throughput of lineproto and influxdb-line-protocol,
their ratio, and (for the parse groups) lineproto's share of the
byte-class scan over the same bytes.
"""
import glob
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "target", "criterion")
rows = {}
for estimates in glob.glob(os.path.join(root, "*", "*", "*", "new", "estimates.json")):
    folder = os.path.dirname(estimates)
    bench = json.load(open(os.path.join(folder, "benchmark.json")))
    mean_ns = json.load(open(estimates))["mean"]["point_estimate"]
    throughput = bench.get("throughput") or {}
    if "Bytes" in throughput:
        rate, unit = throughput["Bytes"] / mean_ns * 1e3, "MB/s"
    elif "Elements" in throughput:
        rate, unit = throughput["Elements"] / mean_ns * 1e3, "M points/s"
    else:
        continue
    rows[(bench["group_id"], bench["value_str"], bench["function_id"])] = (rate, unit)

print("| group | data | lineproto | influxdb-line-protocol | ratio | share of byte-class scan |")
print("|---|---|--:|--:|--:|--:|")
for (group, data, crate), (rate, unit) in sorted(rows.items()):
    if crate != "lineproto":
        continue
    # parse_reuse has no counterpart: compare it with the other crate's parse.
    other = rows.get((group, data, "influxdb-line-protocol")) or rows.get(("parse", data, "influxdb-line-protocol"))
    other_text = f"{other[0]:,.1f} {other[1]}" if other else ""
    ratio = f"{rate / other[0]:.1f}x" if other else ""
    scan = rows.get(("parse", data, "byte-class-scan")) if group in ("parse", "parse_reuse") else None
    share = f"{100 * rate / scan[0]:.0f}%" if scan else ""
    print(f"| {group} | {data} | {rate:,.1f} {unit} | {other_text} | {ratio} | {share} |")
