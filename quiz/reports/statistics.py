"""Statistics for organizers, answered from the database.

Each function answers for one contest or round, restricted to `unit_ids`
when given (an organizer's scope). Everywhere:

- only scored attempts count (a `scores` row), and the attempts of an
  entrant disqualified from a round are left out of that round;
- an entrant counts under the unit they picked, or, if that unit was merged
  away, under the unit it was merged into (following chains of merges);
- per-unit figures are for the unit and everything below it. Each entrant
  has one unit, so distinct entrants per unit add up over a subtree without
  double counting: one grouped query per contest, then sums in Python over
  the unit paths (a few thousand units at most), instead of a prefix join.

Long computations (a whole contest) run in an RQ job (`stats_jobs.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import BigInteger, case, distinct, exists, func, literal_column, select

from quiz.extensions import db
from quiz.models import Disqualification, Entrant, Round, Score, Unit
from quiz.text import fold
from quiz.timeutil import LOCAL_TZ


@dataclass(frozen=True)
class UnitParticipation:
    unit_id: int
    code: str
    name: str
    full_name: str  # "Xã A, Huyện B, Tỉnh C"
    depth: int
    entrants: int  # distinct entrants of the unit and its descendants with a scored attempt
    attempts: int  # scored attempts
    population: int | None
    rate: float | None  # entrants / population, when the population is known


@dataclass(frozen=True)
class DayParticipation:
    day: date  # local date (Asia/Ho_Chi_Minh)
    entrants: int  # distinct entrants who submitted that day
    attempts: int


@dataclass(frozen=True)
class RoundSummary:
    round_id: int
    number: int
    title: str
    questions: int  # questions per attempt
    entrants: int  # distinct entrants with a scored attempt
    attempts: int  # scored attempts
    fully_correct: int  # distinct entrants with at least one fully correct attempt
    average_correct: float | None  # mean correct answers per scored attempt; None if none


@dataclass(frozen=True)
class ScoreDistribution:
    round_id: int
    total: int  # questions per attempt: bins run from 0 to total correct answers
    attempts: list[int]  # attempts[k]: scored attempts with k correct answers


@dataclass(frozen=True)
class UnitCounts:
    """Subtree totals of every unit with participation, ready to render any level."""

    subtree: dict[int, tuple[int, int]]  # unit id → (entrants, attempts) of it and below
    no_unit: tuple[int, int]  # entrants who typed a unit not in the list ("other")


DAY_MS = 86_400_000
# Viet Nam has kept UTC+7 without daylight saving since 1975, so a local date
# is integer arithmetic on epoch milliseconds: the same SQL on PostgreSQL and
# SQLite, and it groups on the indexed-friendly integer column directly.
LOCAL_OFFSET_MS = int(LOCAL_TZ.utcoffset(datetime(2000, 1, 1)).total_seconds() * 1000)
EPOCH = date(1970, 1, 1)


# --- shared pieces -----------------------------------------------------------


def not_disqualified():
    """Leaves out the scores of entrants disqualified from their round."""
    return ~exists().where(
        Disqualification.round_id == Score.round_id,
        Disqualification.entrant_id == Score.entrant_id,
    )


def merge_targets() -> dict[int, int]:
    """Merged unit id → the unit its entrants now count under (end of the merge chain).

    The rule of `quiz.units.operations.effective_unit_ids` (a test keeps them
    in step), turned around and for every unit in one query: statistics
    place all units at once, where that function answers for one.
    """
    direct = dict(
        db.session.execute(
            select(Unit.id, Unit.merged_into_id).where(Unit.merged_into_id.is_not(None))
        ).all()
    )
    targets = {}
    for unit_id, target in direct.items():
        seen = {unit_id}
        while target in direct and target not in seen:  # a cycle would be a data error
            seen.add(target)
            target = direct[target]
        targets[unit_id] = target
    return targets


def _raw_unit_ids(unit_ids: list[int], merges: dict[int, int]) -> list[int]:
    """Unit ids entrants may carry so that, after merges, they land in `unit_ids`."""
    allowed = set(unit_ids)
    raw = {u for u in allowed if merges.get(u, u) in allowed}
    raw.update(m for m, target in merges.items() if target in allowed)
    return sorted(raw)


def _scoped(query, unit_ids: list[int] | None):
    """Restrict a query over scores to entrants of the given units (after merges)."""
    if unit_ids is None:
        return query
    raw = _raw_unit_ids(unit_ids, merge_targets())
    return query.join(Entrant, Entrant.id == Score.entrant_id).where(Entrant.unit_id.in_(raw))


# --- per contest and per round ----------------------------------------------


def contest_totals(contest_id: int, unit_ids: list[int] | None = None) -> tuple[int, int]:
    """(distinct entrants, scored attempts) across the contest's rounds."""
    query = (
        select(func.count(distinct(Score.entrant_id)), func.count())
        .join(Round, Round.id == Score.round_id)
        .where(Round.contest_id == contest_id, not_disqualified())
    )
    entrants, attempts = db.session.execute(_scoped(query, unit_ids)).one()
    return entrants, attempts


