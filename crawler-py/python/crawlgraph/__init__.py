"""crawlgraph: crawl a web site breadth-first to a bounded depth and get its link graph.

>>> import crawlgraph
>>> result = crawlgraph.crawl(["https://example.org/"], depth=2, per_host=4)  # doctest: +SKIP
>>> graph = result.to_networkx()                                               # doctest: +SKIP

The crawler is the Rust library of crawlgraph (the ``crawl`` command's), run with the
interpreter released. ``crawl`` returns a ``CrawlResult`` (``to_networkx()``, ``pages``,
``links``, ``to_pandas()``, ``report()``, ``save()``, ``stats``, ``stopped``);
``crawl_async`` and ``stream`` are for asyncio; ``load`` reads a saved crawl back and
``redis_export`` gets a distributed crawl's graph. See docs/python.md.
"""

from __future__ import annotations

from . import _native
from ._crawl import (
    CrawlInterrupted,
    FetchedPage,
    crawl,
    crawl_async,
    load,
    redis_export,
    stream,
)
from ._options import option_names as _option_names
from ._result import FORMATS, CrawlResult, Link, Page

__version__: str = _native.__version__

#: Every option ``crawl()``, ``crawl_async()`` and ``stream()`` take besides ``depth``.
OPTIONS: tuple[str, ...] = tuple(_option_names())

__all__ = [
    "FORMATS",
    "OPTIONS",
    "CrawlInterrupted",
    "CrawlResult",
    "FetchedPage",
    "Link",
    "Page",
    "crawl",
    "crawl_async",
    "load",
    "redis_export",
    "stream",
]
