"""What a person sees of the prize rules (issue 10): the prizes and their minimum of correct
answers before anyone starts, the published results with "—" where a figure does not apply,
a revoked prize gone from them, and a participation certificate once the round has ended.
"""

from __future__ import annotations

import pytest

from tests.browser.catalog import vi
from tests.browser.conftest import DESKTOP
from tests.browser.entrant import ATTEMPT_URL, RESULT_URL, option, save_state
from tests.browser.screens import expect

pytestmark = pytest.mark.browser

ROUND = {
    "prizes": {"first": 1, "second": 1},
    "prize_min_correct": {"first": 4, "second": 4},
    "certificate_min_correct": 2,
}
OTHERS = [("Trần Văn Nhất", "0900000501", 5), ("Lê Thị Nhì", "0900000502", 4)]


def take_the_paper_with_two_right(page, contest) -> None:
    page.goto(contest.path)
    page.get_by_role("button", name=vi("Start an attempt")).tap()
    expect(page).to_have_url(ATTEMPT_URL)
    page.wait_for_load_state("load")
    for position in range(5):
        option(page, position, right=position < 2).tap()
        expect(save_state(page, position)).to_have_text(vi("Saved"))
    page.get_by_role("button", name=vi("Submit my answers")).tap()
    expect(page).to_have_url(RESULT_URL)


def test_prize_rules_shown_up_front_results_revoked_and_a_participation_certificate(
    app, phone, open_page, open_contest, sign_in_entrant, live_server
):
    from tests.players import Player
    from tests.results.conftest import answer

    contest = open_contest(**ROUND)
    page = phone
    page.goto(contest.path)
    prizes = page.locator("ul.prizes")
    least = vi("at least %(n)s correct answers", n=4)
    expect(prizes).to_contain_text(f"{vi('First prize')}: 1 · {least}")
    expect(prizes).to_contain_text(f"{vi('Second prize')}: 1 · {least}")
    expect(prizes).to_contain_text(vi("Participation certificate from %(n)s correct answers", n=2))

    sign_in_entrant(page, contest)
    take_the_paper_with_two_right(page, contest)  # below every prize's minimum
    for name, number, right in OTHERS:
        player = Player(app.test_client(), contest.slug)
        player.register(phone=number, unit=str(contest.unit_id), full_name=name)
        answer(app, player, right)
    assert live_server.drain() == 3
    publish_and_revoke = PrizeDesk(app)
    publish_and_revoke.publish()

    desk = open_page(viewport=DESKTOP)
    desk.goto(f"{contest.path}/results")
    rows = desk.locator("table.board tbody tr")
    expect(rows).to_have_count(2)  # 2 right: no prize, whatever the ranking
    expect(rows.nth(0)).to_contain_text("Trần V. N.")
    expect(rows.nth(1)).to_contain_text("Lê T. N.")
    expect(rows.nth(0).locator("td").last).to_have_text("—")  # no prediction question
    publish_and_revoke.revoke("Lê Thị Nhì")
    desk.reload()
    expect(rows).to_have_count(1)
    expect(desk.locator("main")).not_to_contain_text("Lê T. N.")

    publish_and_revoke.close_round()
    page.goto(f"{contest.path}/my-attempts")
    page.get_by_role("link", name=vi("Certificate of participation")).tap()
    expect(page.get_by_role("heading", name=vi("Certificate of participation"))).to_be_visible()
    expect(page.locator(".certificate")).to_contain_text("Người Thử Nghiệm")


class PrizeDesk:
    """The organizers' side, done through the area functions the console calls."""

    def __init__(self, app) -> None:
        self.app = app

    def _round_id(self) -> int:
        from sqlalchemy import select

        from quiz.extensions import db
        from quiz.models import Round

        return db.session.scalar(select(Round.id))

    def publish(self) -> None:
        from quiz.extensions import db
        from quiz.reports.winners import publish_winners

        with self.app.app_context():
            publish_winners(self._round_id())
            db.session.commit()

    def revoke(self, full_name: str) -> None:
        from sqlalchemy import select

        from quiz.extensions import db
        from quiz.models import Entrant, Winner
        from quiz.reports.winners import revoke_winner

        with self.app.app_context():
            winner = db.session.scalar(
                select(Winner)
                .join(Entrant, Entrant.id == Winner.entrant_id)
                .where(Entrant.full_name == full_name)
            )
            revoke_winner(winner, "không xác minh được danh tính")
            db.session.commit()

    def close_round(self) -> None:
        from tests.results.conftest import close

        with self.app.app_context():
            round_id = self._round_id()
        close(self.app, round_id)
