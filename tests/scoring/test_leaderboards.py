"""Live Redis leaderboards agree with the database ranking, ties included."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from quiz.catalog.rounds import clear_caches, get_round
from quiz.extensions import db, get_board_redis
from quiz.models import Round, Score
from quiz.models.contests import CountingRule, PredictionReference
from quiz.scoring import keys
from quiz.scoring.jobs import close_round, drain_submissions
from quiz.scoring.leaderboard import Leaderboard, leaderboard
from quiz.scoring.standings import (
    rebuild_all,
    standings_for_contest,
    standings_for_round,
)
from quiz.timeutil import now_ms, utcnow
from tests.factories import make_bank, make_contest, make_entrant
from tests.scoring.simulate import play

ORDERS = {
    "default": ("correct", "time", "prediction", "submitted"),
    "national": ("correct", "prediction", "submitted"),
    "started": ("correct", "prediction", "time", "started"),
}


def _contest_of(round_id: int) -> int:
    return get_round(round_id).contest_id


def live_ranks(board: Leaderboard, round_id: int) -> list[tuple[int, int]]:
    return sorted(
        (e.rank, e.entrant_id) for e in board.top(_contest_of(round_id), round_id, 10_000)
    )


def db_ranks(round_id: int) -> list[tuple[int, int]]:
    return sorted(
        (s.rank, s.entrant_id) for s in standings_for_round(get_round(round_id, fresh=True))
    )


def populate(rounds: list[int], entrants: int, seed: int) -> None:
    rng = random.Random(seed)
    people = [make_entrant(n).id for n in range(1, entrants + 1)]
    base = now_ms() - 10 * 60_000
    for round_id in rounds:
        for person in people:
            for _ in range(rng.randint(1, 3)):
                # Few distinct values on purpose: many entrants tie on several keys.
                play(
                    round_id,
                    person,
                    rng,
                    start_ms=base + rng.choice([0, 1000]),
                    right=rng.choice([3, 4, 5]),
                    duration_ms=rng.choice([30_000, 45_000]),
                    prediction=rng.choice([None, 10, 20, 40]),
                )
    drain_submissions(max_seconds=30)


@pytest.mark.parametrize("rule", list(CountingRule))
@pytest.mark.parametrize("order", list(ORDERS))
def test_live_round_board_equals_database_ranking(ctx, rule, order):
    bank = make_bank()
    contest = make_contest(
        bank,
        order=ORDERS[order],
        counting_rule=rule,
        max_attempts=None,
        prediction_reference=PredictionReference.ENTRANTS,
    )
    round_id = contest.rounds[0].id
    populate([round_id], entrants=40, seed=hash((rule, order)) % 1000)
    board = leaderboard()
    live = live_ranks(board, round_id)
    assert len(live) == 40
    assert live == db_ranks(round_id)
    assert len({rank for rank, _ in live}) < 40  # the data does contain ties
    for rank, entrant in live[:10]:
        assert board.rank_of(_contest_of(round_id), round_id, entrant).rank == rank


def test_contest_board_aggregates_rounds_like_the_database(ctx):
    contest = make_contest(make_bank(), rounds=2, max_attempts=None)
    second = db.session.scalar(select(Round).where(Round.number == 2))
    second.starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    clear_caches()
    populate([r.id for r in contest.rounds], entrants=30, seed=11)
    board = leaderboard()
    live = sorted((e.rank, e.entrant_id) for e in board.contest_top(contest.id, 1000))
    _parts, standings = standings_for_contest(contest.id)
    assert live == sorted((s.rank, s.entrant_id) for s in standings)
    assert len(live) == 30


def test_rebuild_from_the_database_reproduces_the_live_board(ctx):
    contest = make_contest(make_bank(), max_attempts=None)
    round_id = contest.rounds[0].id
    populate([round_id], entrants=25, seed=5)
    board = leaderboard()
    before = live_ranks(board, round_id)
    boards = get_board_redis()
    boards.delete(*boards.keys(keys.boards_pattern()))
    assert live_ranks(board, round_id) == []
    rebuild_all(contest.id)
    assert live_ranks(board, round_id) == before


def test_prediction_reference_is_frozen_when_the_round_closes(ctx):
    contest = make_contest(
        make_bank(),
        max_attempts=None,
        prediction_reference=PredictionReference.FULL_CORRECT_ENTRANTS,
    )
    round_id = contest.rounds[0].id
    rng = random.Random(3)
    people = [make_entrant(n).id for n in range(1, 6)]
    for person, right in zip(people, [5, 5, 5, 2, 1], strict=True):
        play(round_id, person, rng, right=right, prediction=person, duration_ms=30_000)
    drain_submissions(max_seconds=10)
    assert close_round(round_id)
    db.session.expire_all()
    assert db.session.get(Round, round_id).prediction_value == 3
    # After the close the board ranks by prediction error: entrant 3 guessed 3.
    board = leaderboard()
    top = board.top(contest.id, round_id, 3)
    assert [e.entrant_id for e in top][:1] == [people[2]]
    assert live_ranks(board, round_id) == db_ranks(round_id)
    # The data behind it changes (a score removed); the frozen value does not.
    db.session.execute(Score.__table__.delete().where(Score.entrant_id == people[0]))
    db.session.commit()
    assert not close_round(round_id)
    db.session.expire_all()
    assert db.session.get(Round, round_id).prediction_value == 3
