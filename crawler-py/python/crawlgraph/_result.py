"""``CrawlResult``: a finished crawl, and its pages and links as light objects."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, NamedTuple, Optional

from . import _native

if TYPE_CHECKING:  # pragma: no cover
    import networkx
    import pandas

#: The export formats, by name (``crawl --format``).
FORMATS = ("json", "graphml", "dot", "tsv", "junit", "html")

#: The format ``save()`` picks for a file name ending.
_SUFFIXES = {
    ".json": "json",
    ".graphml": "graphml",
    ".dot": "dot",
    ".gv": "dot",
    ".tsv": "tsv",
    ".xml": "junit",
    ".html": "html",
    ".htm": "html",
}


class Page(NamedTuple):
    """A node of the graph: one URL met during the crawl (the JSON export's node fields)."""

    url: str
    """The normalised URL."""
    depth: int
    """Breadth-first depth: seeds are 0."""
    state: str
    """``ok``, ``error``, ``redirect``, ``unvisited``, or why it was not fetched."""
    status: Optional[int]
    """The HTTP status, if a response arrived."""
    content_type: Optional[str]
    """The ``Content-Type`` of the response."""
    title: Optional[str]
    """The ``<title>`` of an HTML page."""
    error: Optional[dict]
    """Why the fetch failed: ``{"kind": ..., ...}`` as in the JSON export."""
    skipped: Optional[str]
    """Why the page was not fetched (``beyond_depth``, ``out_of_scope``, ...)."""
    bytes: int
    """Body bytes read."""
    fetch_time: Optional[float]
    """Milliseconds from the request to the end of the body."""


class Link(NamedTuple):
    """An edge of the graph (the JSON export's link fields)."""

    source: str
    """The linking page's URL."""
    target: str
    """The linked URL."""
    kind: str
    """``anchor``, ``redirect``, ``canonical``, ``image``, ``stylesheet``, ..."""
    text: Optional[str]
    """The anchor text (or an alternate link's ``hreflang``)."""
    rel: Optional[str]
    """The ``rel`` attribute."""
    nofollow: bool
    """The source page's robots directives said ``nofollow``."""


class CrawlResult:
    """The result of a crawl: the link graph, its counters and why the crawl stopped.

    Pages are nodes and links are edges, as in the JSON export (``crawl --format json``):
    ``to_networkx()`` gives a ``networkx.MultiDiGraph`` with the export's node and edge
    attributes, ``pages`` and ``links`` plain objects, ``to_pandas()`` two DataFrames,
    ``report()`` the analyses of ``crawl report``, and ``save()`` any export format.
    """

    __slots__ = ("_report", "_document")

    def __init__(self, report: _native.Report) -> None:
        self._report = report
        self._document: Optional[dict] = None

    def __repr__(self) -> str:
        return (
            f"<CrawlResult {self._report.page_count} pages, {self._report.link_count} links,"
            f" {self._report.stopped}>"
        )

    @property
    def stopped(self) -> str:
        """Why the crawl ended: ``completed``, ``max_pages``, ``graph_limit`` or ``cancelled``."""
        return self._report.stopped

    @property
    def stats(self) -> dict[str, Any]:
        """The counters: ``requests``, ``pages_fetched``, ``pages_failed``, ``pages_skipped``,
        ``bytes``, ``links_dropped``, ``retries_exhausted``, ``recovered_at_end`` and
        ``elapsed`` (seconds)."""
        return json.loads(self._report.stats)

    @property
    def graph_attributes(self) -> dict[str, Any]:
        """The graph's metadata as in the JSON export: ``seeds``, ``max_depth``, ``started``,
        ``elapsed_secs``, ``stopped``, ``stats`` and ``generator``."""
        return dict(self._doc()["graph"])

    def export(self, format: str = "json") -> bytes:
        """The graph in ``format`` (one of ``FORMATS``), as the bytes ``crawl --format`` writes."""
        return self._report.export(format)

    def save(self, path: str | os.PathLike[str], format: Optional[str] = None) -> None:
        """Writes the graph to ``path`` in ``format`` (``json``, ``graphml``, ``dot``, ``tsv``,
        ``junit`` or ``html``); without a format, the file name's ending picks it (``.json``,
        ``.graphml``, ``.dot``/``.gv``, ``.tsv``, ``.xml`` for JUnit, ``.html``)."""
        path = os.fspath(path)
        if format is None:
            suffix = os.path.splitext(path)[1].lower()
            if suffix not in _SUFFIXES:
                raise ValueError(
                    f"cannot tell the format of {path!r} from its name: give format= "
                    f"(one of {', '.join(FORMATS)})"
                )
            format = _SUFFIXES[suffix]
        self._report.save(path, format)

    def report(self, top: int = _native.DEFAULT_TOP) -> dict[str, Any]:
        """The analyses of ``crawl report -f json``: summary, depth, broken links with their
        referrers, redirect chains, orphans and dead ends, PageRank and components, duplicate
        titles; ``top`` entries per ranking (see docs/report-schema.md)."""
        return json.loads(self._report.analysis(top))

    def _doc(self) -> dict:
        if self._document is None:
            self._document = json.loads(self._report.export("json"))
        return self._document

    @property
    def pages(self) -> list[Page]:
        """The nodes, in breadth-first discovery order."""
        return [
            Page(
                node["id"],
                node["depth"],
                node["state"],
                node.get("status"),
                node.get("content_type"),
                node.get("title"),
                node.get("error"),
                node.get("skipped"),
                node.get("bytes", 0),
                node.get("fetch_time"),
            )
            for node in self._doc()["nodes"]
        ]

    @property
    def links(self) -> list[Link]:
        """The edges, in the order they were found."""
        return [
            Link(
                link["source"],
                link["target"],
                link["kind"],
                link.get("text"),
                link.get("rel"),
                link.get("nofollow", False),
            )
            for link in self._doc()["links"]
        ]

    def __len__(self) -> int:
        """The number of pages."""
        return self._report.page_count

    def to_networkx(self) -> networkx.MultiDiGraph:
        """The graph as a ``networkx.MultiDiGraph``: nodes are URLs, with the JSON export's
        node attributes (``depth``, ``status``, ``state``, ``title``, ...); edges carry
        ``kind``, ``text``, ``rel``, ``nofollow``; ``graph.graph`` holds the crawl's metadata.
        The same graph as ``networkx.node_link_graph(json, edges="links")`` of the export."""
        try:
            import networkx
        except ImportError:
            raise ImportError(
                "CrawlResult.to_networkx() needs networkx: pip install networkx"
            ) from None
        document = json.loads(self._report.export("json"))
        graph = networkx.MultiDiGraph()
        graph.graph.update(document["graph"])
        graph.add_nodes_from((node.pop("id"), node) for node in document["nodes"])
        _add_edges(graph, document["links"])
        return graph

    def to_pandas(self) -> tuple[pandas.DataFrame, pandas.DataFrame]:
        """The pages and the links as two ``pandas.DataFrame``s, one row per node and per edge,
        with the columns of ``Page`` and ``Link`` (a page's ``error`` is its kind, such as
        ``http_status`` or ``timeout``)."""
        try:
            import pandas
        except ImportError:
            raise ImportError(
                "CrawlResult.to_pandas() needs pandas: pip install pandas"
            ) from None
        pages = pandas.DataFrame.from_records(
            [
                page._replace(error=page.error["kind"] if page.error else None)
                for page in self.pages
            ],
            columns=list(Page._fields),
        )
        links = pandas.DataFrame.from_records(self.links, columns=list(Link._fields))
        return pages, links


def _add_edges(graph: networkx.MultiDiGraph, links: list[dict[str, Any]]) -> None:
    """Adds the export's links to ``graph`` as ``add_edges_from`` would, keys 0, 1, ... per
    pair in order, but straight into the graph's adjacency dicts: ``add_edges_from`` costs
    about 5 us an edge (2 s for the 400k edges of a 10k-page site), this a tenth of it. Every
    endpoint is already a node (the export's links name its nodes only). Falls back to
    ``add_edges_from`` on a networkx whose MultiDiGraph does not keep them this way."""
    succ = getattr(graph, "_succ", None)
    pred = getattr(graph, "_pred", None)
    fresh = graph.number_of_edges() == 0 and not getattr(graph, "__networkx_cache__", None)
    if not (isinstance(succ, dict) and isinstance(pred, dict) and fresh):
        graph.add_edges_from((link.pop("source"), link.pop("target"), link) for link in links)
        return
    for link in links:
        source = link.pop("source")
        target = link.pop("target")
        keys = succ[source].get(target)
        if keys is None:
            keys = succ[source][target] = pred[target][source] = {}
        keys[len(keys)] = link
