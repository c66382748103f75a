#!/usr/bin/env python3
"""Summarises the last `cargo bench --bench codec` run as a Markdown table,
and checks it against the crate's performance bars.

Reads criterion's estimates under target/criterion and prints, for each
group and data set, the throughput of lineproto and influxdb-line-protocol,
their ratio, and (for the parse groups) lineproto's share of the
byte-class scan over the same bytes.

With --alarm it then lists every figure below half its bar (a regression
alarm) and, with --alarm=fail, exits with status 1 if a ratio to
influxdb-line-protocol, an `arrow` share of `next_into`, or a
`parallel` speedup over `next_into`, or an `async_stream` share of
`Stream`, is among them. The bars:

- parse and parse_reuse: 8x influxdb-line-protocol (6x on `escapes`);
- parse and parse_reuse on tsbs-cpu and telegraf: 35% of the byte-class
  scan;
- write: 5x influxdb-line-protocol's builder;
- arrow: 5x the baseline that parses with influxdb-line-protocol and
  appends to Arrow builders, and 50% of the throughput of `next_into` on
  the same bytes;
- async_stream: `AsyncStream` at 90% of the throughput of `Stream` on the
  same bytes, delivered in 1,460-byte and 64 KiB reads;
- parallel (on this 2-core machine): 1.8x the throughput of `next_into`
  on one thread, on home, tsbs-cpu and telegraf at 256 MiB; on
  `strings`, where every cut falls inside a string, at least 1/1.1 of it
  (no more than 1.1x its time). `out-of-step`, where a parse begun inside
  a string never gets back in step, falls short of that bar and is
  reported, not failed.

The share of the byte-class scan is listed but never fails the run: it
stands at 17-24% in a short pass, about half its bar, so machine noise
alone would trip it. The arrow figures of `escapes`, which fall short of
their bars, alarm below 15% of next_into and 2x the baseline (see
below). The other ratios stand well above half their bars.
"""
import glob
import json
import os
import sys

args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
alarm = next((arg for arg in sys.argv[1:] if arg.startswith("--alarm")), None)
root = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "target", "criterion")
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

below = []
# Listed below half their bar, but never a failure (see above).
noted = []
print("| group | data | lineproto | influxdb-line-protocol | ratio | share of byte-class scan |")
print("|---|---|--:|--:|--:|--:|")
for (group, data, crate), (rate, unit) in sorted(rows.items()):
    if crate != "lineproto" or group not in ("parse", "parse_reuse", "write", "stream"):
        continue
    # parse_reuse and stream have no counterpart: compare them with the
    # other crate's parse.
    other = rows.get((group, data, "influxdb-line-protocol")) or rows.get(("parse", data, "influxdb-line-protocol"))
    other_text = f"{other[0]:,.1f} {other[1]}" if other else ""
    ratio = rate / other[0] if other else None
    scan = rows.get(("parse", data, "byte-class-scan")) if group in ("parse", "parse_reuse") else None
    share = rate / scan[0] if scan else None
    ratio_text = f"{ratio:.1f}x" if ratio is not None else ""
    share_text = f"{100 * share:.0f}%" if share is not None else ""
    print(f"| {group} | {data} | {rate:,.1f} {unit} | {other_text} | {ratio_text} | {share_text} |")
    if group in ("parse", "parse_reuse") and ratio is not None:
        bar = 6.0 if data.startswith("escapes") else 8.0
        if ratio < bar / 2:
            below.append(f"{group} {data}: {ratio:.1f}x influxdb-line-protocol, bar {bar:.0f}x")
        if share is not None and data.split("-")[0] in ("tsbs", "telegraf") and share < 0.35 / 2:
            noted.append(f"{group} {data}: {100 * share:.0f}% of the byte-class scan, bar 35%")
    if group == "write" and ratio is not None and ratio < 5.0 / 2:
        below.append(f"{group} {data}: {ratio:.1f}x influxdb-line-protocol, bar 5x")

arrow = sorted((data, rate) for (group, data, crate), (rate, _) in rows.items()
               if group == "arrow" and crate == "lineproto")
