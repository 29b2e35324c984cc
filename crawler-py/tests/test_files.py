"""Saving in every format, loading back, the report and pandas."""

from __future__ import annotations

import json

import pytest

import crawlgraph
from conftest import comparable, run_cli


@pytest.fixture(scope="module")
def result(site) -> crawlgraph.CrawlResult:
    return crawlgraph.crawl(site.url("/index.html"), depth=2)


@pytest.mark.parametrize("format", crawlgraph.FORMATS)
def test_save_writes_each_format_as_export_gives_it(result, tmp_path, format):
    path = tmp_path / f"graph.{format}"
    result.save(path, format=format)
    assert path.read_bytes() == result.export(format)
    assert path.stat().st_size > 0


def test_save_picks_the_format_from_the_name(result, tmp_path):
    result.save(tmp_path / "graph.graphml")
    assert (tmp_path / "graph.graphml").read_bytes() == result.export("graphml")
    with pytest.raises(ValueError, match="format="):
        result.save(tmp_path / "graph.unknown")
    with pytest.raises(ValueError, match="unknown format"):
        result.save(tmp_path / "graph.x", format="pdf")
    with pytest.raises(FileNotFoundError):
        result.save(tmp_path / "missing" / "graph.json")


@pytest.mark.parametrize("name", ["graph.json", "graph.graphml"])
def test_load_reads_a_saved_crawl_back(result, tmp_path, name):
    result.save(tmp_path / name)
    loaded = crawlgraph.load(tmp_path / name)
    assert [(p.url, p.depth, p.status, p.state) for p in loaded.pages] == [
        (p.url, p.depth, p.status, p.state) for p in result.pages
    ]
    assert [(l.source, l.target, l.kind) for l in loaded.links] == [
        (l.source, l.target, l.kind) for l in result.links
    ]


def test_load_refuses_what_is_not_an_export(tmp_path):
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(ValueError, match="not a crawl export"):
        crawlgraph.load(tmp_path / "x.txt")
    with pytest.raises(FileNotFoundError):
        crawlgraph.load(tmp_path / "none.json")


def test_a_loaded_json_export_gives_the_same_networkx_graph(result, tmp_path):
    result.save(tmp_path / "graph.json")
    assert comparable(crawlgraph.load(tmp_path / "graph.json").to_networkx()) == comparable(
        result.to_networkx()
    )


def test_report_is_the_cli_json_report(result, tmp_path):
    saved = tmp_path / "graph.json"
    result.save(saved)
    theirs = json.loads(run_cli("report", str(saved), "--format", "json"))
    assert crawlgraph.load(saved).report() == theirs
    ours = result.report(top=3)
    assert ours["schema_version"] == theirs["schema_version"]
    assert ours["broken"] and ours["summary"]


def test_to_pandas_gives_a_row_per_page_and_per_link(result):
    pages, links = result.to_pandas()
    assert list(pages.columns) == list(crawlgraph.Page._fields)
    assert list(links.columns) == list(crawlgraph.Link._fields)
    assert len(pages) == len(result.pages) and len(links) == len(result.links)
    assert set(pages["state"]) >= {"ok", "error"}
    assert "http_status" in set(pages["error"].dropna())


def test_to_pandas_without_pandas_says_what_to_install(result, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        result.to_pandas()
