#!/usr/bin/env python3
"""64 writers at once against the `ingest` example: no point lost, and a
request's memory does not grow with its body.

    python3 .ci/ingest-load.py PATH/TO/ingest [--writers 64] [--quick]

Two runs, each on a fresh server started on a free port:

1. Every point kept: each writer sends its bodies of distinct points (its
   own tag, one timestamp per line) over one kept-alive connection, every
   other body gzip-compressed; then the points are read back with
   `query_lp` and counted per writer.
2. Memory per request: for each body size, the writers each send one body
   of that size at once, of lines that all update the same few points, so
   the store stays small while the bodies are large. The server's peak
   resident memory (VmHWM) is read after each size. Were bodies buffered,
   the peak would grow by about writers x size from one size to the next.

Prints a table and exits 1 if a point is lost, a write fails, or the peak
grows with the body size by more than a quarter of what buffering would
take. Linux only (it reads /proc). Called by .ci/run; runs alone too.
"""

import argparse
import gzip
import http.client
import subprocess
import sys
import threading
import time

TOKEN = "ingest-load-token"


def start(binary, extra):
    server = subprocess.Popen(
        [binary, "--addr", "127.0.0.1:0", "--token", TOKEN, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    first = server.stdout.readline().strip()
    prefix = "ingest: listening on http://"
    if not first.startswith(prefix):
        server.kill()
        sys.exit(f"ingest-load: unexpected first line {first!r}")
    host, port = first[len(prefix) :].rsplit(":", 1)
    return server, host, int(port)


def peak_memory(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


def post(connection, target, body, compressed):
    headers = {"Authorization": f"Token {TOKEN}"}
    if compressed:
        body = gzip.compress(body, compresslevel=1)
        headers["Content-Encoding"] = "gzip"
    connection.request("POST", target, body=body, headers=headers)
    reply = connection.getresponse()
    text = reply.read()
    return reply.status, text


def run_writers(count, work):
    errors = []

    def guarded(writer):
        try:
            work(writer)
        except Exception as err:  # reported below, with the writer
            errors.append(f"writer {writer}: {err!r}")

    threads = [threading.Thread(target=guarded, args=(w,)) for w in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def every_point_kept(binary, extra, writers, bodies, lines):
    server, host, port = start(
        binary, ["--max-memory-bytes", str(8 << 30), "--max-read-rows", str(1 << 30),
                 "--max-read-bytes", str(4 << 30), *extra]
    )
    try:
        def work(writer):
            connection = http.client.HTTPConnection(host, port, timeout=120)
            for body in range(bodies):
                start_time = (body * lines) + 1
                text = "".join(
                    f"load,writer=w{writer},room=Living\\ Room temp={21 + i % 7}.5,"
                    f'note="é {i}",n={i}i {start_time + i}\n'
                    for i in range(lines)
                ).encode()
                status, reply = post(
                    connection, "/api/v2/write?bucket=load&precision=s", text, body % 2 == 1
                )
                if status != 204:
                    raise RuntimeError(f"body {body}: {status} {reply[:200]!r}")

        started = time.monotonic()
        errors = run_writers(writers, work)
        took = time.monotonic() - started
        connection = http.client.HTTPConnection(host, port, timeout=600)
        connection.request("GET", "/api/v3/query_lp?db=load",
                           headers={"Authorization": f"Token {TOKEN}"})
        stored = connection.getresponse().read().decode()
        per_writer = {}
        for line in stored.splitlines():
            if line.startswith("load,"):
                writer = line.split("writer=", 1)[1].split(" ", 1)[0].split(",", 1)[0]
                per_writer[writer] = per_writer.get(writer, 0) + 1
        expected = bodies * lines
        lost = sum(max(0, expected - per_writer.get(f"w{w}", 0)) for w in range(writers))
        return errors, writers * expected, writers * expected - lost, took
    finally:
        server.kill()
        server.wait()


def memory_per_request(binary, extra, writers, size_mib):
    server, host, port = start(binary, extra)
    try:
        line = 'load,room=Kitchen,sensor=s{} temp={}.5,note="{}" 1700000000\n'
        chunk = "".join(line.format(i % 16, i % 30, "ü" * (i % 40)) for i in range(2048))
        body = (chunk * ((size_mib << 20) // len(chunk) + 1)).encode()[: size_mib << 20]
        body = body[: body.rfind(b"\n") + 1]

        def work(writer):
            connection = http.client.HTTPConnection(host, port, timeout=300)
            status, reply = post(connection, f"/api/v2/write?bucket=m{writer % 4}", body, False)
            if status != 204:
                raise RuntimeError(f"{status} {reply[:200]!r}")

        started = time.monotonic()
        errors = run_writers(writers, work)
        return errors, peak_memory(server.pid), time.monotonic() - started
    finally:
        server.kill()
        server.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--writers", type=int, default=64)
    parser.add_argument("--quick", action="store_true", help="smaller runs, for CI")
    parser.add_argument("--server-args", default="", help="more arguments for the server")
    args = parser.parse_args()
    failed = []
    extra = args.server_args.split()

    bodies, lines = (4, 5_000) if args.quick else (12, 5_000)
    errors, sent, kept, took = every_point_kept(args.binary, extra, args.writers, bodies, lines)
    print(f"every point kept: {args.writers} writers x {bodies} bodies x {lines} lines: "
          f"{kept:,} of {sent:,} points kept, in {took:.1f} s")
    failed += errors
    if kept != sent:
        failed.append(f"{sent - kept} points lost")

    sizes = [1, 4, 16] if args.quick else [1, 4, 16, 32]
    print(f"\nmemory per request: {args.writers} writers, one body each at once")
    print("| body | all bodies | server peak memory | per writer | took |")
    print("|--:|--:|--:|--:|--:|")
    peaks = {}
    for size in sizes:
        errors, peak, took = memory_per_request(args.binary, extra, args.writers, size)
        failed += errors
        peaks[size] = peak
        print(f"| {size} MiB | {args.writers * size} MiB | {peak / 2**20:.0f} MiB "
              f"| {peak / args.writers / 2**20:.2f} MiB | {took:.1f} s |")
    smallest, largest = sizes[0], sizes[-1]
    growth = peaks[largest] - peaks[smallest]
    buffered = args.writers * (largest - smallest) << 20
    print(f"\npeak growth from {smallest} to {largest} MiB bodies: {growth / 2**20:.0f} MiB "
          f"(buffered bodies would add about {buffered / 2**20:.0f} MiB)")
    if growth > buffered / 4:
        failed.append("the peak memory grows with the body size")

    if failed:
        for failure in failed[:20]:
            print(f"ingest-load: FAILED: {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
