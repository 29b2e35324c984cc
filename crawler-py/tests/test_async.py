"""asyncio: ``crawl_async`` inside a running event loop, and the page stream."""

from __future__ import annotations

import asyncio
import json

import pytest

import crawlgraph
from conftest import comparable, run_cli


def test_crawl_async_in_a_running_loop_gives_the_blocking_crawl_graph(site):
    seed = site.url("/index.html")

    async def main() -> tuple[crawlgraph.CrawlResult, int]:
        ticks = 0
        crawling = asyncio.ensure_future(crawlgraph.crawl_async([seed], depth=2))
        # The loop keeps running while the crawl does.
        while not crawling.done():
            ticks += 1
            await asyncio.sleep(0.01)
        return await crawling, ticks

    result, ticks = asyncio.run(main())
    assert ticks >= 1
    assert comparable(result.to_networkx()) == comparable(
        crawlgraph.crawl([seed], depth=2).to_networkx()
    )


def test_crawl_async_raises_for_bad_options_and_seeds(site):
    async def main() -> None:
        with pytest.raises(ValueError, match="per-host"):
            await crawlgraph.crawl_async(site.url("/"), per_host=0)
        with pytest.raises(ValueError, match="invalid seed URL"):
            await crawlgraph.crawl_async("nope")

    asyncio.run(main())


def test_stream_yields_the_jsonl_pages_of_the_cli(site):
    seed = site.url("/index.html")

    async def main() -> list[dict]:
        return [page async for page in crawlgraph.stream([seed], depth=2)]

    pages = asyncio.run(main())
    lines = run_cli("--format", "jsonl", "--quiet", "--depth", "2", seed).decode().splitlines()
    assert pages == [json.loads(line) for line in lines]
    assert pages[0]["url"] == seed and pages[0]["links"]


def test_leaving_a_stream_early_stops_it(site):
    async def main() -> dict:
        pages = crawlgraph.stream(site.url("/index.html"), depth=3)
        async for page in pages:
            await pages.aclose()
            return page
        raise AssertionError("no page")

    assert asyncio.run(main())["depth"] == 0


def test_stream_checks_options_at_once():
    with pytest.raises(TypeError, match="'bogus'"):
        crawlgraph.stream("http://127.0.0.1:9/", bogus=True)
