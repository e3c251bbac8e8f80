"""Scoring a batch of buffered submissions in one database transaction.

Exactly-once comes from the database: `scores.attempt_id` is unique and
rows are inserted with ON CONFLICT DO NOTHING, so a batch re-run after a
worker died (between commit and acknowledgement, or anywhere else) inserts
nothing twice. Leaderboards are then fed from what the database holds,
and placing a result twice is harmless (see leaderboard.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update

from quiz.contest.questions import question_cache
from quiz.contest.rounds import get_round
from quiz.extensions import db
from quiz.models.attempts import SCORED, Attempt, Score
from quiz.scoring.buffer import unpack_answers
from quiz.scoring.grading import grade, time_used_ms
from quiz.scoring.leaderboard import Placement
from quiz.scoring.ranking import Result
from quiz.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Submission:
    entry_id: bytes
    attempt_id: int
    submitted_at_ms: int
    auto: bool
    saved: dict[str, str]


def parse_entry(entry_id: bytes, fields: dict[bytes, bytes]) -> Submission | None:
    try:
        return Submission(
            entry_id=entry_id,
            attempt_id=int(fields[b"a"]),
            submitted_at_ms=int(fields[b"t"]),
            auto=fields.get(b"x") == b"1",
            saved=unpack_answers(fields.get(b"v", b"").decode()),
        )
    except (KeyError, ValueError, UnicodeDecodeError):
        log.error("unreadable submission entry %r: %r", entry_id, fields)
        return None


def _insert_ignoring_duplicates(values: list[dict]) -> set[int]:
    """Insert score rows; return the attempt ids actually inserted now."""
    if not values:
        return set()
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - we support PostgreSQL and SQLite only
        raise RuntimeError(f"unsupported database {dialect}")
    stmt = (
        insert(Score.__table__)
        .on_conflict_do_nothing(index_elements=["attempt_id"])
        .returning(Score.__table__.c.attempt_id)
    )
    return set(db.session.execute(stmt, values).scalars().all())


def _result(row) -> Result:
    return Result(
        entrant_id=row["entrant_id"],
        attempt_id=row["attempt_id"],
        seq=row["seq"],
        correct=row["correct"],
        total=row["total"],
        time_used_ms=row["time_used_ms"],
        prediction=row["prediction"],
        submitted_at_ms=row["submitted_at_ms"],
        started_at_ms=row["started_at_ms"],
    )


RESULT_COLUMNS = (
    Score.attempt_id,
    Score.round_id,
    Score.entrant_id,
    Score.seq,
    Score.correct,
    Score.total,
    Score.time_used_ms,
    Score.prediction,
    Score.submitted_at_ms,
    Score.started_at_ms,
)


def score_submissions(submissions: Sequence[Submission]) -> list[tuple[int, Result]]:
    """Grade and store; returns (round id, result) for every submission now in the database."""
    unique = {s.attempt_id: s for s in submissions}  # a re-delivered entry counts once
    attempts = {
        row.id: row
        for row in db.session.execute(
            select(
                Attempt.id,
                Attempt.round_id,
                Attempt.entrant_id,
                Attempt.seq,
                Attempt.paper,
                Attempt.started_at_ms,
                Attempt.deadline_ms,
            ).where(Attempt.id.in_(list(unique)))
        )
    }
    cache = question_cache()
    now = utcnow()
    values: list[dict] = []
    for attempt_id, sub in unique.items():
        row = attempts.get(attempt_id)
        if row is None:
            log.error("submission for unknown attempt %s dropped", attempt_id)
            continue
        graded = grade(row.paper, sub.saved, cache.keys(q[0] for q in row.paper))
        values.append(
            {
                "attempt_id": attempt_id,
                "round_id": row.round_id,
                "entrant_id": row.entrant_id,
                "seq": row.seq,
                "correct": graded.correct,
                "total": graded.total,
                "time_used_ms": time_used_ms(
                    row.started_at_ms, sub.submitted_at_ms, row.deadline_ms
                ),
                "prediction": graded.prediction,
                "started_at_ms": row.started_at_ms,
                "submitted_at_ms": sub.submitted_at_ms,
                "auto_submitted": sub.auto,
                "answers": graded.answers,
                "marks": graded.marks,
                "scored_at": now,
            }
        )
    inserted = _insert_ignoring_duplicates(values)
    if inserted:
        db.session.execute(
            update(Attempt).where(Attempt.id.in_(list(inserted))).values(status=SCORED)
        )
    db.session.commit()
    stored = [v for v in values if v["attempt_id"] in inserted]
    earlier = [v["attempt_id"] for v in values if v["attempt_id"] not in inserted]
    if earlier:
        # Scored by an earlier run of this batch: the database's row is the truth.
        rows = db.session.execute(select(*RESULT_COLUMNS).where(Score.attempt_id.in_(earlier)))
        stored += [dict(r._mapping) for r in rows]
        db.session.commit()
    return [(v["round_id"], _result(v)) for v in stored]


def placements_for(scored: Sequence[tuple[int, Result]]) -> list[Placement]:
    out = []
    for round_id, result in scored:
        info = get_round(round_id)
        if info is None:
            continue
        out.append(
            Placement(
                round_id=round_id,
                contest_id=info.contest_id,
                counting_rule=info.counting_rule,
                round_order=info.ranking_order,
                contest_order=info.ranking_order,
                reference=info.prediction_value,
                result=result,
            )
        )
    return out
