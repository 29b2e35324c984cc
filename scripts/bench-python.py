#!/usr/bin/env python3
"""Benchmark of the Python package against the `crawl` binary on the same generated site.

    python scripts/bench-python.py --crawl target/release/crawl \\
        --server target/release/fixture-server [--pages 10000] [--runs 3]

Run it with the Python that has crawlgraph installed (a release build: `pip install
./crawler-py`). Serves `fixture-server --synthetic PAGES` on 127.0.0.1, then alternates RUNS
times a `crawl` run and a `crawlgraph.crawl()` run, each in a process of its own, with the
same settings (the bench-e2e ones: depth 100, concurrency 64, per-host 64, budgets above the
site's size), and prints per run and as medians the wall time and CPU time (user + sys) of
each, and their ratio. `crawl` writes the JSON export to /dev/null; the Python run keeps the
graph in a CrawlResult. Then times `CrawlResult.to_networkx()` on the last Python run's
graph. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time


def settings(pages: int) -> dict:
    return {
        "depth": 100,
        "concurrency": 64,
        "per_host": 64,
        "max_nodes": 2 * pages + 1000,
        "max_edges": 100 * pages + 100000,
    }


def measured(argv: list[str]) -> tuple[float, float, bytes]:
    """Runs argv; its wall time, CPU time (user + sys) and stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


PYTHON_RUN = """
import json, sys, time
import crawlgraph
seed, options = sys.argv[1], json.loads(sys.argv[2])
result = crawlgraph.crawl(seed, **options)
print(json.dumps({"pages": len(result), "links": len(result.links) if %(links)s else 0,
                  "stopped": result.stopped}))
%(networkx)s
"""

NETWORKX = """
start = time.perf_counter()
graph = result.to_networkx()
print(json.dumps({"to_networkx": time.perf_counter() - start,
                  "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crawl", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--pages", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    server = subprocess.Popen(
        [args.server, "--synthetic", str(args.pages), "--until-stdin-eof"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stdin is not None
    seed = server.stdout.readline().strip().rstrip("/") + "/index.html"
    options = settings(args.pages)
    flags = [f"--{name.replace('_', '-')}={value}" for name, value in options.items()]
    cli = [args.crawl, *flags, "--format", "json", "-q", "-o", "/dev/null", seed]
    python = [
        sys.executable,
        "-c",
        PYTHON_RUN % {"links": "False", "networkx": ""},
        seed,
        json.dumps(options),
    ]
    rows = []
    try:
        for run in range(args.runs):
            cli_wall, cli_cpu, _ = measured(cli)
            py_wall, py_cpu, out = measured(python)
            rows.append((cli_wall, cli_cpu, py_wall, py_cpu))
            print(
                f"run {run + 1}: crawl {cli_wall:.2f} s wall {cli_cpu:.2f} s CPU | "
                f"python {py_wall:.2f} s wall {py_cpu:.2f} s CPU | "
                f"python/crawl wall {py_wall / cli_wall:.3f} CPU {py_cpu / cli_cpu:.3f} | "
                f"{out.decode().strip()}",
                flush=True,
            )
        medians = [statistics.median(column) for column in zip(*rows)]
        print(
            f"median: crawl {medians[0]:.2f} s wall {medians[1]:.2f} s CPU | python "
            f"{medians[2]:.2f} s wall {medians[3]:.2f} s CPU | python/crawl wall "
            f"{medians[2] / medians[0]:.3f} CPU {medians[3] / medians[1]:.3f}"
        )
        python[2] = PYTHON_RUN % {"links": "True", "networkx": NETWORKX}
        _, _, out = measured(python)
        print("to_networkx:", out.decode().strip().splitlines()[-1])
    finally:
        server.stdin.close()
        server.wait()


if __name__ == "__main__":
    main()
