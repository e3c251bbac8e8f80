"""An entrant's hands on the pages: what they fill in, tap and read.

Fields are found by their Vietnamese labels, as a person finds them, so a
field that loses its label fails here before axe-core says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.browser.catalog import vi
from tests.browser.screens import expect

RIGHT_ANSWER = "Đáp án 0 của câu"  # the test bank's right option, wherever it is shown
NAME = "Nguyễn Thị Thử"
PHONE = "0900000123"
BIRTH_YEAR = "1990"
ATTEMPT_URL = re.compile(r"/a/[^/]+$")
RESULT_URL = re.compile(r"/a/[^/]+/result")


def fill_registration(page, contest, *, phone: str, javascript: bool = True) -> None:
    """Fill the registration form (unit by the accent-free search when there is JavaScript)."""
    page.get_by_label(vi("Full name")).fill(NAME)
    page.get_by_label(vi("Year of birth")).fill(BIRTH_YEAR)
    page.get_by_role("radio", name=vi("Female")).check()
    page.get_by_label(vi("Mobile phone number")).fill(phone)
    unit = page.get_by_label(vi("Unit (commune, district or agency)"))
    if javascript:
        page.get_by_label(vi("Search your unit")).fill(contest.unit_search)
    else:
        value = unit.locator("option", has_text=contest.unit).get_attribute("value")
        unit.select_option(value)
    page.get_by_label(vi("Occupation")).select_option("other")
    page.get_by_label(
        vi("I agree that the organizers process these details to run the contest.")
    ).check()


def submit_registration(page) -> None:
    page.get_by_role("button", name=vi("Register"), exact=True).click()


def wait_for_attempt_page(page) -> None:
    """On the attempt page, its script running (a tap before that is saved only once it
    runs: tests/browser/test_before_scripts.py), so a tap's save state can be read."""
    expect(page).to_have_url(ATTEMPT_URL)
    page.wait_for_load_state("load")


def question(page, position: int):
    return page.locator(f'fieldset.question[data-q="{position}"]')


def question_count(page) -> int:
    return page.locator("fieldset.question[data-q]:not(.prediction)").count()


def option(page, position: int, *, right: bool):
    """The option label to tap: the right one, or the first wrong one."""
    labels = question(page, position).locator("label.option")
    if right:
        return labels.filter(has_text=RIGHT_ANSWER)
    return labels.filter(has_not_text=RIGHT_ANSWER).first


def save_state(page, position: int):
    return page.locator(f'[data-state-for="{position}"]')


@dataclass(frozen=True)
class PaperOnScreen:
    """What the entrant sees of the paper: questions, options in order, what is ticked."""

    questions: tuple[str, ...]
    options: tuple[tuple[str, ...], ...]
    ticked: tuple[tuple[str, ...], ...]


PAPER_JS = """() => Array.from(document.querySelectorAll("fieldset.question[data-q]"))
  .filter(f => f.dataset.q !== "p")
  .map(f => [
    f.querySelector("legend").innerText,
    Array.from(f.querySelectorAll("label.option")).map(l => l.innerText),
    Array.from(f.querySelectorAll("input:checked")).map(i => i.value),
  ])"""


def paper_on_screen(page) -> PaperOnScreen:
    rows = page.evaluate(PAPER_JS)
    return PaperOnScreen(
        tuple(r[0] for r in rows),
        tuple(tuple(r[1]) for r in rows),
        tuple(tuple(r[2]) for r in rows),
    )
