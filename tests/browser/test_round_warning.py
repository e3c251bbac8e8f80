"""The round form warns, as it is changed, when entrants could learn the key and retake."""

from __future__ import annotations

from tests.browser.catalog import vi
from tests.browser.conftest import DESKTOP
from tests.browser.organizer import UNIT_CODE, create_organizer, sign_in
from tests.browser.screens import expect

WARNING = (
    "Correct answers are shown right after each attempt and entrants may try more than once: "
    "they can learn the answers and take the round again."
)


def test_the_warning_follows_attempts_and_when_answers_are_shown(app, open_page):
    page = _round_form(app, open_page)
    warning = page.get_by_text(vi(WARNING))
    expect(warning).to_be_visible()
    attempts = page.get_by_label(vi("Attempts per entrant (empty: unlimited)"))
    attempts.fill("1")
    expect(warning).to_be_hidden()
    attempts.fill("")  # unlimited
    expect(warning).to_be_visible()
    page.get_by_label(vi("Show correct answers")).select_option("after_close")
    expect(warning).to_be_hidden()


def test_values_typed_before_the_script_ran_are_taken_into_account(app, open_page):
    """console.js is deferred: on a slow phone the organizer may type before it runs."""
    page = _round_form(app, open_page)
    warning = page.get_by_text(vi(WARNING))
    expect(warning).to_be_visible()
    script = page.locator("script[src*='console']").get_attribute("src")
    page.route("**/console*.js*", lambda route: route.abort())  # the script has not come yet
    page.reload()
    page.get_by_label(vi("Attempts per entrant (empty: unlimited)")).fill("1")
    expect(warning).to_be_visible()  # nothing has run yet
    page.unroute("**/console*.js*")
    page.add_script_tag(url=script)  # now it comes
    expect(warning).to_be_hidden()


def _round_form(app, open_page):
    """The organizer signed in on the form of a round with 3 attempts and the key shown at once."""
    from quiz.extensions import db
    from quiz.models import Unit
    from tests.factories import make_bank, make_contest, make_units

    with app.app_context():
        make_units()
        owner = db.session.scalar(db.select(Unit).where(Unit.code == UNIT_CODE))
        round_id = make_contest(make_bank(), owner=owner).rounds[0].id
    create_organizer(app)
    page = open_page(viewport=DESKTOP)
    page.goto(f"/console/rounds/{round_id}/edit")
    sign_in(page)
    return page
