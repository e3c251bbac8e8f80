"""What a phone shows of errors and of the console's header (issue 10).

A field with an error is marked the same way whatever its kind (text box,
list, radio buttons, check box); the console's menu on the scanning page
takes a few lines, not a third of a 360×740 screen.
"""

from __future__ import annotations

import contextlib

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.catalog import vi
from tests.browser.entrant import submit_registration
from tests.browser.organizer import create_organizer, sign_in
from tests.browser.screens import expect

MARKS_JS = """() => Array.from(document.querySelectorAll('.has-error')).map(el => {
  const style = getComputedStyle(el);
  const control = el.querySelector('input:not([type=hidden]), select, textarea');
  const c = getComputedStyle(control);
  const choice = ['radio', 'checkbox'].includes(control.type);
  return {
    kind: control.tagName.toLowerCase() + (control.type ? ':' + control.type : ''),
    bar: style.borderLeftWidth + ' ' + style.borderLeftStyle + ' ' + style.borderLeftColor,
    control: choice ? c.outlineColor : c.borderTopColor,
  };
})"""


def test_fields_with_errors_are_marked_one_way_whatever_their_kind(phone, contest):
    phone.goto(f"{contest.path}/register")
    submit_registration(phone)  # everything empty
    expect(phone.get_by_text(vi("Please correct the fields marked below."))).to_be_visible()
    marks = phone.evaluate(MARKS_JS)
    kinds = {m["kind"].split(":")[0] if "select" in m["kind"] else m["kind"] for m in marks}
    assert {"input:text", "input:radio", "input:checkbox"} <= kinds | {"input:tel"}, kinds
    assert any(k.startswith("select") for k in kinds), kinds
    assert {m["bar"] for m in marks} == {"4px solid rgb(164, 0, 15)"}, marks
    assert {m["control"] for m in marks} == {"rgb(164, 0, 15)"}, marks


def test_console_menu_stays_compact_on_a_phone(app, phone):
    from quiz.extensions import db
    from quiz.models import Unit
    from tests.browser.organizer import UNIT_CODE
    from tests.conferences.helpers import make_conference
    from tests.factories import make_units

    with app.app_context():
        make_units()
        unit_id = db.session.scalar(db.select(Unit.id).where(Unit.code == UNIT_CODE))
        conference_id = make_conference(unit_id).id
    create_organizer(app)
    phone.goto(f"/console/conferences/{conference_id}/scan")
    sign_in(phone)
    expect(phone.get_by_role("heading", name=vi("Check-in"), exact=False)).to_be_visible()
    menu = phone.get_by_role("navigation", name=vi("Console"))
    expect(menu.get_by_role("link", name=vi("Conferences"))).to_be_attached()
    # Measured once the page has settled: once in three full runs the menu measured
    # 123 px, the height of its links with no console stylesheet applied (cause not
    # found; the page had shown its heading). The wait changes nothing of what is
    # required: if the menu never becomes compact, the assertions below fail.
    with contextlib.suppress(PlaywrightTimeout):  # the assertions below say what is wrong
        phone.wait_for_function(
            """() => document.querySelector('header.top').getBoundingClientRect().height <= 740 / 4
                && document.querySelector('nav.menu').getBoundingClientRect().height < 50""",
            timeout=5000,
        )
    header = phone.locator("header.top").bounding_box()
    assert header["height"] <= 740 / 4, header
    assert menu.bounding_box()["height"] < 50, menu.bounding_box()
