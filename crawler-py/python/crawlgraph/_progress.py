"""The progress display of ``crawl(progress=True)``: a tqdm bar if tqdm is installed, else
plain lines on stderr."""

from __future__ import annotations

import sys
import time
from typing import Any, Sequence

#: Seconds between two plain progress lines.
_LINE_EVERY = 2.0


class Progress:
    """Follows a crawl's events: a crawl without levels says how many pages it knows of (it
    grows as pages are found), a crawl by levels announces each level's pages, and pages count
    as they come."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0
        self.failed = 0
        self._told = False
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self._bar = None
            self._last_line = time.monotonic()
        else:
            self._bar = tqdm(total=0, unit="page", desc="crawl", dynamic_ncols=True)

    def events(self, batch: Sequence[tuple[Any, ...]]) -> None:
        """Takes a batch of event tuples (``("progress", done, known, hosts, slowest)``,
        ``("level", depth, pages)``, ``("page", ...)``)."""
        pages = 0
        for event in batch:
            if event[0] == "progress":
                _, done, known, hosts, slowest = event
                self.total = known
                if self._bar is not None:
                    self._bar.total = known
                    waiting = {"waiting": slowest} if slowest else {}
                    self._bar.set_postfix(hosts=hosts, refresh=False, **waiting)
                elif not self._told or time.monotonic() - self._last_line >= _LINE_EVERY:
                    self._told = True
                    waiting = f", waiting for {slowest}" if slowest else ""
                    self._line(f"{done} of {known} pages, {hosts} hosts{waiting}")
            elif event[0] == "level":
                self.total += event[2]
                if self._bar is not None:
                    self._bar.total = self.total
                    self._bar.set_postfix(depth=event[1], refresh=False)
                else:
                    self._line(f"depth {event[1]}: {event[2]} pages")
            elif event[0] == "page":
                pages += 1
                if event[5] is not None:
                    self.failed += 1
        self.done += pages
        if self._bar is not None:
            self._bar.update(pages)
        elif time.monotonic() - self._last_line >= _LINE_EVERY:
            self._line(f"{self.done} responses, {self.failed} failed")

    def close(self) -> None:
        """Ends the display."""
        if self._bar is not None:
            self._bar.close()
        else:
            self._line(f"done: {self.done} responses, {self.failed} failed")

    def _line(self, text: str) -> None:
        print(f"crawlgraph: {text}", file=sys.stderr, flush=True)
        self._last_line = time.monotonic()
