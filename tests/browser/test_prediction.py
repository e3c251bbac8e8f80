"""The prediction typed on a phone is read by the server's one parser, as a whole-form submit is."""

from __future__ import annotations

import pytest

from tests.browser.catalog import vi
from tests.browser.entrant import wait_for_attempt_page
from tests.browser.screens import expect

pytestmark = pytest.mark.browser


def test_a_typed_prediction_is_saved_as_the_server_reads_it(
    phone, open_contest, sign_in_entrant, live_server
):
    contest = open_contest(prediction_reference="entrants", prediction_prompt="Bao nhiêu người?")
    page = phone
    sign_in_entrant(page, contest)
    page.goto(contest.path)
    page.get_by_role("button", name=vi("Start an attempt")).tap()
    wait_for_attempt_page(page)
    field, state = page.locator("#p"), page.locator('[data-state-for="p"]')
    field.fill("-12")
    field.blur()  # "change"
    expect(state).to_have_text(vi("The prediction must be a whole number (digits only)."))
    field.fill("1,000")
    field.blur()
    expect(state).to_have_text(vi("Saved"))
    page.reload()
    expect(page.locator("#p")).to_have_value("1000")  # what the server stored
