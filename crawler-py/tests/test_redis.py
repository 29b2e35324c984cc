"""``redis_export``: a distributed crawl's graph, as ``crawl export`` writes it."""

from __future__ import annotations

import subprocess
import time

import networkx as nx
import pytest

import crawlgraph
from conftest import comparable, run_cli


@pytest.fixture
def redis_url(tmp_path, redis_server_binary):
    """A private redis-server on a Unix socket in a temporary folder (never a system one)."""
    socket = tmp_path / "redis.sock"
    process = subprocess.Popen(
        [
            redis_server_binary,
            "--port", "0",
            "--unixsocket", str(socket),
            "--unixsocketperm", "700",
            "--dir", str(tmp_path),
            "--save", "",
            "--appendonly", "no",
            "--maxmemory-policy", "noeviction",
            "--daemonize", "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # redis-server has no way to say it is ready but the socket; wait for it, bounded.
    for _ in range(1000):
        if socket.exists() or process.poll() is not None:
            break
        time.sleep(0.01)
    if not socket.exists():
        process.kill()
        pytest.fail("redis-server did not start")
    yield f"unix://{socket}"
    process.terminate()
    process.wait(timeout=30)


def test_redis_export_gives_the_graph_crawl_export_writes(site, redis_url):
    seed = site.url("/index.html")
    run_cli("--redis", redis_url, "--crawl-id", "py", "--depth", "2", "--quiet", seed)
    ours = crawlgraph.redis_export(redis_url, "py")
    theirs = nx.node_link_graph(
        __import__("json").loads(
            run_cli("export", "--redis", redis_url, "--crawl-id", "py", "--format", "json")
        ),
        edges="links",
    )
    assert ours.stopped == "completed"
    assert comparable(ours.to_networkx()) == comparable(theirs)
    assert len(ours) > 3


def test_redis_export_of_a_missing_crawl_raises_lookup_error(redis_url):
    with pytest.raises(LookupError, match="no crawl"):
        crawlgraph.redis_export(redis_url, "nothing-here")
    with pytest.raises(ValueError, match="invalid crawl id"):
        crawlgraph.redis_export(redis_url, "bad id!")
