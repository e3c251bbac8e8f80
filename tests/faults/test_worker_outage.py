"""Workers and the scheduler outlive a Redis outage: nobody has to restart them.

Real processes, as production runs them (`rq worker -w quiz.worker.AppWorker`
and `python -m quiz.scoring.scheduler`), against a Redis of the test's own
that is killed with SIGKILL while a job runs, stays down for seconds, and
comes back from its append-only file.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rq import Queue
from sqlalchemy import func, select

from quiz.extensions import DEFAULT_QUEUE, db, get_redis
from quiz.models import Score
from tests.conftest import make_config
from tests.factories import make_bank, make_contest, make_entrant
from tests.scoring.simulate import play

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def scored(app) -> int:
    with app.app_context():
        db.session.remove()
        return db.session.scalar(select(func.count()).select_from(Score))


def wait_until(condition, seconds: float, message: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message()
        time.sleep(0.2)


def spawn(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def play_some(app, round_id: int, people: range) -> None:
    """Submissions queued in Redis. No drain is enqueued: only the scheduler's drain scores them."""
    with app.app_context():
        for n in people:
            play(round_id, make_entrant(n).id, random.Random(n))


@pytest.mark.slow
def test_worker_and_scheduler_outlive_a_redis_outage(own_redis, app_on, database_url, tmp_path):
    app = app_on(own_redis.url)
    with app.app_context():
        round_id = make_contest(make_bank(), max_attempts=None).rounds[0].id
    play_some(app, round_id, range(1, 6))
    env = dict(
        os.environ,
        QUIZ_ENV="production",
        SECRET_KEY=make_config(database_url, own_redis.url)["SECRET_KEY"],
        DATABASE_URL=database_url,
        REDIS_URL=own_redis.url,
        LEADERBOARD_REDIS_URL=own_redis.url,
        PYTHONPATH=str(ROOT),
        REDIS_RETRY_MAX_SECONDS="1",
    )
    logs = {"worker": tmp_path / "worker.log", "scheduler": tmp_path / "scheduler.log"}
    processes = {
        "worker": spawn(
            [str(BIN / "rq"), "worker", "--url", own_redis.url, "-w", "quiz.worker.AppWorker"]
            + ["--logging_level", "WARNING", "scoring", "default"],
            env,
            logs["worker"],
        ),
        "scheduler": spawn(
            [sys.executable, "-m", "quiz.scoring.scheduler", "--url", own_redis.url]
            + ["--logging-level", "WARNING", "tests.helpers.fast_cron"],
            env,
            logs["scheduler"],
        ),
    }

    def story() -> str:
        return "\n".join(
            f"--- {name} (exit {processes[name].poll()}):\n{log.read_text()[-2000:]}"
            for name, log in logs.items()
        )

    try:
        wait_until(
            lambda: scored(app) == 5, 60, lambda: "nothing scored before the outage\n" + story()
        )
        # rq's own worker exits when a job ends while Redis is away: be in a job then.
        marker = tmp_path / "napping"
        with app.app_context():
            Queue(DEFAULT_QUEUE, connection=get_redis()).enqueue(
                "tests.helpers.jobs.nap", str(marker), 2
            )
        wait_until(marker.exists, 60, lambda: "the worker never took the job\n" + story())
        own_redis.kill()
        time.sleep(4)  # longer than a restart: the processes notice and must wait
        own_redis.start()  # with its append-only file
        play_some(app, round_id, range(6, 11))
        wait_until(lambda: scored(app) == 10, 60, lambda: "not scored after the outage\n" + story())
        assert all(p.poll() is None for p in processes.values()), story()
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            process.wait(30)
