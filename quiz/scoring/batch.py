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

import redis
from sqlalchemy import select

from quiz.catalog.questions import question_cache
from quiz.catalog.rounds import get_round
from quiz.extensions import db
from quiz.lua import load_script
from quiz.models import Disqualification
from quiz.scoring import keys, store
from quiz.scoring.buffer import unpack_answers
from quiz.scoring.grading import grade, time_used_ms
from quiz.scoring.leaderboard import Placement
from quiz.scoring.persistence import records_in_redis
from quiz.scoring.ranking import Result
from quiz.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Submission:
    entry_id: bytes
    attempt_id: int
    submitted_at_ms: int
    auto: bool
    carried: dict[str, str]  # answers the submit itself carried


def parse_entry(entry_id: bytes, fields: dict[bytes, bytes]) -> Submission | None:
    try:
        return Submission(
            entry_id=entry_id,
            attempt_id=int(fields[b"a"]),
            submitted_at_ms=int(fields[b"t"]),
            auto=fields.get(b"x") == b"1",
            carried=unpack_answers(fields.get(b"v", b"").decode()),
        )
    except (KeyError, ValueError, UnicodeDecodeError):
        log.error("unreadable submission entry %r: %r", entry_id, fields)
        return None


def saved_answers(client: redis.Redis, attempt_ids: list[int]) -> dict[int, dict[str, str]]:
    """The answers saved for each attempt (frozen once it was submitted)."""
    if not attempt_ids:
        return {}
    script = load_script(client, __file__, "all_answers")
    rows = script(keys=[keys.answers(a) for a in attempt_ids])
    found = {}
    for attempt_id, raw in zip(attempt_ids, rows, strict=True):
        fields, values = raw[::2], raw[1::2]  # HGETALL's reply: field, value, field, …
        found[attempt_id] = {
            k.decode(): v.decode() for k, v in zip(fields, values, strict=True) if k != b"#"
        }
    return found


def answer_timings(answers: dict[str, str], size: int, started_ms: int) -> list | None:
    """Milliseconds from start to each question's last save (None where not saved)."""
    times = [answers.get(f"@{position}") for position in range(size)]
    if not any(times):
        return None
    return [int(t) - started_ms if t and t.isdigit() else None for t in times]


def _result(row: dict) -> Result:
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


def score_submissions(
    submissions: Sequence[Submission], client: redis.Redis
) -> list[tuple[int, Result]]:
    """Grade and store; returns (round id, result) for every submission now in the database."""
    unique = {s.attempt_id: s for s in submissions}  # a re-delivered entry counts once
    saved = saved_answers(client, list(unique))
    attempts = store.load_attempts(list(unique))
    missing = [a for a in unique if a not in attempts]
    if missing:
        # Started a moment ago and not copied to the database yet: copy them now.
        records = records_in_redis(client, missing)
        store.insert_attempts(list(records.values()))
        attempts.update(store.load_attempts(list(records)))
    answer_keys = question_cache().all_keys(
        qid for row in attempts.values() for qid, _order in row["paper"]
    )
    scored_at = utcnow()
    values: list[dict] = []
    for attempt_id, sub in unique.items():
        row = attempts.get(attempt_id)
        if row is None:
            log.error("submission for unknown attempt %s dropped", attempt_id)
            continue
        paper = row["paper"]
        # Answers saved before the submit, overridden by those the submit carried.
        answers = saved.get(attempt_id) or {}
        if sub.carried:
            answers = {**answers, **sub.carried}
        graded = grade(paper, answers, answer_keys)
        started = row["started_at_ms"]
        values.append(
            {
                "attempt_id": attempt_id,
                "round_id": row["round_id"],
                "entrant_id": row["entrant_id"],
                "seq": row["seq"],
                "correct": graded.correct,
                "total": graded.total,
                "time_used_ms": time_used_ms(
                    row["started_at_ms"], sub.submitted_at_ms, row["deadline_ms"]
                ),
                "prediction": graded.prediction,
                "started_at_ms": row["started_at_ms"],
                "submitted_at_ms": sub.submitted_at_ms,
                "auto_submitted": sub.auto,
                "answers": graded.answers,
                "marks": graded.marks,
                "scored_at": scored_at,
                "timings": answer_timings(answers, len(paper), started),
            }
        )
    inserted = store.insert_scores(values)
    db.session.commit()
    stored = [v for v in values if v["attempt_id"] in inserted]
    earlier = [v["attempt_id"] for v in values if v["attempt_id"] not in inserted]
    if earlier:
        # Scored by an earlier run of this batch: the database's row is the truth.
        stored += store.load_results(earlier)
        db.session.commit()
    return [(v["round_id"], _result(v)) for v in stored]


def _disqualified(scored: Sequence[tuple[int, Result]]) -> set[tuple[int, int]]:
    rounds = {round_id for round_id, _ in scored}
    if not rounds:
        return set()
    rows = db.session.execute(
        select(Disqualification.round_id, Disqualification.entrant_id).where(
            Disqualification.round_id.in_(rounds)
        )
    ).all()
    db.session.commit()
    return {(r, e) for r, e in rows}


def placements_for(scored: Sequence[tuple[int, Result]]) -> list[Placement]:
    """Leaderboard placements, leaving out entrants disqualified from the round."""
    out = []
    excluded = _disqualified(scored)
    for round_id, result in scored:
        if (round_id, result.entrant_id) in excluded:
            continue
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
                contest_rounds=info.contest_round_ids,
                reference=info.prediction_value,
                result=result,
            )
        )
    return out
