"""Rankings computed from the database: the authority for final results.

Live boards in Redis are a fast copy; these functions are what they are
checked against and rebuilt from.
"""

from __future__ import annotations

from sqlalchemy import distinct, exists, func, select

from quiz.catalog.rounds import RoundInfo, get_round
from quiz.extensions import db
from quiz.models import Disqualification, Round, Score
from quiz.models.contests import PredictionReference
from quiz.scoring.leaderboard import leaderboard
from quiz.scoring.ranking import Parts, Result, Standing, rank_parts, round_standings

_RESULT_COLUMNS = (
    Score.entrant_id,
    Score.attempt_id,
    Score.seq,
    Score.correct,
    Score.total,
    Score.time_used_ms,
    Score.prediction,
    Score.submitted_at_ms,
    Score.started_at_ms,
)


def load_results(round_id: int, entrant_id: int | None = None) -> list[Result]:
    """Scored attempts of the round (or of one entrant in it), without disqualified entrants."""
    excluded = exists().where(
        Disqualification.round_id == round_id, Disqualification.entrant_id == Score.entrant_id
    )
    query = select(*_RESULT_COLUMNS).where(Score.round_id == round_id, ~excluded)
    if entrant_id is not None:
        query = query.where(Score.entrant_id == entrant_id)
    rows = db.session.execute(query)
    return [Result(*row) for row in rows]


def standings_for_round(info: RoundInfo) -> list[Standing]:
    return round_standings(
        load_results(info.id), info.counting_rule, info.ranking_order, info.prediction_value
    )


def contest_round_ids(contest_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Round.id).where(Round.contest_id == contest_id).order_by(Round.number)
        )
    )


def standings_for_contest(contest_id: int) -> tuple[dict[int, dict[int, Parts]], list[Standing]]:
    """Per-round counting parts of every entrant, and the contest ranking over them."""
    from quiz.scoring.ranking import aggregate

    per_round: dict[int, dict[int, Parts]] = {}
    order: tuple[str, ...] = ()
    for round_id in contest_round_ids(contest_id):
        info = get_round(round_id, fresh=True)
        order = info.ranking_order
        per_round[round_id] = {s.entrant_id: s.parts for s in standings_for_round(info)}
    entrants: dict[int, list[Parts]] = {}
    for parts_by_entrant in per_round.values():
        for entrant, parts in parts_by_entrant.items():
            entrants.setdefault(entrant, []).append(parts)
    totals = {entrant: aggregate(items) for entrant, items in entrants.items()}
    return per_round, rank_parts(totals, order) if order else []


def compute_reference(round_id: int, reference: str) -> int:
    """The true value behind the prediction question, from scored attempts."""
    where = Score.round_id == round_id
    if reference == PredictionReference.ATTEMPTS:
        query = select(func.count()).where(where)
    elif reference == PredictionReference.ENTRANTS:
        query = select(func.count(distinct(Score.entrant_id))).where(where)
    else:
        query = select(func.count(distinct(Score.entrant_id))).where(
            where, Score.correct == Score.total
        )
    return int(db.session.scalar(query) or 0)


def rebuild_round_board(round_id: int) -> int:
    info = get_round(round_id, fresh=True)
    standings = standings_for_round(info)
    leaderboard().replace_round(
        info.contest_id,
        round_id,
        standings,
        info.counting_rule,
        info.ranking_order,
        info.prediction_value,
    )
    return len(standings)


def rebuild_contest_board(contest_id: int) -> int:
    per_round, standings = standings_for_contest(contest_id)
    leaderboard().replace_contest(contest_id, per_round, standings)
    return len(standings)


def rebuild_all(contest_id: int) -> None:
    for round_id in contest_round_ids(contest_id):
        rebuild_round_board(round_id)
    rebuild_contest_board(contest_id)
