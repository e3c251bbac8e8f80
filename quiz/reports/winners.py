"""Winners from a round's prize structure and the contest's tie-break order.

Prizes go down the final ranking (disqualified entrants excluded), each to
entrants with at least its minimum of correct answers if it has one, skipping
entrants who may play but may not win: outside the contest's area when only
residents may win, without a citizen ID when one is required, or already
holding a prize in another round when one prize per person is the rule.
Entrants tied after every key share a rank; when such a group straddles the
last place of a prize, all of them are listed and marked, and organizers
decide before publishing (as contest rules say they do).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from quiz.catalog.rounds import get_round
from quiz.extensions import db
from quiz.models import Contest, Entrant, Round, Unit, Winner
from quiz.models.contests import PRIZE_ORDER
from quiz.scoring.standings import standings_for_round
from quiz.timeutil import utcnow
from quiz.units.tree import unit_tree


@dataclass(frozen=True)
class WinnerRow:
    prize: str  # first, second, third, consolation
    rank: int
    entrant_id: int
    full_name: str
    phone: str
    citizen_id: str | None
    unit_path: str  # "Xã A, Huyện B, Tỉnh C" or the free text of "other"
    correct: int
    total: int
    time_used_ms: int
    prediction: int | None
    submitted_at_ms: int
    attempt_id: int  # the attempt that counts, stored when published
    tied: bool = False  # shares its rank across a prize boundary: organizers decide


def _entrants(ids: list[int]) -> dict[int, Entrant]:
    found: dict[int, Entrant] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        found.update(
            {e.id: e for e in db.session.scalars(select(Entrant).where(Entrant.id.in_(chunk)))}
        )
    return found


def _unit_path(entrant: Entrant) -> str:
    node = unit_tree().get(entrant.unit_id)
    return node.full_name if node else (entrant.unit_other or "")


def _holders_elsewhere(contest_id: int, round_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Winner.entrant_id)
            .join(Round, Round.id == Winner.round_id)
            .where(
                Round.contest_id == contest_id, Round.id != round_id, Winner.revoked_at.is_(None)
            )
        )
    )


def _eligible(entrant: Entrant, rules: dict, area_path: str | None, holders: set[int]) -> bool:
    if rules.get("require_citizen_id") and not entrant.citizen_id:
        return False
    if rules.get("one_prize_per_person") and entrant.id in holders:
        return False
    if rules.get("residents_only") and area_path:
        node = unit_tree().get(entrant.unit_id)
        if node is None or not node.path.startswith(area_path):
            return False
    return True


def compute_winners(round_id: int) -> list[WinnerRow]:
    """The prize list the rules give now (nothing is stored)."""
    info = get_round(round_id, fresh=True)
    round_ = db.session.get(Round, round_id)
    contest = db.session.get(Contest, info.contest_id)
    rules = contest.prize_rules or {}
    area = db.session.get(Unit, contest.owner_unit_id) if contest.owner_unit_id else None
    holders = (
        _holders_elsewhere(contest.id, round_id) if rules.get("one_prize_per_person") else set()
    )
    standings = standings_for_round(info)
    people = _entrants([s.entrant_id for s in standings])
    eligible = [
        s
        for s in standings
        if _eligible(people[s.entrant_id], rules, area.path if area else None, holders)
    ]
    return _award(eligible, round_.prizes or {}, round_.prize_min_correct or {}, people)


def _award(eligible: list, prizes: dict, minimums: dict, people: dict) -> list[WinnerRow]:
    """Each prize goes down the ranking to the entrants with enough correct answers.

    An entrant below one prize's minimum stays in line for the next prizes,
    whatever the ranking order puts first.
    """
    remaining = list(eligible)
    rows: list[WinnerRow] = []
    for prize in PRIZE_ORDER:
        count = int(prizes.get(prize, 0) or 0)
        least = int(minimums.get(prize, 0) or 0)
        qualified = [s for s in remaining if s.result.correct >= least]
        taken, position = 0, 0
        while taken < count and position < len(qualified):
            group_rank = qualified[position].rank
            group = [s for s in qualified[position:] if s.rank == group_rank]
            tied = taken + len(group) > count and len(group) > 1
            rows.extend(_row(prize, s, people[s.entrant_id], tied) for s in group)
            taken += len(group)
            position += len(group)
        picked = {id(s) for s in qualified[:position]}
        remaining = [s for s in remaining if id(s) not in picked]
    return rows


def _row(prize: str, standing, entrant: Entrant, tied: bool) -> WinnerRow:
    result = standing.result
    return WinnerRow(
        prize=prize,
        rank=standing.rank,
        entrant_id=entrant.id,
        full_name=entrant.full_name,
        phone=entrant.phone,
        citizen_id=entrant.citizen_id,
        unit_path=_unit_path(entrant),
        correct=result.correct,
        total=result.total,
        time_used_ms=result.time_used_ms,
        prediction=result.prediction,
        submitted_at_ms=result.submitted_at_ms,
        attempt_id=result.attempt_id,
        tied=tied,
    )


def publish_winners(round_id: int) -> list[Winner]:
    """Store the current computation as the published list, replacing any earlier one.

    Earlier published prizes are kept, revoked with the reason "recomputed",
    so what was announced once stays on record. The caller commits.
    """
    now = utcnow()
    for old in db.session.scalars(
        select(Winner).where(Winner.round_id == round_id, Winner.revoked_at.is_(None))
    ):
        old.revoked_at, old.revoke_reason = now, "recomputed"
    db.session.flush()
    stored = []
    for row in compute_winners(round_id):
        winner = db.session.scalar(
            select(Winner).where(Winner.round_id == round_id, Winner.entrant_id == row.entrant_id)
        )
        if winner is None:
            winner = Winner(round_id=round_id, entrant_id=row.entrant_id)
            db.session.add(winner)
        winner.prize, winner.rank, winner.published_at = row.prize, row.rank, now
        winner.attempt_id = row.attempt_id
        winner.revoked_at, winner.revoke_reason = None, ""
        stored.append(winner)
    db.session.flush()
    return stored


def revoke_winner(winner: Winner, reason: str) -> None:
    winner.revoked_at, winner.revoke_reason = utcnow(), reason


def published_winners(round_id: int) -> list[WinnerRow]:
    """The winners as published (not revoked), in prize order."""
    winners = db.session.scalars(
        select(Winner).where(Winner.round_id == round_id, Winner.revoked_at.is_(None))
    ).all()
    if not winners:
        return []
    info = get_round(round_id, fresh=True)
    by_entrant = {s.entrant_id: s for s in standings_for_round(info)}
    people = _entrants([w.entrant_id for w in winners])
    rows = []
    for w in winners:
        standing = by_entrant.get(w.entrant_id)
        if standing is None:  # disqualified since: no longer ranked
            continue
        rows.append(replace(_row(w.prize, standing, people[w.entrant_id], False), rank=w.rank))
    rows.sort(key=lambda r: (PRIZE_ORDER.index(r.prize), r.rank, r.entrant_id))
    return rows
