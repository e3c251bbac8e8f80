"""Journey 2: the time runs out. The saved answers are what counts, and the page says so.

The server clock is moved forward (`server_clock`) so the deadline comes in
seconds; the browser keeps its own clock, as a phone would.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.catalog import vi
from tests.browser.entrant import RESULT_URL, option, save_state, wait_for_attempt_page
from tests.browser.screens import expect

pytestmark = pytest.mark.browser

TIME_LIMIT_MS = 600_000  # the factory's round: ten minutes
GRACE_MS = 10_000  # NETWORK_GRACE_SECONDS


def start_attempt(page, contest) -> None:
    page.goto(contest.path)
    page.get_by_role("button", name=vi("Start an attempt")).tap()
    wait_for_attempt_page(page)


def test_timer_runs_out_and_the_page_submits_the_saved_answers(
    phone, contest, sign_in_entrant, server_clock, live_server, check_screen
):
    page = phone
    sign_in_entrant(page, contest)
    start_attempt(page, contest)
    server_clock.offset_ms = TIME_LIMIT_MS - 6_000
    page.reload()  # six seconds left, says the server; the page's timer takes it from there
    expect(page.get_by_role("timer")).to_have_class(re.compile(r"\blow\b"))
    for position in (0, 1):
        option(page, position, right=True).tap()
        expect(save_state(page, position)).to_have_text(vi("Saved"))

    # Nobody taps "Submit": the timer does it when it reaches zero.
    expect(page).to_have_url(RESULT_URL, timeout=15_000)
    expect(page.get_by_role("heading", name=vi("Your answers have been received"))).to_be_visible()
    assert live_server.drain() == 1
    expect(page.locator(".score")).to_contain_text(vi("%(c)s of %(t)s correct", c=2, t=5))
    check_screen(page, "entrant-10-time-up")
    note = vi("The time was up: only the answers saved or sent before the deadline count.")
    expect(page.get_by_text(note)).to_be_visible()


def test_answers_not_saved_by_the_deadline_do_not_count(
    phone, contest, sign_in_entrant, server_clock, live_server, check_screen
):
    page = phone
    sign_in_entrant(page, contest)
    start_attempt(page, contest)
    option(page, 0, right=True).tap()
    expect(save_state(page, 0)).to_have_text(vi("Saved"))

    page.route("**/save", lambda route: route.abort("internetdisconnected"))
    option(page, 1, right=True).tap()
    expect(save_state(page, 1)).to_have_text(vi("Not saved yet (no connection); retrying…"))
    check_screen(page, "entrant-11-not-saved")

    # The entrant comes back to Submit only after the deadline and its grace period;
    # the form carries the answer whose save never got through.
    server_clock.offset_ms = TIME_LIMIT_MS + GRACE_MS + 1_000
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name=vi("Submit my answers")).tap()
    expect(page).to_have_url(RESULT_URL)
    assert dialogs == [vi("Some questions are not answered yet. Submit anyway?")]
    note = vi("The time was up: only the answers saved or sent before the deadline count.")
    expect(page.get_by_text(note)).to_be_visible()
    assert live_server.drain() == 1
    # The second answer reached the server only with the late submit: it does not count.
    expect(page.locator(".score")).to_contain_text(vi("%(c)s of %(t)s correct", c=1, t=5))
    check_screen(page, "entrant-12-late-submit")
