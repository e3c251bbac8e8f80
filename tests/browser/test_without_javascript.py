"""Journey 3: with JavaScript off, an entrant still registers, answers and submits.

Old browsers, data-saver modes and a script that failed to load all leave a
page without its script: the forms alone must carry the contest.
"""

from __future__ import annotations

import pytest

from tests.browser.catalog import vi
from tests.browser.entrant import (
    NAME,
    PHONE,
    fill_registration,
    option,
    paper_on_screen,
    submit_registration,
    wait_for_attempt_page,
)
from tests.browser.screens import expect

pytestmark = pytest.mark.browser


def test_entrant_without_javascript_answers_and_submits(
    open_page, contest, live_server, check_screen
):
    page = open_page(javascript=False)
    page.goto(f"{contest.path}/register")
    expect(page.get_by_label(vi("Search your unit"))).to_be_hidden()  # it needs the script
    fill_registration(page, contest, phone=PHONE, javascript=False)
    submit_registration(page)
    expect(page.get_by_text(vi("Signed in as"))).to_contain_text(NAME)

    page.get_by_role("button", name=vi("Start an attempt")).tap()
    wait_for_attempt_page(page)
    for position in range(5):
        option(page, position, right=position < 3).tap()
    assert all(len(ticked) == 1 for ticked in paper_on_screen(page).ticked)
    check_screen(page, "entrant-13-attempt-without-javascript")

    page.get_by_role("button", name=vi("Submit my answers")).tap()
    expect(page.get_by_role("heading", name=vi("Your answers have been received"))).to_be_visible()
    assert live_server.drain() == 1
    # The page refreshes itself without a script too (a meta refresh).
    expect(page.locator(".score")).to_contain_text(vi("%(c)s of %(t)s correct", c=3, t=5))
    check_screen(page, "entrant-14-result-without-javascript")
