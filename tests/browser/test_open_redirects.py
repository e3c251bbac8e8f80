"""A real browser follows `next=` redirects and never leaves the site.

The unit tests read the Location header as the URL standard says; here
Chromium itself follows it, so a disagreement between the two (a
character the standard's reading missed) would show.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest

from tests.test_redirects import BYPASSES

pytestmark = pytest.mark.browser


def test_the_browser_stays_on_the_site_for_every_known_bypass(open_page, live_server):
    from playwright.sync_api import Error

    page = open_page()
    own = urlsplit(live_server.url).netloc
    elsewhere: list[tuple[str, str]] = []

    def refuse_other_sites(route):
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            elsewhere.append((route.request.url, "requested"))
            route.abort()

    page.route("**/*", refuse_other_sites)
    for target in BYPASSES:
        # Each page loads to its end: a navigation cut short mid-download leaves
        # the test server's file handle to the garbage collector (a warning).
        try:
            page.goto("/lang/en?" + urlencode({"next": target}), wait_until="load")
        except Error as exc:  # our pages always load: a failure means it went elsewhere
            elsewhere.append((target, str(exc).splitlines()[0]))
            continue
        assert urlsplit(page.url).netloc == own, target
    assert elsewhere == []
