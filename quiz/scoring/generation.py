"""Attempt ids and what Redis remembers: blocks reserved in the database, a check after every start.

Attempts are born in Redis (`admission.py`) and reach the database seconds
later. Redis can lose the last of its writes (a power cut, with `appendfsync
everysec`), all of them (a new machine, a wiped disk, a FLUSHALL), or come
back older than it was (a replica that lagged behind, a restored backup).
Ids it handed out in what it lost were never copied to the database; handed
out again, they would show an entrant another entrant's attempt, score and
receipt.

So the database, the authority, reserves ids in blocks: `ids_reserved` is
above every id Redis was ever allowed to hand out. Redis hands out ids only
up to the ceiling of its block; past half of it, the start that noticed
reserves the next block (one UPDATE … RETURNING per ATTEMPT_ID_BLOCK / 2
starts, off the common path, and new starts go on through a database outage
on what is left). And Redis hands out no id at all until its data has been
checked since its process started (the start script compares its run id):
the check moves past a fresh block, so whatever Redis forgot, no id it may
have handed out before is ever handed out again.

The same check notices loss. A Redis without the generation marker the
database remembers came back empty; one with another marker holds another
database's data; one whose last id is below attempts the database holds,
or that lost the receipts of submissions scored in the last hour, came
back older.
Then a `RedisLoss` row with counts (console: system page) and one ERROR in
the log. A loss of less than a second that left no such trace cannot be
told from a clean restart; its ids are skipped all the same. Every check
also has rounds count attempts per entrant, and surveys who answered,
again from the database.

These functions commit: a block must be reserved in the database before
Redis may hand out one id of it.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import redis
from redis.cluster import RedisCluster
from sqlalchemy import exists, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from quiz.extensions import db
from quiz.lua import load_script
from quiz.models.attempts import Attempt, Score
from quiz.models.base import UTCDateTime
from quiz.models.redis_state import LostAttempt, RedisLoss, RedisState
from quiz.redis_locks import only_one
from quiz.scoring import keys
from quiz.scoring.buffer import KEEP_SECONDS
from quiz.scoring.codes import CheckCode
from quiz.timeutil import now_ms, utcnow

log = logging.getLogger(__name__)

STATE_ID = 1
# A check takes milliseconds; a process that died holding the lock holds it no longer than this.
CHECK_LOCK_MS = 30_000
CHECK_WAIT_TRIES, CHECK_WAIT_SECONDS = 50, 0.1
# Scores this recent still have their receipt in Redis, unless Redis lost it.
RECENT_SCORES = timedelta(hours=1)
RECENT_SCORES_CHECKED = 2000


@dataclass(frozen=True, slots=True)
class Seen:
    """What Redis holds, read before a check."""

    run_id: str
    checked: str | None
    marker: str | None
    last_id: int
    ceiling: int


def engine_run_id(client: redis.Redis) -> str:
    """The run id of the Redis process holding the engine's keys (under a cluster: its master)."""
    if isinstance(client, RedisCluster):
        node = client.get_node_from_key(keys.REDIS_CHECKED)
        return client.info("server", target_nodes=node)["run_id"]
    return client.info("server")["run_id"]


def _seen(client: redis.Redis) -> Seen:
    run_id = engine_run_id(client)
    checked, marker, last, ceiling = client.mget(
        keys.REDIS_CHECKED, keys.REDIS_GENERATION, keys.ATTEMPT_IDS, keys.ATTEMPT_ID_CEILING
    )
    text = [v.decode() if v is not None else None for v in (checked, marker)]
    return Seen(run_id, text[0], text[1], int(last or 0), int(ceiling or 0))


def _newest_attempt() -> int:
    return db.session.scalar(select(func.max(Attempt.id))) or 0


