"""Attempts born in Redis reach the database, in batches, exactly once.

The start script (`admission.py`) gives each new attempt an id and keeps it
in Redis (a hash per attempt, and an entry on a stream). Workers copy the
stream into the `attempts` table in batches, as they do for submissions:
through a consumer group, so a batch a dead worker left is taken over, and
with inserts that ignore rows already there, so a batch copied twice is
harmless. The scorer also copies any attempt it needs that is not in the
database yet, so a score never waits for this.

The attempt counts per entrant in a round that the start script relies on
are seeded here from the database whenever Redis lacks them (attempt ids
come in blocks reserved in the database: `generation.py`).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

import redis
from sqlalchemy import func, select

from quiz.extensions import db, get_redis
from quiz.models.attempts import Attempt, Score
from quiz.scoring import keys, store
from quiz.scoring.generation import not_lost

log = logging.getLogger(__name__)


def seed_round_counts(admission, round_id: int) -> None:
    """Attempts per entrant in the round, from the database; lost attempts do not count."""
    rows = db.session.execute(
        select(Attempt.entrant_id, func.max(Attempt.seq))
        .where(Attempt.round_id == round_id, not_lost())
        .group_by(Attempt.entrant_id)
    ).all()
    admission.load_seqs(round_id, {entrant: seq for entrant, seq in rows})


def _record(attempt_id: int, raw: dict[bytes, bytes]) -> dict | None:
    if not raw:
        return None
    return {
        "id": attempt_id,
        "round_id": int(raw[b"r"]),
        "entrant_id": int(raw[b"e"]),
        "seq": int(raw[b"s"]),
        "paper": json.loads(raw[b"p"]),
        "started_at_ms": int(raw[b"t"]),
        "deadline_ms": int(raw[b"d"]),
        "device": raw[b"v"].decode() if raw.get(b"v") else None,
    }


def records_in_redis(client: redis.Redis, attempt_ids: list[int]) -> dict[int, dict]:
    """The Redis copies of these attempts (those not yet deleted after copying)."""
    pipe = client.pipeline(transaction=False)
    for attempt_id in attempt_ids:
        pipe.hgetall(keys.attempt(attempt_id))
    found = {}
    for attempt_id, raw in zip(attempt_ids, pipe.execute(), strict=True):
        record = _record(attempt_id, raw)
        if record is not None:
            found[attempt_id] = record
    return found


@dataclass(frozen=True, slots=True)
class AttemptRow:
    id: int
    paper: list
    started_at_ms: int
    deadline_ms: int
    seq: int
    scored: bool


def load_attempt(attempt_id: int, entrant_id: int | None = None) -> AttemptRow | None:
    """The attempt from Redis while it is there (just started, or the database
    is down and it could not be copied yet), else from the database.

    With `entrant_id`, an attempt of anyone else counts as absent: a token
    must never show another entrant's paper, whatever happened to the ids.
    A lost attempt (its answers went with Redis's data) is absent too.
    """
    record = records_in_redis(get_redis(), [attempt_id]).get(attempt_id)
    if record is not None:
        if entrant_id is not None and record["entrant_id"] != entrant_id:
            return None
        return AttemptRow(
            attempt_id,
            record["paper"],
            record["started_at_ms"],
            record["deadline_ms"],
            record["seq"],
            False,
        )
    query = (
        select(
            Attempt.id,
            Attempt.paper,
            Attempt.started_at_ms,
            Attempt.deadline_ms,
            Attempt.seq,
            Score.attempt_id.is_not(None),
        )
        .outerjoin(Score, Score.attempt_id == Attempt.id)
        .where(Attempt.id == attempt_id, not_lost())
    )
    if entrant_id is not None:
        query = query.where(Attempt.entrant_id == entrant_id)
    row = db.session.execute(query).first()
    return AttemptRow(*row) if row is not None else None


def ensure_group(client: redis.Redis) -> None:
    try:
        client.xgroup_create(keys.NEW_ATTEMPTS, keys.PERSISTERS_GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def persist_new_attempts(
    client: redis.Redis,
    consumer: str,
    batch: int,
    claim_idle_ms: int,
    max_seconds: float = 30,
    max_batches: int | None = None,
) -> int:
    """Copy queued attempts into the database until the queue is empty (or time is up)."""
    ensure_group(client)
    until = time.monotonic() + max_seconds
    copied = 0
    batches = 0
    while time.monotonic() < until and (max_batches is None or batches < max_batches):
        batches += 1
        reply = client.xautoclaim(
            keys.NEW_ATTEMPTS, keys.PERSISTERS_GROUP, consumer, claim_idle_ms, "0-0", count=batch
        )
        entries = [e for e in reply[1] if e and e[1]]
        if not entries:
            fresh = client.xreadgroup(
                keys.PERSISTERS_GROUP, consumer, {keys.NEW_ATTEMPTS: ">"}, count=batch
            )
            entries = fresh[0][1] if fresh else []
        if not entries:
            break
        ids = []
        for _entry_id, fields in entries:
            try:
                ids.append(int(fields[b"a"]))
            except (KeyError, ValueError):
                log.error("unreadable attempt entry %r", fields)
        records = records_in_redis(client, ids)
        store.insert_attempts(list(records.values()))
        db.session.commit()
        pipe = client.pipeline(transaction=False)
        entry_ids = [entry_id for entry_id, _ in entries]
        pipe.xack(keys.NEW_ATTEMPTS, keys.PERSISTERS_GROUP, *entry_ids)
        pipe.xdel(keys.NEW_ATTEMPTS, *entry_ids)
        if records:
            # One DEL of keys in one slot (redis-py's cluster pipeline refuses delete(*many)).
            pipe.execute_command("DEL", *(keys.attempt(a) for a in records))
        pipe.execute()
        copied += len(records)
    client.xgroup_delconsumer(keys.NEW_ATTEMPTS, keys.PERSISTERS_GROUP, consumer)
    return copied
