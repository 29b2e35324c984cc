"""``check_fragments=True``: the fragments of links checked against the target pages' ids and
``<a name>``s, on the fixture site's ``fragments/`` pages (see fixtures/README.md)."""

from __future__ import annotations

import pytest

import crawlgraph

#: The broken fragments of fixtures/site/fragments/, with the text of their links.
BROKEN = [
    ("/fragments/guide.html#gone", "Gone section"),
    ("/fragments/guide.html#Install", "Wrong case"),
    ("/fragments/guide.html#in-template", "Template"),
    ("/fragments/index.html#nowhere", "Nowhere"),
    ("/fragments/scripted.html#built", "Built by a script"),
]


def test_broken_fragments_are_on_the_edges_and_in_the_report(site):
    seed = site.url("/fragments/index.html")
    result = crawlgraph.crawl(seed, depth=1, check_fragments=True)
    report = result.report()
    listed = [
        (fragment["url"], fragment["referrer"]["text"])
        for fragment in report["broken"]["broken_fragments"]
    ]
    assert listed == [(site.url(path), text) for path, text in BROKEN]
    graph = result.to_networkx()
    on_edges = [
        (target, fragment["name"])
        for _, target, data in graph.edges(data=True)
        for fragment in data.get("fragments", [])
        if fragment.get("broken")
    ]
    assert len(on_edges) == len(BROKEN)
    # The graph is the one a crawl without the check gives.
    plain = crawlgraph.crawl(seed, depth=1).to_networkx()
    assert sorted(graph.edges()) == sorted(plain.edges())
    assert all("fragments" not in data for _, _, data in plain.edges(data=True))


def test_a_stream_refuses_the_check_at_once(site):
    with pytest.raises(ValueError, match="check_fragments needs the whole graph"):
        crawlgraph.stream(site.url("/fragments/index.html"), check_fragments=True)
