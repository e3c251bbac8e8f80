"""The attempt with a keyboard only: Tab, arrow keys, Space and Enter, never a tap.

Entrants include people who cannot use a touch screen or a mouse, and
phones with a hardware keypad or a Bluetooth keyboard.
"""

from __future__ import annotations

import pytest

from tests.browser.catalog import vi
from tests.browser.entrant import save_state, wait_for_attempt_page
from tests.browser.screens import expect

pytestmark = pytest.mark.browser

FOCUSED_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const seen = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return {tag: el.tagName, name: el.name || "", value: el.value || "", text: el.innerText || "",
          outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth),
          hidden_under: seen && !el.contains(seen) && !seen.contains(el) ? seen.className : ""};
}"""


def tab_to(page, wanted, limit: int = 40) -> dict:
    """Press Tab until `wanted(focused)` holds; each stop shows a focus ring, uncovered."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        assert focused["outline"] >= 2, f"no visible focus on {focused}"
        assert not focused["hidden_under"], f"the focused element is covered: {focused}"
        if wanted(focused):
            return focused
    raise AssertionError(f"Tab never reached the wanted element in {limit} presses")


def test_attempt_is_usable_with_the_keyboard_only(open_page, contest, sign_in_entrant):
    page = open_page()  # a phone with a keyboard attached
    sign_in_entrant(page, contest)
    page.goto(contest.path)
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == vi("Start an attempt"))
    page.keyboard.press("Enter")
    wait_for_attempt_page(page)

    tab_to(page, lambda f: f["name"] == "q0")
    page.keyboard.press("Space")
    expect(page.locator("input[name=q0]:checked")).to_have_count(1)
    expect(save_state(page, 0)).to_have_text(vi("Saved"))
    page.keyboard.press("ArrowDown")  # another option of the same question
    expect(page.locator("input[name=q0][value='1']")).to_be_checked()
    expect(save_state(page, 0)).to_have_text(vi("Saved"))

    tab_to(page, lambda f: f["name"] == "q1")
    page.keyboard.press("Space")
    expect(save_state(page, 1)).to_have_text(vi("Saved"))
    page.reload()
    expect(page.locator("input[name=q0][value='1']")).to_be_checked()  # the arrow key's choice
    expect(page.locator("input[name=q1]:checked")).to_have_count(1)

    page.once("dialog", lambda dialog: dialog.accept())  # three questions left unanswered
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == vi("Submit my answers"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=vi("Your answers have been received"))).to_be_visible()
