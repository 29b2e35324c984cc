"""The graph from Python is the command line's: the same nodes with the same attributes, the
same edges in the same order, on the bundled fixture site and on a generated 2,000-page site."""

from __future__ import annotations

import networkx as nx
import pytest

import crawlgraph
from conftest import cli_json, comparable


def cli_graph(*args: str) -> nx.MultiDiGraph:
    return nx.node_link_graph(cli_json(*args), edges="links")


@pytest.mark.parametrize("depth", [1, 3])
def test_fixture_site_graph_equals_the_cli_json_export(site, depth):
    seed = site.url("/index.html")
    result = crawlgraph.crawl([seed], depth=depth)
    ours = result.to_networkx()
    theirs = cli_graph("--depth", str(depth), seed)
    assert comparable(ours) == comparable(theirs)
    assert result.stopped == "completed"
    assert ours.number_of_nodes() == len(result) == len(result.pages)
    assert ours.number_of_edges() == len(result.links)


def test_generated_site_graph_equals_the_cli_json_export(synthetic):
    seed = synthetic.url("/index.html")
    result = crawlgraph.crawl(seed, depth=4, per_host=16)
    ours = result.to_networkx()
    theirs = cli_graph("--depth", "4", "--per-host", "16", seed)
    assert ours.number_of_nodes() > 1000
    assert comparable(ours) == comparable(theirs)
    # The attributes the issue names, spelled out.
    some = next(n for n, d in ours.nodes(data=True) if d["depth"] == 2)
    assert {"depth", "status", "state"} <= set(ours.nodes[some])
    assert {d["kind"] for _, _, d in ours.edges(data=True)} >= {"anchor"}


def test_pages_links_stats_and_stopped(site):
    result = crawlgraph.crawl([site.url("/index.html"), site.url("/_/redirect-chain/2")], depth=2)
    pages = {page.url: page for page in result.pages}
    index = pages[site.url("/index.html")]
    assert (index.depth, index.status, index.state) == (0, 200, "ok")
    assert index.title
    assert any(page.state == "error" and page.error for page in result.pages)
    kinds = {link.kind for link in result.links}
    assert "anchor" in kinds and "redirect" in kinds
    for link in result.links:
        assert link.source in pages and link.target in pages
    stats = result.stats
    assert stats["pages_fetched"] > 0 and stats["requests"] >= stats["pages_fetched"]
    assert result.stopped == "completed"
    assert "pages" in repr(result)


def test_max_pages_stops_the_crawl(site):
    result = crawlgraph.crawl(site.url("/index.html"), depth=3, max_pages=2)
    assert result.stopped == "max_pages"
    assert result.stats["pages_fetched"] == 2
