"""A session gone stale while someone filled the registration form on a phone (issue 10).

Nothing is sent, the page says why, and every field still shows what was
typed or picked (text boxes, the gender radio, the unit from the search,
the occupation list, the consent box): sending again registers.
"""

from __future__ import annotations

import pytest

from tests.browser.catalog import vi
from tests.browser.entrant import BIRTH_YEAR, NAME, PHONE, fill_registration, submit_registration
from tests.browser.screens import expect

pytestmark = pytest.mark.browser

STALE = (
    "This page was open a long time and its session expired, so nothing was sent. "
    "What you typed is kept: check it and send the form again."
)
CONSENT = "I agree that the organizers process these details to run the contest."


def test_a_stale_session_keeps_the_registration_form_and_asks_again(phone, contest):
    page = phone
    page.goto(f"{contest.path}/register")
    fill_registration(page, contest, phone=PHONE)
    page.context.clear_cookies()  # the session expired while the form was being filled
    submit_registration(page)

    expect(page.get_by_text(vi(STALE))).to_be_visible()
    expect(page.get_by_label(vi("Full name"))).to_have_value(NAME)
    expect(page.get_by_label(vi("Year of birth"))).to_have_value(BIRTH_YEAR)
    expect(page.get_by_role("radio", name=vi("Female"))).to_be_checked()
    expect(page.get_by_label(vi("Mobile phone number"))).to_have_value(PHONE)
    unit = page.get_by_label(vi("Unit (commune, district or agency)"))
    expect(unit).to_have_value(str(contest.unit_id))
    expect(page.get_by_label(vi("Occupation"))).to_have_value("other")
    expect(page.get_by_label(vi(CONSENT))).to_be_checked()

    submit_registration(page)  # nothing retyped
    expect(page.get_by_text(vi("Signed in as"))).to_contain_text(NAME)
