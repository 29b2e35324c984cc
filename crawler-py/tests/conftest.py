"""Fixtures of the crawlgraph Python tests: the project's own binaries (``fixture-server``,
``gen-site``'s synthetic site through it, and ``crawl`` for the reference exports), found in
``$CRAWLGRAPH_BIN_DIR`` (set by scripts/test-python.sh) or the workspace's ``target/debug``.

Every server listens on 127.0.0.1 only. A missing binary or tool fails the test, never skips
it: scripts/test-python.sh builds the binaries and scripts/test-deps.sh installs redis-server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable, Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]

#: Node attributes that differ from run to run (timings).
VOLATILE_NODE = ("fetch_time",)
#: Graph attributes that differ from run to run.
VOLATILE_GRAPH = ("started", "elapsed_secs", "stats", "generator")


def binary(name: str) -> Path:
    """The path of one of the workspace's binaries; fails the test if it was not built."""
    bin_dir = Path(
        os.environ.get("CRAWLGRAPH_BIN_DIR")
        or Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "debug"
    )
    path = bin_dir / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: build it with scripts/test-python.sh (cargo build)")
    return path


class Server:
    """A ``fixture-server`` process; stopped by closing its stdin."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [str(binary("fixture-server")), "--ip", "127.0.0.1", "--until-stdin-eof", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("http://127.0.0.1:"):
            self.stop()
            pytest.fail(f"fixture-server did not print its address (got {line!r})")
        self.base = line.rstrip("/")

    def url(self, path: str) -> str:
        return self.base + path

    def stop(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session")
def site() -> Iterator[Server]:
    """The bundled fixture site (fixtures/site)."""
    server = Server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def synthetic() -> Iterator[Server]:
    """The generated 2,000-page site (``gen-site --pages 2000``), rendered per request."""
    server = Server("--synthetic", "2000")
    yield server
    server.stop()


@pytest.fixture
def start_server() -> Iterator[Callable[..., Server]]:
    """Starts fixture servers with extra flags; stops them after the test."""
    servers: list[Server] = []

    def start(*args: str) -> Server:
        server = Server(*args)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def run_cli(*args: str) -> bytes:
    """Runs ``crawl ARGS`` and returns its stdout; fails the test on a non-zero exit."""
    done = subprocess.run(
        [str(binary("crawl")), *args], capture_output=True, timeout=600, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"crawl {' '.join(args)} exited {done.returncode}: {done.stderr.decode()}")
    return done.stdout


def cli_json(*args: str) -> dict:
    """The node-link JSON ``crawl -f json ARGS`` writes."""
    return json.loads(run_cli("--format", "json", "--quiet", *args))


def comparable(graph) -> tuple:
    """A networkx graph as plain data, without its timings: graph attributes, nodes with
    their attributes in order, edges with keys and attributes in order."""
    graph_attributes = {k: v for k, v in graph.graph.items() if k not in VOLATILE_GRAPH}
    nodes = [
        (node, {k: v for k, v in data.items() if k not in VOLATILE_NODE})
        for node, data in graph.nodes(data=True)
    ]
    edges = list(graph.edges(keys=True, data=True))
    return graph_attributes, nodes, edges


@pytest.fixture(scope="session")
def redis_server_binary() -> str:
    path = shutil.which("redis-server")
    if path is None:
        pytest.fail("redis-server is not installed: run scripts/test-deps.sh")
    return path