if arrow:
    print()
    print("| arrow | lineproto | next_into | share of next_into | influxdb-line-protocol | ratio | convert_parallel | speedup |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
for data, rate in arrow:
    parse = rows.get(("arrow", data, "next_into"))
    other = rows.get(("arrow", data, "influxdb-line-protocol"))
    cores = rows.get(("arrow", data, "parallel"))
    share = rate / parse[0] if parse else None
    ratio = rate / other[0] if other else None
    cells = [
        f"{parse[0]:,.1f} MB/s" if parse else "",
        f"{100 * share:.0f}%" if share is not None else "",
        f"{other[0]:,.1f} MB/s" if other else "",
        f"{ratio:.1f}x" if ratio is not None else "",
        f"{cores[0]:,.1f} MB/s" if cores else "",
        f"{cores[0] / rate:.2f}x" if cores else "",
    ]
    print(f"| {data} | {rate:,.1f} MB/s | " + " | ".join(cells) + " |")
    # `escapes` does not meet its bars (README, "Into Arrow"): it has
    # measured 21-36% of next_into and 2.7-5.2x, so half the bars would
    # alarm on machine noise alone. It alarms below 15% and 2x instead,
    # which a regression would cross and noise has not.
    share_floor, ratio_floor = (0.15, 2.0) if data.startswith("escapes") else (0.25, 2.5)
    if ratio is not None and ratio < ratio_floor:
        below.append(f"arrow {data}: {ratio:.1f}x the influxdb-line-protocol baseline, bar 5x")
    if share is not None and share < share_floor:
        below.append(f"arrow {data}: {100 * share:.0f}% of next_into, bar 50%")

parallel = sorted((data, rate) for (group, data, crate), (rate, _) in rows.items()
                  if group == "parallel" and crate == "lineproto")
if parallel:
    print()
    print("| parallel | lineproto (all cores) | next_into (one thread) | speedup | bar | two threads, one half each |")
    print("|---|--:|--:|--:|--:|--:|")
for data, rate in parallel:
    single = rows.get(("parallel", data, "next_into"))
    halves = rows.get(("parallel", data, "two-threads"))
    speedup = rate / single[0] if single else None
    bar = 1 / 1.1 if data.startswith(("strings", "out-of-step")) else 1.8
    cells = [
        f"{single[0]:,.1f} MB/s" if single else "",
        f"{speedup:.2f}x" if speedup is not None else "",
        f"{bar:.2f}x",
        f"{halves[0] / single[0]:.2f}x" if halves and single else "",
    ]
    print(f"| {data} | {rate:,.1f} MB/s | " + " | ".join(cells) + " |")
    if speedup is not None and speedup < bar / 2:
        below.append(f"parallel {data}: {speedup:.2f}x next_into, bar {bar:.2f}x")

streams = sorted((data, rate) for (group, data, crate), (rate, _) in rows.items()
                 if group == "async_stream" and crate == "lineproto")
if streams:
    print()
    print("| async_stream | AsyncStream | Stream | share of Stream | bar |")
    print("|---|--:|--:|--:|--:|")
for data, rate in streams:
    sync = rows.get(("async_stream", data, "Stream"))
    share = rate / sync[0] if sync else None
    cells = [
        f"{sync[0]:,.1f} MB/s" if sync else "",
        f"{100 * share:.0f}%" if share is not None else "",
        "90%",
    ]
    print(f"| {data} | {rate:,.1f} MB/s | " + " | ".join(cells) + " |")
    if share is not None and share < 0.9 / 2:
        below.append(f"async_stream {data}: {100 * share:.0f}% of Stream, bar 90%")

if alarm:
    print()
    if below:
        print("Below half their bar:")
        for line in below:
            print(f"- {line}")
    else:
        print("Every ratio to influxdb-line-protocol is at least half its bar.")
    if noted:
        print("Below half their bar, known and reported, not failed:")
        for line in noted:
            print(f"- {line}")
    if below and alarm == "--alarm=fail":
        # The benchmarks to measure again: each alarming group and data
        # set, with the parse group's figures that parse_reuse is compared
        # with (see .ci/bench).
        again = set()
        for line in below:
            group, data = line.split(":")[0].split(" ")
            again.add(f"^{group}/[^/]+/{data}$")
            if group == "parse_reuse":
                again.add(f"^parse/[^/]+/{data}$")
        with open(os.path.join(root, "..", "bench-alarms"), "w") as out:
            out.write("|".join(sorted(again)))
        sys.exit(1)
