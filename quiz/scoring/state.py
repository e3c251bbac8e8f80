"""The per-app Redis state of attempts: the submission buffer, admission, and drains.

Both request paths (through `quiz.contest.attempts.Engine`) and the workers
(`jobs.py`) reach the same two objects, built once per app on first use
(after tests have set their config), so they live here, below the entrant's
side.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import redis
from flask import Flask, current_app
from rq import Queue

from quiz.caches import per_app
from quiz.extensions import QUEUE_KEY, SCORING_QUEUE, RedisClient, get_queue_redis
from quiz.scoring.admission import Admission
from quiz.scoring.buffer import SubmissionBuffer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AttemptState:
    """Where attempts live in Redis until the workers have copied and scored them."""

    buffer: SubmissionBuffer
    admission: Admission
    queue: redis.Redis  # RQ's Redis: the data Redis itself unless that is a cluster


def _build_state(app: Flask) -> AttemptState:
    config = app.config
    client = app.extensions[RedisClient.key]
    return AttemptState(
        buffer=SubmissionBuffer(client, config["SECRET_KEY"].encode()),
        admission=Admission(
            client,
            config["START_RATE_PER_SECOND"],
            config["START_BURST"],
            config["ATTEMPT_ID_BLOCK"],
        ),
        queue=app.extensions[QUEUE_KEY],
    )


def attempt_state_for(app: Flask) -> AttemptState:
    """The app's attempt state, built on first use."""
    return per_app(AttemptState, _build_state, app)


def attempt_state() -> AttemptState:
    return attempt_state_for(current_app._get_current_object())


def request_drain(queue: redis.Redis | None = None) -> None:
    """Enqueue a scoring drain; failures are harmless (the cron drain catches up).

    `queue`: RQ's Redis, when the caller has it at hand (no app context needed).
    """
    try:
        Queue(SCORING_QUEUE, connection=queue or get_queue_redis()).enqueue(
            "quiz.scoring.jobs.drain_submissions", job_timeout=600, result_ttl=60
        )
    except Exception:  # noqa: BLE001 - the submit stands whatever happens here
        log.exception("could not enqueue a scoring drain")
