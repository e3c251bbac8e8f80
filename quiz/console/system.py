"""The scoring backlog and the workers, for administrators watching a busy round."""

from __future__ import annotations

from flask import render_template
from rq import Queue, Worker
from rq.registry import FailedJobRegistry, StartedJobRegistry

from quiz.console import bp
from quiz.console.access import ADMINS, allow
from quiz.extensions import DEFAULT_QUEUE, SCORING_QUEUE, get_redis
from quiz.scoring import keys
from quiz.scoring.jobs import DEAD_LETTERS


def _pending(client, stream: str, group: str) -> int:
    try:
        return int(client.xpending(stream, group)["pending"])
    except Exception:  # noqa: BLE001 - no group yet: nothing pending
        return 0


def backlog() -> dict:
    client = get_redis()
    queues = []
    for name in (SCORING_QUEUE, DEFAULT_QUEUE):
        queue = Queue(name, connection=client)
        queues.append(
            {
                "name": name,
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
            {"name": w.name, "state": w.get_state(), "queues": ", ".join(w.queue_names())}
            for w in Worker.all(connection=client)
        ],
    }


@bp.get("/system")
@allow(*ADMINS)
def system():
    return render_template("console/system.html", data=backlog())
