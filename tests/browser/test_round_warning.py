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
    from quiz.extensions import db
    from quiz.models import Unit
    from tests.factories import make_bank, make_contest, make_units

    with app.app_context():
        make_units()
        owner = db.session.scalar(db.select(Unit).where(Unit.code == UNIT_CODE))
        round_id = make_contest(make_bank(), owner=owner).rounds[0].id  # 3 attempts, key at once
    create_organizer(app)
    page = open_page(viewport=DESKTOP)
    page.goto(f"/console/rounds/{round_id}/edit")
    sign_in(page)
    warning = page.get_by_text(vi(WARNING))
    expect(warning).to_be_visible()
    attempts = page.get_by_label(vi("Attempts per entrant (empty: unlimited)"))
    attempts.fill("1")
    expect(warning).to_be_hidden()
    attempts.fill("")  # unlimited
    expect(warning).to_be_visible()
    page.get_by_label(vi("Show correct answers")).select_option("after_close")
    expect(warning).to_be_hidden()
