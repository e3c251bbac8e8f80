"""The screen checks themselves: each must catch what it is there to catch.

A check that can never fail would let every journey pass; these tests show
each one failing on a page made to break it.
"""

from __future__ import annotations

import pytest

from tests.browser import network, screens
from tests.browser.accessibility import axe_violations, blocking
from tests.browser.catalog import untranslated_on
from tests.browser.screens import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def contest_page(phone, contest):
    phone.goto(contest.path)
    return phone


def test_english_on_a_vietnamese_page_is_caught(contest_page):
    assert untranslated_on(contest_page) == []
    contest_page.get_by_role("link", name="English").tap()  # the header's language switch
    expect(contest_page.locator("html")).to_have_attribute("lang", "en")
    assert "Register to take part" in untranslated_on(contest_page)


def test_page_weight_counts_the_stylesheet_and_script_on_every_visit(contest_page):
    for _visit in range(2):  # the second visit too: nothing is taken from a cache
        load = network.log_of(contest_page).current()
        loaded = [item.url.split("?")[0].rsplit("/", 1)[-1] for item in load.items]
        assert loaded[1:] == ["app.css", "app.js"]
        assert all(item.size > 1000 for item in load.items), load.describe()
        contest_page.reload()


def test_a_request_to_another_origin_is_caught(contest_page, live_server):
    assert network.log_of(contest_page).foreign_requests(live_server.url) == []
    # localhost is another origin than 127.0.0.1; port 1 answers nothing. The app's
    # CSP blocks the image, and the attempt is caught all the same.
    contest_page.evaluate(
        "() => { const i = new Image(); i.src = 'http://localhost:1/font.woff2'; }"
    )
    contest_page.wait_for_timeout(200)
    foreign = network.log_of(contest_page).foreign_requests(live_server.url)
    assert foreign == ["http://localhost:1/font.woff2"]


def test_an_unlabelled_field_is_a_serious_accessibility_problem(contest_page):
    assert blocking(axe_violations(contest_page)) == []
    contest_page.evaluate(
        "() => document.querySelector('main').append(document.createElement('input'))"
    )
    assert "label" in {v["id"] for v in blocking(axe_violations(contest_page))}


def test_screen_problems_fail_the_test_at_its_end(contest_page, check_screen):
    contest_page.evaluate(
        "() => { document.querySelector('h1').textContent = 'No contest is open at the moment.'; }"
    )
    check_screen(contest_page, "check-english-heading", shot=False)
    found, screens.PROBLEMS[:] = list(screens.PROBLEMS), []
    screens.MEASURED.pop()  # a page broken on purpose: not one of the app's screens
    assert len(found) == 1 and "No contest is open at the moment." in found[0]
