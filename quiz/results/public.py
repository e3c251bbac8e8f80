"""Published winners as the public sees them: masked names, no phone, no citizen ID.

Read from the published `winners` rows and the scores of the attempts they
were published for, so a public page costs one query, not a ranking of the
whole round; a revoked prize disappears at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from quiz.catalog.rounds import ContestInfo, RoundInfo, get_round
from quiz.extensions import db
from quiz.models import Entrant, Score, Winner
from quiz.models.contests import PRIZE_ORDER
from quiz.scoring.ranking import prediction_error
from quiz.units.tree import unit_tree


def mask_name(full_name: str) -> str:
    """'Nguyễn Văn An' → 'Nguyễn V. A.': the family name, then initials, as contest sites print."""
    words = full_name.split()
    if len(words) < 2:
        return f"{words[0][0]}." if words else ""
    return " ".join([words[0], *(f"{w[0]}." for w in words[1:])])


@dataclass(frozen=True)
class PublicWinner:
    winner_id: int
    entrant_id: int
    prize: str
    rank: int
    name: str  # masked
    unit: str
    correct: int
    total: int
    time_used_ms: int
    prediction_error: int | None  # None: the round has no prediction (shown as "—")


@dataclass(frozen=True)
class RoundResults:
    info: RoundInfo
    winners: list[PublicWinner]


def unit_label(entrant: Entrant) -> str:
    node = unit_tree().get(entrant.unit_id)
    return node.full_name if node else (entrant.unit_other or "")


def _error(info: RoundInfo, prediction: int | None) -> int | None:
    if not info.has_prediction or info.prediction_value is None or prediction is None:
        return None
    return prediction_error(prediction, info.prediction_value)


def published_for_round(info: RoundInfo) -> list[PublicWinner]:
    """The round's prizes as published now, in prize order (revoked ones left out)."""
    rows = db.session.execute(
        select(Winner, Score, Entrant)
        .join(Score, Score.attempt_id == Winner.attempt_id)
        .join(Entrant, Entrant.id == Winner.entrant_id)
        .where(Winner.round_id == info.id, Winner.revoked_at.is_(None))
    ).all()
    found = [
        PublicWinner(
            winner_id=w.id,
            entrant_id=e.id,
            prize=w.prize,
            rank=w.rank,
            name=mask_name(e.full_name),
            unit=unit_label(e),
            correct=s.correct,
            total=s.total,
            time_used_ms=s.time_used_ms,
            prediction_error=_error(info, s.prediction),
        )
        for w, s, e in rows
    ]
    found.sort(key=lambda w: (PRIZE_ORDER.index(w.prize), w.rank, w.winner_id))
    return found


def contest_results(contest: ContestInfo) -> list[RoundResults]:
    """Every round of the contest that has published winners, in round order."""
    out = []
    for round_id in contest.round_ids:
        info = get_round(round_id)
        if info is None:
            continue
        winners = published_for_round(info)
        if winners:
            out.append(RoundResults(info, winners))
    return out
