"""Journey 1: an entrant on a phone, from the contest page to the leaderboard.

Each step asserts what the person sees, in Vietnamese, and each main screen
passes check_screen (page weight, origin, translations, axe-core, picture).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.catalog import vi
from tests.browser.entrant import (
    BIRTH_YEAR,
    NAME,
    PHONE,
    fill_registration,
    option,
    paper_on_screen,
    question,
    question_count,
    save_state,
    submit_registration,
    wait_for_attempt_page,
)
from tests.browser.screens import expect
from tests.players import Player

pytestmark = pytest.mark.browser

WRONG_PHONE = "0912 345"


def test_entrant_on_a_phone_registers_answers_resumes_submits_and_sees_rank(
    phone, contest, live_server, check_screen
):
    page = phone
    page.goto(contest.path)
    expect(page.get_by_role("heading", level=1)).to_have_text(contest.title)
    check_screen(page, "entrant-1-contest")

    page.get_by_role("link", name=vi("Register to take part")).tap()
    fill_registration(page, contest, phone=WRONG_PHONE)
    submit_registration(page)
    message = vi(
        "A mobile number has 10 digits starting with 0 (e.g. 0912 345 678); you typed %(n)s.", n=7
    )
    field = page.get_by_label(vi("Mobile phone number"))
    expect(page.get_by_role("alert")).to_have_text(vi("Please correct the fields marked below."))
    expect(field).to_have_attribute("aria-invalid", "true")
    hint = vi("Your phone number identifies you when you come back.")
    expect(field).to_have_accessible_description(f"{hint} {message}")  # hint and error, tied
    expect(page.get_by_label(vi("Full name"))).to_have_value(NAME)  # nothing else to retype
    check_screen(page, "entrant-2-register-wrong-phone")

    field.fill(PHONE)
    submit_registration(page)
    expect(page.get_by_text(vi("Signed in as"))).to_contain_text(NAME)
    check_screen(page, "entrant-3-signed-in")

    page.get_by_role("button", name=vi("Start an attempt")).tap()
    wait_for_attempt_page(page)
    assert question_count(page) == 5
    for position in range(3):
        option(page, position, right=position != 1).tap()
        expect(save_state(page, position)).to_have_text(vi("Saved"))
    before = paper_on_screen(page)
    check_screen(page, "entrant-4-attempt")

    page.reload()
    after = paper_on_screen(page)
    assert after == before  # the same questions, options in the same order, same answers
    assert [len(t) for t in after.ticked] == [1, 1, 1, 0, 0]

    for position in (3, 4):
        option(page, position, right=True).tap()
        expect(save_state(page, position)).to_have_text(vi("Saved"))
    page.get_by_role("button", name=vi("Submit my answers")).tap()
    expect(page.get_by_role("heading", name=vi("Your answers have been received"))).to_be_visible()
    expect(page.locator(".code")).to_have_text(re.compile(r"^[A-Z0-9-]{6,}$"))
    expect(page.get_by_text(vi("Scoring… this page updates by itself."))).to_be_visible()
    check_screen(page, "entrant-5-receipt")

    assert live_server.drain() == 1
    # The page updates by itself once the score is there.
    expect(page.locator(".score")).to_contain_text(vi("%(c)s of %(t)s correct", c=4, t=5))
    rank = vi("Your rank in this round: %(rank)s of %(n)s", rank=1, n=1)
    expect(page.locator(".score")).to_contain_text(rank)
    check_screen(page, "entrant-6-result")

    page.get_by_role("link", name=vi("Leaderboard"), exact=True).tap()
    expect(page.locator(".mine")).to_have_text(vi("Your rank: %(rank)s", rank=1))
    expect(page.locator("tr.me")).to_contain_text(NAME)
    check_screen(page, "entrant-7-leaderboard")


def test_returning_entrant_signs_in_on_another_device_and_continues(
    app, phone, contest, check_screen
):
    first_device = Player(app.test_client(), contest.slug)
    first_device.register(phone=PHONE, unit=str(contest.unit_id), full_name=NAME)
    token = first_device.start()
    first_device.save(token, q=2, c="1")

    page = phone
    page.goto(f"{contest.path}/login")
    page.get_by_label(vi("Mobile phone number")).fill(PHONE)
    year = page.get_by_label(vi("Year of birth"))
    year.fill("1991")
    page.get_by_role("button", name=vi("Continue")).tap()
    message = vi(
        "This phone number and year of birth do not match any registration. Check both; "
        "if this is your first time, register."
    )
    expect(year).to_have_accessible_description(message)
    check_screen(page, "entrant-8-sign-in-wrong-year")

    page.get_by_label(vi("Year of birth")).fill(BIRTH_YEAR)
    page.get_by_role("button", name=vi("Continue")).tap()
    page.get_by_role("button", name=vi("Continue my attempt")).tap()
    expect(page).to_have_url(re.compile(f"/a/{re.escape(token)}$"))
    expect(question(page, 2).locator("input[value='1']")).to_be_checked()
    assert sum(len(t) for t in paper_on_screen(page).ticked) == 1


def test_busy_start_shows_the_wait_page_and_retries_by_itself(
    app, phone, contest, sign_in_entrant, check_screen
):
    app.config.update(START_RATE_PER_SECOND=1, START_BURST=1)
    someone_else = Player(app.test_client(), contest.slug)
    someone_else.register(phone="0900000999", unit=str(contest.unit_id))

    def someone_else_starts_first(route) -> None:
        someone_else.start()  # takes the only start there is room for this second
        route.continue_()

    page = phone
    sign_in_entrant(page, contest)
    page.goto(contest.path)
    page.route("**/r/1/start", someone_else_starts_first, times=1)
    page.get_by_role("button", name=vi("Start an attempt")).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        vi("Many people are starting at this moment")
    )
    check_screen(page, "entrant-9-please-wait")
    # No tap needed: the page counts down and tries again.
    wait_for_attempt_page(page)
    assert question_count(page) == 5
