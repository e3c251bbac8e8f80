"""A contest with three registered entrants who submitted, and helpers to publish prizes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from quiz.catalog.rounds import clear_caches
from quiz.contest.attempts import engine
from quiz.extensions import db
from quiz.models import Round
from quiz.reports.winners import publish_winners
from quiz.scoring.jobs import close_round, drain_submissions
from quiz.scoring.persistence import load_attempt
from tests.factories import make_bank, make_contest, make_units
from tests.players import Player

NAMES = ["Trần Thị Thử Nghiệm", "Lê Văn Mẫu", "Phạm Minh Ví Dụ"]


def answer(app, player: Player, right: int) -> str:
    """Start an attempt and submit it with the first `right` questions answered correctly."""
    token = player.start()
    with app.app_context():
        paper = load_attempt(engine().signer.verify(token).attempt_id).paper
    answers = {}
    for i, (_qid, order) in enumerate(paper):
        shown = order.index("0")  # test banks: the first original option is right
        answers[f"q{i}"] = str(shown if i < right else (shown + 1) % 4)
    player.submit(token, answers)
    return token


@dataclass
class Played:
    players: list[Player]
    tokens: list[str]
    round_id: int


@pytest.fixture
def played(app) -> Played:
    """Entrants 0, 1, 2 with 5, 4 and 2 right answers out of 5, scored."""
    with app.app_context():
        units = make_units()
        contest = make_contest(make_bank(), owner=units["P"])
        round_ = contest.rounds[0]
        round_.prizes = {"first": 1, "second": 1, "third": 1}
        round_.prize_min_correct = {"third": 3}
        round_.certificate_min_correct = 3
        db.session.commit()
        round_id, commune = round_.id, units["D1-C1"].id
    players, tokens = [], []
    for n, (name, right) in enumerate(zip(NAMES, (5, 4, 2), strict=True)):
        player = Player(app.test_client())
        response = player.register(phone=f"09000001{n:02d}", unit=str(commune), full_name=name)
        assert response.status_code == 303, response.text
        tokens.append(answer(app, player, right))
        players.append(player)
    with app.app_context():
        drain_submissions(max_seconds=10)
    return Played(players, tokens, round_id)


def publish(app, round_id: int) -> None:
    with app.app_context():
        publish_winners(round_id)
        db.session.commit()


def close(app, round_id: int) -> None:
    """End the round now and run the close job, as the scheduler would."""
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.id == round_id))
        from quiz.contest.setup import close_round_now

        close_round_now(round_)
        db.session.commit()
        assert close_round(round_id)
        clear_caches()
