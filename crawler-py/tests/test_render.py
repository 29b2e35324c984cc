"""Rendering from Python (``render="always"|"auto"``) with Debian's chromium, on the
JavaScript fixture site (fixtures/js-site): the graph equals the command line's, rendered
links marked, and no browser process outlives the call.

Each crawl runs with ``TMPDIR`` in the test's own folder, so the browser's profile (and so its
command line) names that folder: that is how the test finds its own browser's processes.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import networkx as nx
import pytest

import crawlgraph
from conftest import REPO, cli_json, comparable


def processes_naming(marker: str) -> list[int]:
    """Live processes whose command line contains ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def no_browser_left(marker: str) -> None:
    deadline = time.monotonic() + 30
    while processes_naming(marker):
        if time.monotonic() > deadline:
            pytest.fail(f"browser processes left behind: {processes_naming(marker)}")
        time.sleep(0.05)


@pytest.fixture
def js_site(start_server):
    if shutil.which("chromium") is None:
        pytest.fail("chromium is not installed: run scripts/test-deps.sh")
    return start_server("--root", str(REPO / "fixtures" / "js-site"))


@pytest.mark.parametrize("mode", ["always", "auto"])
def test_rendered_graph_equals_the_cli_json_export(js_site, mode, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    seed = js_site.url("/")
    result = crawlgraph.crawl(seed, depth=5, render=mode, render_concurrency=2)
    ours = result.to_networkx()
    theirs = nx.node_link_graph(
        cli_json("--depth", "5", "--render", mode, "--render-concurrency", "2", seed),
        edges="links",
    )
    assert comparable(ours) == comparable(theirs)
    kinds = {d["kind"] for _, _, d in ours.edges(data=True) if d.get("rendered")}
    assert "anchor" in kinds, "links only the rendered DOM has are marked"
    assert "script" in {d["kind"] for _, _, d in ours.edges(data=True)}, "script navigations"
    assert result.stats["pages_rendered"] == (11 if mode == "always" else 3)
    assert result.stats["pages_render_gained"] == 3
    no_browser_left(str(tmp_path))


def test_render_auto_on_a_site_without_app_shells_changes_nothing(site, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    seed = site.url("/index.html")
    auto = crawlgraph.crawl(seed, depth=2, render="auto")
    never = crawlgraph.crawl(seed, depth=2)
    assert auto.stats.get("pages_rendered", 0) == 0
    assert comparable(auto.to_networkx())[1:] == comparable(never.to_networkx())[1:]
    no_browser_left(str(tmp_path))
