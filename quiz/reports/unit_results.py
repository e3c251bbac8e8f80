"""A contest run above a unit, as that unit sees it: its own units' participation and results.

A district's organizers follow a provincial contest in their district: how
many of its people took part, unit by unit; who of them ranks best, with
their rank in the whole round; which prizes went to them. Nothing outside
the units given is read into the figures, and nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from quiz.catalog.rounds import RoundInfo, get_round
from quiz.contest.display import BoardRow, board_rows
from quiz.extensions import db
from quiz.models import Contest, Entrant, Score, Winner
from quiz.models.contests import PRIZE_ORDER
from quiz.reports.statistics import (
    RoundSummary,
    UnitParticipation,
    _raw_unit_ids,
    merge_targets,
    not_disqualified,
    participation_by_unit,
    per_round_counts,
)
from quiz.scoring.leaderboard import leaderboard
from quiz.units.tree import unit_tree

BEST_SHOWN = 20


@dataclass(frozen=True)
class PrizeHere:
    prize: str
    rank: int
    name: str
    unit: str
    correct: int
    total: int
    time_used_ms: int


@dataclass(frozen=True)
class RoundHere:
    info: RoundInfo
    summary: RoundSummary | None
    best: list[BoardRow]
    prizes: list[PrizeHere]


@dataclass(frozen=True)
class UnitView:
    rounds: list[RoundHere]
    units: list[UnitParticipation]


def _entrants_in(raw_unit_ids: list[int], round_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Score.entrant_id)
            .distinct()
            .join(Entrant, Entrant.id == Score.entrant_id)
            .where(Score.round_id == round_id, Entrant.unit_id.in_(raw_unit_ids))
            .where(not_disqualified())
        )
    )


def _prizes_in(raw_unit_ids: list[int] | None, round_id: int) -> list[PrizeHere]:
    query = (
        select(Winner, Score, Entrant)
        .join(Score, Score.attempt_id == Winner.attempt_id)
        .join(Entrant, Entrant.id == Winner.entrant_id)
        .where(Winner.round_id == round_id, Winner.revoked_at.is_(None))
    )
    if raw_unit_ids is not None:
        query = query.where(Entrant.unit_id.in_(raw_unit_ids))
    rows = db.session.execute(query).all()
    tree = unit_tree()
    units = {e.unit_id: tree.get(e.unit_id) for _w, _s, e in rows}
    found = [
        PrizeHere(
            w.prize,
            w.rank,
            e.full_name,
            units[e.unit_id].full_name if units[e.unit_id] else (e.unit_other or ""),
            s.correct,
            s.total,
            s.time_used_ms,
        )
        for w, s, e in rows
    ]
    return sorted(found, key=lambda p: (PRIZE_ORDER.index(p.prize), p.rank))


def unit_view(contest: Contest, unit_ids: list[int] | None, parent_unit_id: int | None) -> UnitView:
    """`unit_ids`: the units whose people count (None: all); rows per child of the parent."""
    raw = _raw_unit_ids(unit_ids, merge_targets()) if unit_ids is not None else None
    summaries = {s.round_id: s for s in per_round_counts(contest.id, unit_ids)}
    board = leaderboard()
    rounds = []
    for round_ in sorted(contest.rounds, key=lambda r: r.number):
        info = get_round(round_.id)
        if info is None:
            continue
        if raw is None:
            entries = board.top(contest.id, round_.id, BEST_SHOWN)
        else:
            people = _entrants_in(raw, round_.id)
            entries = board.best_of(contest.id, round_.id, people, BEST_SHOWN)
        rows = board_rows(entries, info.ranking_order)
        rounds.append(RoundHere(info, summaries.get(round_.id), rows, _prizes_in(raw, round_.id)))
    return UnitView(rounds, participation_by_unit(contest.id, parent_unit_id, unit_ids))