def _round_summaries(where, unit_ids: list[int] | None) -> list[RoundSummary]:
    # An outer join, so a round without scores (in scope) still gets its row of zeros.
    joined = (Score.round_id == Round.id) & not_disqualified()
    if unit_ids is not None:
        raw = _raw_unit_ids(unit_ids, merge_targets())
        joined &= Score.entrant_id.in_(select(Entrant.id).where(Entrant.unit_id.in_(raw)))
    query = (
        select(
            Round.id,
            Round.number,
            Round.title,
            Round.questions_per_attempt,
            func.count(distinct(Score.entrant_id)),
            func.count(Score.attempt_id),
            func.count(distinct(case((Score.correct == Score.total, Score.entrant_id)))),
            func.avg(Score.correct),
        )
        .select_from(Round)
        .outerjoin(Score, joined)
        .where(where)
        .group_by(Round.id, Round.number, Round.title, Round.questions_per_attempt)
        .order_by(Round.number)
    )
    rows = db.session.execute(query).all()
    out = []
    for rid, number, title, questions, entrants, attempts, full, avg in rows:
        out.append(
            RoundSummary(
                rid,
                number,
                title or "",
                questions,
                entrants,
                attempts,
                full,
                float(avg) if avg is not None else None,
            )
        )
    return out


def round_summary(round_id: int, unit_ids: list[int] | None = None) -> RoundSummary | None:
    """Entrants, attempts, fully correct entrants and average correct answers of one round."""
    rows = _round_summaries(Round.id == round_id, unit_ids)
    return rows[0] if rows else None


def per_round_counts(contest_id: int, unit_ids: list[int] | None = None) -> list[RoundSummary]:
    """`round_summary` for every round of the contest, in round order, in one query."""
    return _round_summaries(Round.contest_id == contest_id, unit_ids)


def score_distribution(round_id: int, unit_ids: list[int] | None = None) -> ScoreDistribution:
    """How many scored attempts got 0, 1, ... total answers right."""
    questions = db.session.scalar(select(Round.questions_per_attempt).where(Round.id == round_id))
    query = (
        select(Score.correct, func.count())
        .where(Score.round_id == round_id, not_disqualified())
        .group_by(Score.correct)
    )
    counts = dict(db.session.execute(_scoped(query, unit_ids)).all())
    # The round's setting may have changed after attempts were drawn: cover both.
    most = max([questions or 0, *counts.keys()])
    return ScoreDistribution(round_id, most, [counts.get(k, 0) for k in range(most + 1)])


# --- per day -----------------------------------------------------------------


