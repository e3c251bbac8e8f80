"""What a page loaded, from the browser's own network log.

Entrants are on low-end phones over slow, metered networks, so every entrant
page has a budget for everything it loads, and nothing may come from another
origin (no CDN, no web fonts): a contest must work where only our server is
reachable. Sizes are the uncompressed bodies (`len(response.body())`), which
is what the phone has to parse and keep in memory whatever the transfer
encoding was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

PAGE_BUDGET_BYTES = 50 * 1024
# Addresses that never leave the browser: they are not "outside the app's origin".
LOCAL_SCHEMES = ("data:", "blob:", "about:")

_LOGS: WeakKeyDictionary = WeakKeyDictionary()


@dataclass
class Loaded:
    url: str
    status: int | None
    size: int


@dataclass
class PageLoad:
    """One document and everything it loaded, up to the moment it was measured."""

    url: str
    items: list[Loaded]

    @property
    def size(self) -> int:
        return sum(item.size for item in self.items)

    def describe(self) -> str:
        lines = [f"{self.size:,} bytes for {self.url}:"]
        lines += [f"  {i.size:>8,}  {i.status}  {i.url}" for i in self.items]
        return "\n".join(lines)


@dataclass
class NetworkLog:
    """Every request a page made, split into documents at each main-frame navigation."""

    page: object
    documents: list[list] = field(default_factory=list)
    requests: list = field(default_factory=list)

    def on_request(self, request) -> None:
        self.requests.append(request)
        starts_document = request.is_navigation_request() and request.frame == self.page.main_frame
        if starts_document or not self.documents:
            self.documents.append([])
        self.documents[-1].append(request)

    def current(self) -> PageLoad:
        """Measure the document on screen now; call it before navigating away.

        Bodies are read here, not in the event handler: the sync API cannot
        wait inside a handler, and the browser keeps bodies while the page lives.
        """
        items = [_loaded(request) for request in (self.documents[-1] if self.documents else [])]
        return PageLoad(self.page.url, items)

    def foreign_requests(self, origin: str) -> list[str]:
        """Requests that left the app's origin, over the page's whole life."""
        return [
            r.url
            for r in self.requests
            if not r.url.startswith(LOCAL_SCHEMES) and _origin(r.url) != origin
        ]


def _loaded(request) -> Loaded:
    from playwright.sync_api import Error

    response = request.response()
    if response is None:
        return Loaded(request.url, None, 0)
    if 300 <= response.status < 400:
        return Loaded(request.url, response.status, 0)  # a redirect has no body to load
    try:
        size = len(response.body())
    except Error:
        size = 0  # e.g. an answer save still in flight: not part of the page itself
    return Loaded(request.url, response.status, size)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def attach(page) -> NetworkLog:
    log = NetworkLog(page)
    page.on("request", log.on_request)
    _LOGS[page] = log
    return log


def log_of(page) -> NetworkLog:
    return _LOGS[page]
