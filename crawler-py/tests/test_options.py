"""Options are the spec's fields, checked by the library: bad values raise ValueError with
its message, unknown options TypeError; the Python conveniences map to the spec's form."""

from __future__ import annotations

import asyncio

import pytest

import crawlgraph


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"per_host": 0}, "per-host concurrency must be at least 1"),
        ({"concurrency": 0}, "concurrency must be at least 1"),
        ({"timeout": 0}, "timeout must be longer than zero"),
        ({"timeout": -1}, "option `timeout`"),
        ({"include": ["("]}, "invalid pattern `(`"),
        ({"per_host": "four"}, "option `per_host`"),
        ({"concurrency": "many"}, "option `concurrency`"),
        ({"hosts": "everywhere"}, "option `hosts`"),
        ({"header": ["no colon"]}, "option `header`"),
        ({"header": {"Bad Name": "x"}}, "invalid header"),
        ({"links": ["anchor", "nonsense"]}, "option `links`"),
        ({"rate": float("nan")}, "invalid crawl options"),
        ({"proxy": "ftp://proxy"}, "invalid proxy"),
        # Rendering needs Chromium: a missing one is named, with the mode.
        (
            {"render": "always", "chromium": "/nonexistent/chromium"},
            "render always needs Chromium: no Chromium found (/nonexistent/chromium",
        ),
        ({"render": "sometimes"}, "option `render`"),
    ],
)
def test_bad_values_raise_value_error_with_the_library_message(site, options, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        crawlgraph.crawl(site.url("/index.html"), **options)


def test_a_since_file_that_cannot_be_used_fails_before_the_crawl(site, tmp_path):
    seed = site.url("/index.html")
    with pytest.raises(OSError, match="since=.*missing.json"):
        crawlgraph.crawl(seed, since=tmp_path / "missing.json")
    with pytest.raises(ValueError, match="stdin"):
        crawlgraph.crawl(seed, since="-")
    not_an_export = tmp_path / "notes.json"
    not_an_export.write_text("[1, 2, 3]")
    with pytest.raises(ValueError, match="since=.*notes.json"):
        asyncio.run(crawlgraph.crawl_async(seed, since=not_an_export))


def test_unknown_option_raises_type_error_naming_it(site):
    with pytest.raises(TypeError, match="'per_hots'"):
        crawlgraph.crawl(site.url("/index.html"), per_hots=2)
    with pytest.raises(TypeError, match="'schema'"):
        crawlgraph.crawl(site.url("/index.html"), schema=1)


def test_bad_seeds_raise_value_error():
    with pytest.raises(ValueError, match="invalid seed URL"):
        crawlgraph.crawl(["not a url"])
    with pytest.raises(ValueError, match="no seed URL"):
        crawlgraph.crawl([])


def test_conveniences_are_accepted(site):
    result = crawlgraph.crawl(
        [site.url("/index.html")],
        depth=1,
        per_host=2,
        concurrency=4,
        timeout=5.5,
        include="/",
        header={"X-Team": "web", "Authorization": "Bearer t"},
        user="alice:secret",
        cookie="session=1",
        same_domain=True,
        links=["anchor", "redirect"],
    )
    assert result.stopped == "completed"
    assert {link.kind for link in result.links} <= {"anchor", "redirect"}
    crawlgraph.crawl(site.url("/index.html"), depth=0, header=["X-A: b: c"], user=("bob", None))


def test_options_lists_the_spec_fields():
    assert {"depth", "per_host", "timeout", "include", "header", "user", "concurrency"} <= set(
        crawlgraph.OPTIONS
    )
    assert "schema" not in crawlgraph.OPTIONS
