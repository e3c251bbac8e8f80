"""Starting an attempt: a paper drawn in memory, then one Redis call.

The paper is drawn from the cached pool, then the start script
(`admission.py`) resumes a running attempt, checks the attempt limit and
admission, and stores the new attempt, all in one round trip. The database
learns about the attempt a moment later, from a worker (`persistence.py`).
"""

from __future__ import annotations

import logging
import math

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from quiz.catalog.questions import Pool, QuestionCache, question_cache_for
from quiz.catalog.rounds import RoundInfo
from quiz.contest.attempts import Busy, Engine, Refusal, engine_for
from quiz.contest.papers import NotEnoughQuestions, draw_paper
from quiz.contest.registration import current_year
from quiz.contest.tokens import AttemptToken
from quiz.extensions import DATABASE_DOWN, db
from quiz.scoring.admission import (
    LIMIT,
    NEEDS_CHECK,
    NEEDS_IDS,
    NEEDS_SEQS,
    RESUMED,
    STARTED,
    WAIT,
    Outcome,
    Running,
)
from quiz.scoring.generation import check_redis, reserve_block
from quiz.scoring.persistence import seed_round_counts

log = logging.getLogger(__name__)


def check_can_start(info: RoundInfo, birth_year: int, now_ms: int) -> None:
    if not info.published:
        raise Refusal("not_published", _l("This contest is not open to the public."), 404)
    if info.paused:
        raise Refusal(
            "paused", _l("The organizers have paused this round; please come back later.")
        )
    if info.closed or now_ms >= info.ends_at_ms:
        raise Refusal("ended", _l("This round has ended."))
    if now_ms < info.starts_at_ms:
        raise Refusal("not_started", _l("This round has not started yet."))
    if info.min_age and current_year() - birth_year < info.min_age:
        raise Refusal(
            "too_young",
            _l("This round is for entrants aged %(age)s and over.", age=info.min_age),
            403,
        )


def _draw(info: RoundInfo, cache: QuestionCache, pool: Pool) -> list:
    try:
        return draw_paper(pool, cache.by_id, info.questions_per_attempt, info.topic_quotas)
    except NotEnoughQuestions as exc:
        log.error("round %s cannot draw a paper: %s", info.id, exc)
        raise Refusal(
            "no_questions", _l("This round is not ready yet; the organizers have been told."), 503
        ) from exc


class Started:
    def __init__(
        self, engine: Engine, info: RoundInfo, entrant_id: int, running: Running, resumed: bool
    ):
        self.attempt_id = running.attempt_id
        self.resumed = resumed
        self.token = engine.signer.sign(
            AttemptToken(
                running.attempt_id,
                info.id,
                entrant_id,
                running.deadline_ms,
                running.size,
                running.options,
            )
        )


DEVICE_COOKIE = "qd"
# The fast path's answer to a start it did not serve (Busy or a Refusal),
# left in the WSGI environ for the view: no second draw, no second Redis call.
# Clients cannot set it (header keys are HTTP_*).
DECLINED_START = "quiz.declined_start"


def start_attempt(
    info: RoundInfo,
    entrant_id: int,
    birth_year: int,
    now_ms: int,
    app: Flask | None = None,
    pool: Pool | None = None,
    device: str | None = None,
) -> Started:
    """Resume the entrant's running attempt, or draw a paper and start a new one.

    `app` and `pool` let the fast path call this outside an app context
    (with a pool it already holds); views pass neither.
    """
    check_can_start(info, birth_year, now_ms)
    app = app or current_app._get_current_object()
    engine = engine_for(app)
    cache = question_cache_for(app)
    pool = pool or cache.pool(info.bank_id, info.bank_revision)
    paper = _draw(info, cache, pool)
    device = device if device and len(device) <= 32 and device.isalnum() else None
    outcome = _start(app, engine, info, entrant_id, paper, now_ms, device)
    if outcome.refill:
        _refill(app, engine)
    if outcome.code in (RESUMED, STARTED):
        return Started(engine, info, entrant_id, outcome.running, outcome.code == RESUMED)
    if outcome.code == WAIT:
        raise Busy(max(1, math.ceil(outcome.wait_ms / 1000)))
    if outcome.code == LIMIT:
        raise Refusal(
            "limit",
            _l("You have used all %(n)s attempts allowed in this round.", n=info.max_attempts),
        )
    raise RuntimeError(f"start script answered {outcome.code}")


def _start(app: Flask, engine: Engine, info: RoundInfo, entrant_id, paper, now_ms, device):
    """The start script's answer, after doing what it asked for first (rarely needed).

    It asks for a check of Redis after Redis started, for the round's
    attempt counts from the database, or for a block of ids; each is done
    here and the start tried again, one Redis call each.
    """
    deadline = info.deadline_for(now_ms)
    for _ in range(5):
        outcome: Outcome = engine.admission.start(
            info.id,
            info.contest_id,
            entrant_id,
            paper,
            now_ms,
            deadline,
            info.max_attempts,
            device,
        )
        if outcome.code not in (NEEDS_CHECK, NEEDS_SEQS, NEEDS_IDS):
            return outcome
        with app.app_context():
            if outcome.code == NEEDS_CHECK:
                check_redis(engine.admission)
            elif outcome.code == NEEDS_SEQS:
                seed_round_counts(engine.admission, info.id)
            else:
                reserve_block(engine.admission)
    raise RuntimeError(f"start script still answers {outcome.code}")


def _refill(app: Flask, engine: Engine) -> None:
    """Reserve the next block of ids while half of this one is left.

    A database outage only delays it: the flag set by the start script
    expires and a later start tries again, on the ids still left.
    """
    with app.app_context():
        try:
            reserve_block(engine.admission)
        except DATABASE_DOWN as exc:
            db.session.rollback()
            log.warning("could not reserve the next block of attempt ids yet: %s", exc)


def running_attempt(info: RoundInfo, entrant_id: int, now_ms: int) -> str | None:
    """Token of the entrant's attempt still open in this round, if any."""
    engine = engine_for(current_app._get_current_object())
    running = engine.admission.running(info.id, entrant_id)
    if running is None or running.deadline_ms <= now_ms:
        return None
    if engine.buffer.receipt(running.attempt_id) is not None:
        return None
    return Started(engine, info, entrant_id, running, resumed=True).token
