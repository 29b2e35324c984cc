"""The entry points: ``crawl``, ``crawl_async``, ``stream``, ``load`` and ``redis_export``."""

from __future__ import annotations

import json
import os
from typing import Any, AsyncIterator, Callable, Iterable, NamedTuple, Optional

from . import _native, _options
from ._progress import Progress
from ._result import CrawlResult


class FetchedPage(NamedTuple):
    """What ``on_page`` is called with: one response read, or one request that failed (each
    redirect hop is one)."""

    url: str
    """The URL requested."""
    depth: int
    """Its depth (seeds are 0)."""
    status: Optional[int]
    """The HTTP status, if a response arrived."""
    links: int
    """How many links were taken from it."""
    error: Optional[str]
    """Why it failed (``HTTP 404``, ``timed out``, ...), or ``None``."""


class CrawlInterrupted(KeyboardInterrupt):
    """Ctrl-C (``KeyboardInterrupt``) stopped ``crawl()``.

    The crawl was cancelled and ended with what it had found: ``result`` is that partial
    ``CrawlResult`` (its ``stopped`` is ``"cancelled"``, and the pages left are marked
    ``cancelled``). A subclass of ``KeyboardInterrupt``, so code that does not look for it
    stops as on any Ctrl-C.
    """

    def __init__(self, result: CrawlResult) -> None:
        super().__init__("crawl interrupted")
        self.result = result


def crawl(
    seeds: str | Iterable[str],
    *,
    depth: int = 2,
    on_page: Optional[Callable[[FetchedPage], Any]] = None,
    progress: bool = False,
    **options: Any,
) -> CrawlResult:
    """Crawls from ``seeds`` breadth-first to ``depth`` and returns the link graph.

    ``options`` are the crawl's settings, named as the long flags of ``crawl`` with ``_`` for
    ``-``: ``per_host=4``, ``timeout=2.5`` (seconds), ``include=["/docs/"]``,
    ``header={"Accept-Language": "en"}`` (or ``["Name: value"]``), ``user="name:password"``,
    ``concurrency=64``, ``same_domain=True``, ``max_pages=1000``, ``check_resources=True``,
    ``render="auto"`` (pages built by JavaScript, in headless Chromium; ``chromium=PATH``),
    ``since="old.json"`` (revalidate the pages of an earlier JSON or GraphML export)...
    (``crawlgraph.OPTIONS`` lists them all; docs/crawl-spec.md describes them). They are
    checked by the library itself: a bad value raises ``ValueError`` with its message, an
    unknown option ``TypeError``.

    The crawl runs in Rust with the interpreter released: other Python threads run
    meanwhile. ``on_page(page)`` is called with a ``FetchedPage`` for every response or
    failed request, on this thread, in batches while it waits, so a slow callback never slows
    the crawl. ``progress=True`` shows a tqdm bar (plain lines on stderr without tqdm).

    Ctrl-C cancels the crawl and raises ``CrawlInterrupted`` (a ``KeyboardInterrupt``) whose
    ``result`` is the partial graph. An exception raised by ``on_page`` also cancels it, and
    is raised with the partial graph as its ``result`` attribute.
    """
    spec = _options.spec_json("crawl", depth, options)
    bar = Progress() if progress else None

    def on_events(batch: list[tuple[Any, ...]]) -> None:
        if bar is not None:
            bar.events(batch)
        if on_page is not None:
            for event in batch:
                if event[0] == "page":
                    on_page(FetchedPage(*event[1:]))

    listening = bar is not None or on_page is not None
    try:
        report, error = _native.crawl(
            _options.seed_list(seeds), spec, on_events if listening else None
        )
    finally:
        if bar is not None:
            bar.close()
    result = CrawlResult(report)
    if error is None:
        return result
    if isinstance(error, KeyboardInterrupt) and not isinstance(error, CrawlInterrupted):
        raise CrawlInterrupted(result) from None
    error.result = result
    raise error


async def crawl_async(
    seeds: str | Iterable[str], *, depth: int = 2, **options: Any
) -> CrawlResult:
    """``crawl()`` for asyncio: ``result = await crawlgraph.crawl_async(seeds, depth=2)``.

    The crawl runs on crawlgraph's own threads; the event loop keeps running meanwhile.
    Options as for ``crawl()`` (no ``on_page`` or ``progress``). Cancelling the task cancels
    the crawl (no partial result).
    """
    spec = _options.spec_json("crawl_async", depth, options)
    report = await _native.crawl_async(_options.seed_list(seeds), spec)
    return CrawlResult(report)


def stream(
    seeds: str | Iterable[str], *, depth: int = 2, **options: Any
) -> AsyncIterator[dict[str, Any]]:
    """Crawls without keeping the graph, yielding each page as it is folded, in the order
    the graph would hold them: ``async for page in crawlgraph.stream(seeds): ...``.

    Each page is the object of a ``crawl --format jsonl`` line: ``url``, ``depth``,
    ``status``, ``state``, ``error`` (if any), ``title`` and ``links`` (a list of ``url``,
    ``kind``, ``text``, ``rel``, ``nofollow``). Options as for ``crawl()``, checked at once;
    the crawl starts with the first page asked for and stops when the iteration ends or is
    abandoned (``aclose()``).
    """
    handle = _native.Stream(
        _options.seed_list(seeds), _options.spec_json("stream", depth, options)
    )
    return _pages(handle)


async def _pages(handle: _native.Stream) -> AsyncIterator[dict[str, Any]]:
    try:
        while True:
            batch = await handle.next_batch()
            if batch is None:
                return
            for line in batch:
                yield json.loads(line)
    finally:
        handle.cancel()


def load(path: str | os.PathLike[str]) -> CrawlResult:
    """Reads a crawl saved as node-link JSON or GraphML (``crawl -f json``,
    ``CrawlResult.save``). Raises ``OSError`` if unreadable, ``ValueError`` if not such a file."""
    return CrawlResult(_native.load(os.fspath(path)))


def redis_export(url: str, crawl_id: str, *, timeout: float = 10.0) -> CrawlResult:
    """The graph of the distributed crawl ``crawl_id`` in the Redis at ``url`` (as
    ``crawl export --redis URL --crawl-id ID``), finished or not: pages without an outcome
    yet are marked cancelled. ``timeout`` bounds each Redis call, in seconds.

    Raises ``LookupError`` if there is no such crawl, ``ConnectionError`` if Redis fails."""
    return CrawlResult(_native.redis_export(url, crawl_id, float(timeout)))
