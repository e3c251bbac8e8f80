"""RQ entry points: thin wrappers that run the scoring area's functions.

- `drain_submissions`: scores the submission stream in batches until empty.
- `sweep_expired_attempts`: submits, as they stood, attempts whose deadline
  passed without a submit (the saved answers are what counts).
- `close_due_rounds`: freezes the prediction reference of finished rounds
  and rebuilds their leaderboards from the database.
- `watch_redis`: checks Redis's data after Redis restarted, even when no
  attempt is started (a start notices it otherwise), so that a loss is
  reported within seconds.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid

import redis
from flask import current_app
from sqlalchemy import exists, select, update

from quiz.catalog.rounds import get_round
from quiz.extensions import db, get_redis
from quiz.models import Round
from quiz.models.attempts import Attempt, Score
from quiz.scoring import keys
from quiz.scoring.batch import parse_entry, placements_for, score_submissions
from quiz.scoring.generation import check_redis, not_lost
from quiz.scoring.grading import late_before
from quiz.scoring.leaderboard import leaderboard
from quiz.scoring.persistence import persist_new_attempts
from quiz.scoring.standings import compute_reference, rebuild_contest_board, rebuild_round_board
from quiz.scoring.state import attempt_state, request_drain
from quiz.timeutil import now_ms, utcnow
from quiz.worker import in_app_context

log = logging.getLogger(__name__)

# An entry delivered this many times without being acknowledged is moved
# aside (and logged) instead of failing every batch it lands in.
MAX_DELIVERIES = 5
DEAD_LETTERS = keys.DEAD_LETTERS
# Scores stay in Redis for the result page this long; the database keeps them for good.
RESULTS_KEEP_SECONDS = 2 * 24 * 3600


def ensure_group(client: redis.Redis) -> None:
    try:
        client.xgroup_create(keys.SUBMISSION_STREAM, keys.SCORERS_GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _claim_stale(client: redis.Redis, consumer: str, count: int, idle_ms: int) -> list:
    """Entries a dead consumer left unacknowledged, taken over by this one."""
    reply = client.xautoclaim(
        keys.SUBMISSION_STREAM, keys.SCORERS_GROUP, consumer, idle_ms, "0-0", count=count
    )
    entries = [e for e in reply[1] if e and e[1]]
    if not entries:
        return []
    pending = client.xpending_range(
        keys.SUBMISSION_STREAM,
        keys.SCORERS_GROUP,
        entries[0][0],
        entries[-1][0],
        len(entries),
        consumername=consumer,
    )
    deliveries = {p["message_id"]: p["times_delivered"] for p in pending}
    kept = []
    for entry_id, fields in entries:
        if deliveries.get(entry_id, 0) > MAX_DELIVERIES:
            log.error(
                "submission entry %r failed %s times; moved to %s",
                entry_id,
                deliveries[entry_id],
                DEAD_LETTERS,
            )
            client.xadd(DEAD_LETTERS, fields)
            pipe = client.pipeline(transaction=False)
            _acknowledge(pipe, [entry_id], [])
            pipe.execute()
        else:
            kept.append((entry_id, fields))
    return kept


def _read_new(client: redis.Redis, consumer: str, count: int) -> list:
    reply = client.xreadgroup(
        keys.SCORERS_GROUP, consumer, {keys.SUBMISSION_STREAM: ">"}, count=count
    )
    return reply[0][1] if reply else []


def _acknowledge(pipe, entry_ids: list, attempt_ids: list[int]) -> None:
    """Queue on `pipe`: acknowledge and drop the entries, and the answers now in the database."""
    pipe.xack(keys.SUBMISSION_STREAM, keys.SCORERS_GROUP, *entry_ids)
    pipe.xdel(keys.SUBMISSION_STREAM, *entry_ids)
    if attempt_ids:
        # One DEL of keys in one slot (redis-py's cluster pipeline refuses delete(*many)).
        pipe.execute_command("DEL", *(keys.answers(a) for a in attempt_ids))


def score_entries(client: redis.Redis, entries: list) -> int:
    """Score, place on leaderboards, cache results, then acknowledge."""
    submissions = [s for s in (parse_entry(eid, f) for eid, f in entries) if s is not None]
    scored = score_submissions(submissions, client) if submissions else []
    leaderboard().apply(placements_for(scored))
    by_round: dict[int, dict[int, str]] = {}
    for round_id, result in scored:
        by_round.setdefault(round_id, {})[result.attempt_id] = (
            f"{result.correct}|{result.total}|{result.time_used_ms}"
        )
    pipe = client.pipeline(transaction=False)
    for round_id, mapping in by_round.items():
        pipe.hset(keys.results(round_id), mapping=mapping)
        pipe.expire(keys.results(round_id), RESULTS_KEEP_SECONDS)
    _acknowledge(pipe, [eid for eid, _ in entries], [s.attempt_id for s in submissions])
    pipe.execute()
    return len(scored)


@in_app_context
def drain_submissions(max_seconds: float | None = None) -> int:
    """Score buffered submissions batch by batch until the stream is empty."""
    config = current_app.config
    client = get_redis()
    ensure_group(client)
    client.delete(keys.DRAIN_SCHEDULED)
    consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    batch = config["SCORING_BATCH_SIZE"]
    until = time.monotonic() + (max_seconds or config["SCORING_JOB_SECONDS"])
    idle = config["SCORING_CLAIM_IDLE_MS"]
    total = 0
    finished = False
    while time.monotonic() < until:
        # New attempts go to the database a batch at a time between scoring
        # batches (the scorer copies any it needs itself, so scores never wait).
        persist_new_attempts(client, consumer, batch, idle, max_batches=1)
        entries = _claim_stale(client, consumer, batch, idle)
        if not entries:
            entries = _read_new(client, consumer, batch)
        if not entries:
            finished = True
            break
        total += score_entries(client, entries)
    client.xgroup_delconsumer(keys.SUBMISSION_STREAM, keys.SCORERS_GROUP, consumer)
    if finished:
        remaining = max(1.0, until - time.monotonic())
        persist_new_attempts(client, consumer, batch, idle, max_seconds=remaining)
    if not finished:
        request_drain()  # out of time with work left: hand over to a fresh job
    return total


@in_app_context
def sweep_expired_attempts(limit: int = 5000) -> int:
    """Submit attempts whose deadline (plus grace) passed without a submit."""
    config = current_app.config
    _redis_checked()
    persist_new_attempts(
        get_redis(),
        f"sweeper-{os.getpid()}",
        config["SCORING_BATCH_SIZE"],
        config["SCORING_CLAIM_IDLE_MS"],
    )
    cutoff = late_before(now_ms(), current_app.config["NETWORK_GRACE_SECONDS"] * 1000)
    # Deadlines that passed in the last window: the sweeper runs every few
    # seconds; closing a round sweeps all of its attempts whatever their age.
    rows = unscored_attempts(
        Attempt.deadline_ms < cutoff, Attempt.deadline_ms >= cutoff - SWEEP_WINDOW_MS, limit=limit
    )
    return _submit_as_they_stood(rows)


SWEEP_WINDOW_MS = 6 * 3600 * 1000


def _redis_checked() -> None:
    """Redis checked since it started, before attempts are submitted as they stood:
    attempts whose answers Redis lost are then void, not scored blank."""
    check_redis(attempt_state().admission)


def unscored_attempts(*conditions, limit: int | None = None) -> list:
    """Attempts without a score, lost ones aside (nothing of theirs is left to score)."""
    query = (
        select(Attempt.id, Attempt.deadline_ms)
        .where(*conditions, ~exists().where(Score.attempt_id == Attempt.id), not_lost())
        .order_by(Attempt.deadline_ms)
    )
    rows = db.session.execute(query.limit(limit) if limit else query).all()
    db.session.commit()
    return rows


def _submit_as_they_stood(rows) -> int:
    buffer = attempt_state().buffer
    fresh = 0
    for attempt_id, deadline_ms in rows:
        receipt = buffer.submit(attempt_id, deadline_ms, None, auto=True, known=True)
        fresh += receipt.fresh
    if rows:
        request_drain()
    return fresh


def close_round(round_id: int) -> bool:
    """Freeze the prediction reference and the final ranking of one round, once."""
    info = get_round(round_id, fresh=True)
    if info is None or info.closed:
        return False
    reference = (
        compute_reference(round_id, info.prediction_reference)
        if info.prediction_reference
        else None
    )
    closed = db.session.execute(
        update(Round)
        .where(Round.id == round_id, Round.closed_at.is_(None))
        .values(closed_at=utcnow(), prediction_value=reference)
    ).rowcount
    db.session.commit()
    if not closed:
        return False
    rebuild_round_board(round_id)
    rebuild_contest_board(info.contest_id)
    return True


@in_app_context
def close_due_rounds() -> list[int]:
    """Close every round that ended (plus a short delay) and has nothing left to score."""
    config = current_app.config
    _redis_checked()
    persist_new_attempts(
        get_redis(),
        f"closer-{os.getpid()}",
        config["SCORING_BATCH_SIZE"],
        config["SCORING_CLAIM_IDLE_MS"],
    )
    delay = config["ROUND_CLOSE_DELAY_SECONDS"]
    cutoff = utcnow().timestamp() - delay
    due = db.session.scalars(select(Round).where(Round.closed_at.is_(None))).all()
    closed = []
    for round_ in due:
        if round_.ends_at.timestamp() > cutoff:
            continue
        # Every attempt of the round past its deadline is submitted as it stood.
        left = unscored_attempts(Attempt.round_id == round_.id)
        _submit_as_they_stood(left)
        if left:
            log.info("round %s ended; %s attempts still to score", round_.id, len(left))
            continue
        if close_round(round_.id):
            closed.append(round_.id)
    db.session.commit()
    return closed


@in_app_context
def watch_redis() -> str | None:
    """The kind of loss noticed ("empty", "older", "other"), if Redis restarted with one."""
    loss = check_redis(attempt_state().admission)
    return loss.kind if loss is not None else None


@in_app_context
def rebuild_leaderboards(contest_id: int) -> None:
    from quiz.scoring.standings import rebuild_all

    rebuild_all(contest_id)
