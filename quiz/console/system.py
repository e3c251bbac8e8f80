"""The scoring backlog, the workers, and Redis's losses, for administrators watching a round."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from rq import Queue, Worker
from rq.registry import FailedJobRegistry, StartedJobRegistry
from sqlalchemy import func, select

from quiz.console import bp
from quiz.console.access import ADMINS, allow
from quiz.extensions import (
    DATABASE_DOWN,
    DEFAULT_QUEUE,
    SCORING_QUEUE,
    db,
    get_queue_redis,
    get_redis,
)
from quiz.models.redis_state import LostAttempt, RedisLoss
from quiz.scoring import keys
from quiz.scoring.jobs import DEAD_LETTERS

SHOWN_LOSSES = 10
# What each queue and worker state is, for people; the raw name stays beside it for operators.
QUEUE_LABELS = {SCORING_QUEUE: _l("Scoring"), DEFAULT_QUEUE: _l("Exports and statistics")}
WORKER_STATES = {
    "idle": _l("Idle"),
    "busy": _l("Working"),
    "started": _l("Starting"),
    "suspended": _l("Suspended"),
}


def queue_label(name: str) -> str:
    return str(QUEUE_LABELS.get(name, name))


def worker_state(state) -> str:
    code = str(getattr(state, "value", state))  # rq gives a str enum or a plain string
    return str(WORKER_STATES.get(code, code))


def _pending(client, stream: str, group: str) -> int:
    try:
        return int(client.xpending(stream, group)["pending"])
    except Exception:  # noqa: BLE001 - no group yet: nothing pending
        return 0


def backlog() -> dict:
    client, queue_redis = get_redis(), get_queue_redis()
    queues = []
    for name in (SCORING_QUEUE, DEFAULT_QUEUE):
        queue = Queue(name, connection=queue_redis)
        queues.append(
            {
                "name": name,
                "label": queue_label(name),
                "queued": queue.count,
                "running": StartedJobRegistry(queue=queue).count,
                "failed": FailedJobRegistry(queue=queue).count,
            }
        )
    return {
        "submissions_waiting": client.xlen(keys.SUBMISSION_STREAM),
        "submissions_in_hand": _pending(client, keys.SUBMISSION_STREAM, keys.SCORERS_GROUP),
        "dead_letters": client.xlen(DEAD_LETTERS),
        "attempts_to_copy": client.xlen(keys.NEW_ATTEMPTS),
        "queues": queues,
        "workers": [
            {
                "name": w.name,
                "state": worker_state(w.get_state()),
                "queues": ", ".join(queue_label(q) for q in w.queue_names()),
            }
            for w in Worker.all(connection=queue_redis)
        ],
    }


def losses() -> dict | None:
    """Redis's losses noticed, newest first, and the lost attempts (None: database down).

    The alarm: it stays on this page, with its counts, for whoever looks
    after the contest (the log has one ERROR line per loss).
    """
    try:
        rows = db.session.scalars(
            select(RedisLoss).order_by(RedisLoss.detected_at.desc()).limit(SHOWN_LOSSES)
        ).all()
        lost, seen = db.session.execute(
            select(func.count(), func.count(LostAttempt.seen_at)).select_from(LostAttempt)
        ).one()
    except DATABASE_DOWN:
        db.session.rollback()
        return None
    return {"rows": rows, "lost_attempts": lost, "entrants_told": seen}


@bp.get("/system")
@allow(*ADMINS)
def system():
    return render_template("console/system.html", data=backlog(), losses=losses())
