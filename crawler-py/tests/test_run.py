"""The blocking crawl: Ctrl-C, callbacks, progress, and the interpreter released meanwhile."""

from __future__ import annotations

import http.server
import re
import signal
import threading

import pytest

import crawlgraph

#: A page the fixture server answers after an hour: the crawl cannot end on its own.
HELD = "/_/slow/3600000"
#: Settings under which the held page is still waited for.
PATIENT = {"timeout": 7200, "page_timeout": 7200, "read_timeout": 7200, "retries": 0}


def test_ctrl_c_cancels_the_crawl_and_keeps_the_partial_graph(site):
    first_page = threading.Event()

    def press_ctrl_c() -> None:
        first_page.wait()
        signal.raise_signal(signal.SIGINT)

    presser = threading.Thread(target=press_ctrl_c, daemon=True)
    presser.start()
    seeds = [site.url("/index.html"), site.url(HELD)]
    with pytest.raises(crawlgraph.CrawlInterrupted) as caught:
        crawlgraph.crawl(seeds, depth=1, on_page=lambda page: first_page.set(), **PATIENT)
    presser.join()
    assert isinstance(caught.value, KeyboardInterrupt)
    result = caught.value.result
    assert result.stopped == "cancelled"
    pages = {page.url: page for page in result.pages}
    assert pages[site.url("/index.html")].status == 200
    held = pages[site.url(HELD)]
    assert held.status is None and held.state == "cancelled"


def test_an_exception_in_on_page_cancels_and_is_raised_with_the_result(site):
    class Enough(Exception):
        pass

    def on_page(page: crawlgraph.FetchedPage) -> None:
        raise Enough(page.url)

    seeds = [site.url("/index.html"), site.url(HELD)]
    with pytest.raises(Enough) as caught:
        crawlgraph.crawl(seeds, depth=1, on_page=on_page, **PATIENT)
    assert caught.value.result.stopped == "cancelled"


def test_on_page_hears_of_every_fetch_on_the_calling_thread(site):
    heard: list[crawlgraph.FetchedPage] = []
    threads: set[int] = set()

    def on_page(page: crawlgraph.FetchedPage) -> None:
        heard.append(page)
        threads.add(threading.get_ident())

    result = crawlgraph.crawl(site.url("/index.html"), depth=2, on_page=on_page)
    fetched = {page.url for page in result.pages if page.status is not None or page.error}
    assert {page.url for page in heard} == fetched
    assert threads == {threading.get_ident()}
    failed = [page for page in heard if page.error]
    assert failed and all(page.url in fetched for page in failed)


def test_progress_without_tqdm_prints_lines_on_stderr(site, capfd, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "tqdm.auto", None)
    crawlgraph.crawl(site.url("/index.html"), depth=1, progress=True)
    err = capfd.readouterr().err
    # A crawl without levels says how far it is: pages done of pages known, hosts at work.
    assert re.search(r"crawlgraph: \d+ of \d+ pages, 1 hosts", err), err
    assert "crawlgraph: done:" in err
    # A crawl by levels (a page cap keeps levels) announces each level.
    crawlgraph.crawl(site.url("/index.html"), depth=1, max_pages=1000, progress=True)
    err = capfd.readouterr().err
    assert "crawlgraph: depth 0: 1 pages" in err


def test_progress_with_tqdm_shows_a_bar(site, capfd):
    import tqdm  # noqa: F401 -- a test dependency: missing, the test fails

    crawlgraph.crawl(site.url("/index.html"), depth=1, progress=True)
    err = capfd.readouterr().err
    assert "crawl:" in err and "page" in err


class _Counting(http.server.BaseHTTPRequestHandler):
    """A page served by a Python thread: it can only be answered while the crawl leaves the
    interpreter free."""

    served = 0

    def do_GET(self) -> None:  # noqa: N802 -- the http.server name
        type(self).served += 1
        body = b"<html><body><a href='/next'>next</a></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_the_interpreter_is_released_while_crawling():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        seed = f"http://127.0.0.1:{server.server_address[1]}/"
        # Both pages are answered by Python code on another thread while crawl() runs; had the
        # crawl kept the GIL, they would time out instead.
        result = crawlgraph.crawl(seed, depth=1, timeout=60, retries=0, ignore_robots=True)
    finally:
        server.shutdown()
        serving.join()
    statuses = {page.url: page.status for page in result.pages}
    assert statuses == {seed: 200, seed + "next": 200}
    assert _Counting.served == 2