def participation_by_day(
    contest_id: int, unit_ids: list[int] | None = None
) -> list[DayParticipation]:
    """Every local day from the first submission to the last (days without any: zeros)."""
    # Literal numbers, not bound parameters: PostgreSQL must see the GROUP BY
    # expression spelled exactly as the selected one.
    offset = literal_column(str(LOCAL_OFFSET_MS), BigInteger)
    day = (Score.submitted_at_ms + offset) // literal_column(str(DAY_MS), BigInteger)
    query = (
        select(day, func.count(distinct(Score.entrant_id)), func.count())
        .join(Round, Round.id == Score.round_id)
        .where(Round.contest_id == contest_id, not_disqualified())
        .group_by(day)
    )
    counts = {int(n): (e, a) for n, e, a in db.session.execute(_scoped(query, unit_ids))}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    return [
        DayParticipation(EPOCH + timedelta(days=n), *counts.get(n, (0, 0)))
        for n in range(first, last + 1)
    ]


# --- per unit ----------------------------------------------------------------


def unit_counts(contest_id: int, unit_ids: list[int] | None = None) -> UnitCounts:
    """Entrants and attempts of every unit's subtree, for the whole contest."""
    query = (
        select(Entrant.unit_id, func.count(distinct(Score.entrant_id)), func.count())
        .select_from(Score)
        .join(Round, Round.id == Score.round_id)
        .join(Entrant, Entrant.id == Score.entrant_id)
        .where(Round.contest_id == contest_id, not_disqualified())
        .group_by(Entrant.unit_id)
    )
    merges = merge_targets()
    paths = dict(db.session.execute(select(Unit.id, Unit.path)).all())
    allowed = set(unit_ids) if unit_ids is not None else None
    subtree: dict[int, list[int]] = {}
    no_unit = (0, 0)
    for raw, entrants, attempts in db.session.execute(query):
        if raw is None:
            if allowed is None:
                no_unit = (entrants, attempts)
            continue
        unit_id = merges.get(raw, raw)
        if (allowed is not None and unit_id not in allowed) or unit_id not in paths:
            continue
        for part in paths[unit_id].strip("/").split("/"):
            totals = subtree.setdefault(int(part), [0, 0])
            totals[0] += entrants
            totals[1] += attempts
    return UnitCounts({k: (v[0], v[1]) for k, v in subtree.items()}, no_unit)


def unit_rows(
    counts: Mapping[int, tuple[int, int]],
    parent_unit_id: int | None,
    unit_ids: list[int] | None = None,
) -> list[UnitParticipation]:
    """The children of `parent_unit_id` (roots when None) with their subtree counts.

    Units merged away are not listed (their entrants count under the target).
    Rows come in tree order (sort order, then name); callers rank them.
    """
    from quiz.units.tree import unit_tree

    query = select(Unit).where(
        Unit.parent_id.is_(None) if parent_unit_id is None else Unit.parent_id == parent_unit_id,
        Unit.merged_into_id.is_(None),
    )
    if unit_ids is not None:
        query = query.where(Unit.id.in_(unit_ids))
    units = sorted(db.session.scalars(query), key=lambda u: (u.sort_order, fold(u.name)))
    tree = unit_tree()
    rows = []
    for unit in units:
        entrants, attempts = counts.get(unit.id, (0, 0))
        node = tree.get(unit.id)
        population = unit.population
        rows.append(
            UnitParticipation(
                unit.id,
                unit.code,
                unit.name,
                node.full_name if node else unit.name,
                unit.depth,
                entrants,
                attempts,
                population,
                entrants / population if population else None,
            )
        )
    return rows


def participation_by_unit(
    contest_id: int, parent_unit_id: int | None = None, unit_ids: list[int] | None = None
) -> list[UnitParticipation]:
    """Children of `parent_unit_id` (the roots when None), each counting its subtree."""
    return unit_rows(unit_counts(contest_id, unit_ids).subtree, parent_unit_id, unit_ids)
