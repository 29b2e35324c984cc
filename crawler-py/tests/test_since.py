"""``since=``: a crawl from Python revalidates the pages an earlier export vouches for, as
``crawl --since FILE`` does, against the fixture server answering conditional requests."""

from __future__ import annotations

import asyncio

import pytest

import crawlgraph
from conftest import cli_json, comparable


def test_a_second_crawl_revalidates_every_page_and_gets_the_same_graph(start_server, tmp_path):
    server = start_server("--validators")
    seed = server.url("/index.html")
    first = crawlgraph.crawl(seed, depth=3)
    old = tmp_path / "old.json"
    first.save(old, format="json")
    second = crawlgraph.crawl(seed, depth=3, since=old)
    # Every page the first crawl got a 2xx for is asked again, and answered 304; the pages it
    # could not vouch for (a failed one) are fetched in full and count as changed, as the
    # command line counts them.
    answered = [p for p in first.pages if p.status is not None and 200 <= p.status < 300]
    assert second.stats["revalidated"] == len(answered) > 0
    assert second.stats.get("new_pages", 0) == 0
    cli = cli_json("--depth", "3", "--since", str(old), seed)["graph"]["stats"]
    for count in ("revalidated", "changed", "new_pages"):
        assert second.stats.get(count, 0) == cli.get(count, 0), count
    # The graph a revalidation gives is the full crawl's (timings aside).
    assert comparable(second.to_networkx())[1:] == comparable(first.to_networkx())[1:]
    from_async = asyncio.run(crawlgraph.crawl_async(seed, depth=3, since=old))
    assert from_async.stats["revalidated"] == second.stats["revalidated"]


def test_a_previous_crawl_that_vouches_for_nothing_warns_and_downloads_all(start_server, tmp_path):
    server = start_server("--validators")
    seed = server.url("/index.html")
    old = tmp_path / "old.json"
    crawlgraph.crawl(seed, depth=1).save(old, format="json")
    with pytest.warns(UserWarning, match="every page is downloaded again"):
        again = crawlgraph.crawl(seed, depth=1, since=old, check_fragments=True)
    assert again.stats.get("revalidated", 0) == 0