def _insert():
    """INSERT with ON CONFLICT DO NOTHING, in the dialect of the session's database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


def _locked_state(floor: int) -> RedisState:
    """The state row, locked until commit; made on first use, reserving from `floor`."""
    table = RedisState.__table__
    row = dict(id=STATE_ID, generation=secrets.token_hex(16), checks=0, ids_reserved=floor)
    db.session.execute(_insert()(table).values(row).on_conflict_do_nothing())
    query = select(RedisState).where(RedisState.id == STATE_ID).with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


class BeingChecked(redis.ConnectionError):
    """Another process is checking Redis and has not finished: answered 503, try again."""


def check_redis(admission) -> RedisLoss | None:
    """Check Redis's data once per Redis process; the loss it noticed, if any.

    One process at a time (a lock in Redis, which goes with Redis's data);
    the others wait for it, then find the check done.
    """
    client = admission.client
    for _ in range(CHECK_WAIT_TRIES):
        seen = _seen(client)
        if seen.checked == seen.run_id:
            return None
        with only_one(client, keys.REDIS_CHECK_LOCK, CHECK_LOCK_MS / 1000) as lock:
            if lock is not None:
                return _check(client, admission.block)
        time.sleep(CHECK_WAIT_SECONDS)
    raise BeingChecked("Redis is being checked against the database")


def _check(client: redis.Redis, block: int) -> RedisLoss | None:
    seen = _seen(client)  # again, under the lock: another process may just have finished
    if seen.checked == seen.run_id:
        return None
    loss, low, generation = _record_check(client, seen, block)
    db.session.commit()  # the block is reserved before Redis may hand out one id of it
    if loss is not None:
        _log_loss(loss, low)
    _uncount_surveys(client)
    seqs = list(client.scan_iter(match=keys.round_seqs_pattern(), count=1000))
    applied = load_script(client, __file__, "check_redis")(
        keys=[
            keys.REDIS_CHECKED,
            keys.ATTEMPT_IDS,
            keys.ATTEMPT_ID_CEILING,
            keys.REDIS_GENERATION,
            *seqs,
        ],
        args=[low, low + block, generation, seen.run_id],
    )
    if (
        applied == CheckCode.RESTARTED
    ):  # Redis restarted meanwhile: that process is checked from scratch
        raise BeingChecked("Redis restarted while it was being checked")
    return loss


def _uncount_surveys(client: redis.Redis) -> None:
    """Survey counts of who answered are counted again from the database before the next
    save or submit (`quiz.surveys.counting`): a Redis that went back in time forgot some,
    and a second response would be refused only at the drain, after its thanks."""
    for key in client.scan_iter(match=keys.survey_counts_pattern(), count=1000):
        client.hdel(key, "_")


def _log_loss(loss: RedisLoss, skipped_to: int) -> None:
    """Once per loss, by the process that noticed it: the alarm for whoever reads the log."""
    log.error(
        "Redis came back %s: last attempt id %s in Redis, %s in the database; "
        "%s attempts ahead of it, %s receipts of recent scores missing, "
        "%s attempts not scored yet; ids up to %s are skipped",
        loss.kind,
        loss.redis_last_id,
        loss.database_last_id,
        loss.attempts_ahead,
        loss.receipts_missing,
        loss.unscored_attempts,
        skipped_to,
    )


def _record_check(client: redis.Redis, seen: Seen, block: int) -> tuple[RedisLoss | None, int, str]:
    """In the database: a fresh block past every id Redis may have handed out, and any loss."""
    newest = _newest_attempt()
    state = _locked_state(max(newest, seen.last_id, seen.ceiling))
    loss = _loss(client, state, seen, newest) if state.checks else None
    low = max(state.ids_reserved, seen.ceiling, seen.last_id, newest)
    state.ids_reserved = low + block
    state.checks += 1
    state.checked_run_id = seen.run_id
    state.checked_at = utcnow()
    if loss is not None:
        db.session.add(loss)
    db.session.flush()
    return loss, low, state.generation


def _loss(client: redis.Redis, state: RedisState, seen: Seen, newest: int) -> RedisLoss | None:
    """How Redis differs from what the database knows it held, if it does."""
    ahead = 0
    if seen.marker is None:
        kind = "empty"
    elif seen.marker != state.generation:
        kind = "other"
    else:
        ahead = db.session.scalar(select(func.count()).where(Attempt.id > seen.last_id)) or 0
        kind = "older" if ahead else None
    missing = _receipts_missing(client)
    kind = kind or ("older" if missing else None)
    if kind is None:
        return None
    cutoff = now_ms() - KEEP_SECONDS * 1000
    unscored = db.session.scalar(
        select(func.count()).where(
            Attempt.deadline_ms > cutoff,
            ~exists().where(Score.attempt_id == Attempt.id),
            not_lost(),
        )
    )
    if kind != "older":  # empty, or another database's data: their answers are not there
        _void_unscored(cutoff)
    return RedisLoss(
        kind=kind,
        redis_run_id=seen.run_id,
        redis_last_id=seen.last_id,
        database_last_id=newest,
        attempts_ahead=ahead,
        receipts_missing=missing,
        unscored_attempts=unscored or 0,
    )


def _receipts_missing(client: redis.Redis) -> int:
    """Submissions scored in the last hour whose receipt (kept two days) Redis no longer has."""
    recent = db.session.scalars(
        select(Score.attempt_id)
        .where(Score.scored_at >= utcnow() - RECENT_SCORES)
        .order_by(Score.scored_at.desc())
        .limit(RECENT_SCORES_CHECKED)
    ).all()
    if not recent:
        return 0
    pipe = client.pipeline(transaction=False)
    for attempt_id in recent:
        pipe.exists(keys.receipt(attempt_id))
    return sum(1 for found in pipe.execute() if not found)


def reserve_block(admission) -> None:
    """The next block of ids: reserved in the database (committed), then taken by Redis."""
    client, block = admission.client, admission.block
    table = RedisState.__table__
    advance = (
        update(table)
        .where(table.c.id == STATE_ID)
        .values(ids_reserved=table.c.ids_reserved + block)
        .returning(table.c.ids_reserved)
    )
    high = db.session.execute(advance).scalar()
    if high is None:  # the database was set up (or emptied) under a running Redis
        seen = _seen(client)
        _locked_state(max(_newest_attempt(), seen.last_id, seen.ceiling))
        high = db.session.execute(advance).scalar()
    db.session.commit()
    admission.take_block(high)


def report_lost(attempt_id: int, round_id: int, entrant_id: int) -> None:
    """Note that an entrant came back to an attempt nobody has (counted once; flushes)."""
    table = LostAttempt.__table__
    now = utcnow()
    row = dict(attempt_id=attempt_id, round_id=round_id, entrant_id=entrant_id)
    stmt = _insert()(table).values(row | {"lost_at": now, "seen_at": now})
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.attempt_id], set_={"seen_at": func.coalesce(table.c.seen_at, now)}
    )
    db.session.execute(stmt)
    db.session.flush()


def not_lost():
    """A condition on Attempt: not among the lost attempts."""
    return ~exists().where(LostAttempt.attempt_id == Attempt.id)


def _void_unscored(cutoff_ms: int) -> None:
    """Attempts whose answers and receipts went with Redis's data: nothing left to score."""
    table = LostAttempt.__table__
    rows = select(
        Attempt.id, Attempt.round_id, Attempt.entrant_id, literal(utcnow(), UTCDateTime())
    ).where(
        Attempt.deadline_ms > cutoff_ms,
        ~exists().where(Score.attempt_id == Attempt.id),
        not_lost(),
    )
    columns = ["attempt_id", "round_id", "entrant_id", "lost_at"]
    db.session.execute(_insert()(table).from_select(columns, rows).on_conflict_do_nothing())
