"""Browser fixtures: Debian's Chromium driving the app served on a real port.

- `browser` (session): /usr/bin/chromium through Playwright; never a browser
  download. Missing Chromium or Playwright skips these tests, or fails them
  when QUIZ_REQUIRE_BROWSER=1 (CI), so a green run cannot hide them.
- `live_server`: the `app` of tests/conftest.py (SQLite + embedded Redis, or
  PostgreSQL + Redis from TEST_DATABASE_URL / TEST_REDIS_URL) served by
  werkzeug on 127.0.0.1 and a free port. `live_server.drain()` scores what
  was submitted, and `live_server.run_jobs()` runs the queued background jobs
  (exports, statistics), where a worker would have run.
- `open_page(...)`: a new browser context and page (phone-sized, Vietnamese,
  JavaScript on, HTTP cache off so each page counts everything it loads),
  with its network log and script errors recorded; `phone` is one of them.
- `check_screen(page, name)`: budget, origin, untranslated text, axe-core and
  a screenshot (tests/artifacts/screenshots/NAME.png), see screens.py.
- `open_contest(**round_settings)`: a published contest whose round is open now.

Organizer and check-in journeys reuse these with `open_page(viewport=DESKTOP)`.

Every test here is marked `browser`. ./test.sh runs them once: in the
PostgreSQL + Redis pass when TEST_DATABASE_URL / TEST_REDIS_URL are set, and
leaves them out of the embedded pass then (`-m "not browser"`); without those
settings, on the embedded defaults.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.browser import network, screens
from tests.factories import make_bank, make_contest, make_units
from tests.players import Player

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A journey runs to its end; then the problems its screens showed fail it."""
    screens.PROBLEMS.clear()
    try:
        result = yield
    except BaseException:
        if screens.PROBLEMS:
            text = "\n\n".join(screens.PROBLEMS)
            item.add_report_section("call", "problems on the screens checked", text)
        raise
    if screens.PROBLEMS:
        text = "\n\n".join(screens.PROBLEMS)
        pytest.fail(f"problems on the screens checked:\n{text}", pytrace=False)
    return result


def pytest_terminal_summary(terminalreporter):
    lines = screens.write_summary()
    if lines:
        terminalreporter.section("pages checked in the browser")
        for line in lines:
            terminalreporter.write_line(line)


def _unavailable(reason: str):
    if os.environ.get("QUIZ_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; QUIZ_REQUIRE_BROWSER=1 says these tests must run", pytrace=False)
    pytest.skip(f"{reason} (browser tests skipped)")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing: install requirements-dev.txt")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        """Playwright reports failures; a line per request would bury them."""


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask

    def drain(self) -> int:
        """Score every submission so far, as the RQ worker would have by now."""
        from quiz.scoring.jobs import drain_submissions

        with self.app.app_context():
            return drain_submissions(max_seconds=10)

    def run_jobs(self) -> bool:
        """Run the background jobs queued so far (exports, statistics), as an RQ worker would.

        A real worker on the real queue, in burst mode: it stops when the queue is empty.
        """
        from rq import SimpleWorker

        from quiz.extensions import DEFAULT_QUEUE, get_queue, get_redis

        with self.app.app_context():
            worker = SimpleWorker([get_queue(DEFAULT_QUEUE)], connection=get_redis())
            return worker.work(burst=True)


@pytest.fixture
def live_server(app):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    server.daemon_threads = True  # a browser's idle keep-alive connection must not hold shutdown
    server.block_on_close = False
    thread = threading.Thread(
        target=server.serve_forever, args=(0.1,), name="live-server", daemon=True
    )
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    thread.join(10)
    server.server_close()


@pytest.fixture
def open_page(browser, live_server) -> Callable:
    """open_page(viewport=PHONE, javascript=True, **context_options) → a new Page."""
    contexts = []

    def open_(*, viewport=PHONE, javascript: bool = True, **options):
        phone_sized = viewport == PHONE
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            is_mobile=phone_sized,
            has_touch=phone_sized,
            java_script_enabled=javascript,
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            **options,
        )
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        # Every page counts everything it loads, as on a first visit.
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        network.attach(page)
        screens.watch_scripts(page, javascript=javascript)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def phone(open_page):
    """An entrant's phone: 360×740, Vietnamese, JavaScript on."""
    return open_page()


@pytest.fixture
def check_screen(live_server) -> Callable:
    """check_screen(page, name, budget=True, axe=True, shot=True): see screens.check."""

    def check(page, name: str, **options) -> None:
        screens.check(page, name, origin=live_server.url, **options)

    return check


class ServerClock:
    """The server's clock, shifted: deadlines reached without waiting for them.

    Patched where the web (Flask views and the fast path) and the jobs read
    it; the browser's own clock is untouched, as a phone's would be.
    """

    def __init__(self, monkeypatch) -> None:
        from quiz.timeutil import now_ms

        self.offset_ms = 0
        for where in ("quiz.contest.views", "quiz.contest.fastpath", "quiz.scoring.jobs"):
            monkeypatch.setattr(f"{where}.now_ms", lambda: now_ms() + self.offset_ms)


@pytest.fixture
def server_clock(monkeypatch) -> ServerClock:
    return ServerClock(monkeypatch)


@dataclass(frozen=True)
class OpenContest:
    slug: str
    title: str
    unit_id: int
    unit: str  # a commune an entrant can pick
    unit_search: str  # the same, typed without diacritics

    @property
    def path(self) -> str:
        return f"/c/{self.slug}"


@pytest.fixture
def open_contest(app) -> Callable[..., OpenContest]:
    """open_contest(**round_settings): units, a bank of 20 questions, a contest open now.

    The bank's right answer is always its first option ("Đáp án 0 của câu N"),
    whatever position the paper shows it in.
    """

    def make(**settings) -> OpenContest:
        with app.app_context():
            units = make_units()
            contest = make_contest(make_bank(), owner=units["P"], **settings)
            commune = units["D1-C1"]
            return OpenContest(contest.slug, contest.title, commune.id, commune.name, "xa d1-1")

    return make


@pytest.fixture
def contest(open_contest) -> OpenContest:
    return open_contest()


@pytest.fixture
def sign_in_entrant(app, live_server) -> Callable:
    """sign_in_entrant(page, contest, phone=...): registered over HTTP, signed in on `page`.

    For journeys about what comes after registering (registration itself is
    journey 1's): the session cookie the app issued is handed to the browser.
    """

    def sign_in(page, contest: OpenContest, phone: str = "0900000456") -> None:
        player = Player(app.test_client(), contest.slug)
        response = player.register(phone=phone, unit=str(contest.unit_id))
        assert response.status_code == 303, response.text
        cookie = player.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
        )

    return sign_in
