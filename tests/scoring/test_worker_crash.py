"""A scoring worker killed with SIGKILL mid-batch: its batch is taken over, scored once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quiz.extensions import db, get_redis
from quiz.models.attempts import Attempt, Score
from quiz.scoring import keys
from quiz.scoring.jobs import drain_submissions
from quiz.scoring.leaderboard import leaderboard
from tests.factories import make_bank, make_contest, make_entrant
from tests.scoring.simulate import play
from tests.scoring.test_leaderboards import db_ranks, live_ranks

HELPER = Path(__file__).resolve().parents[1] / "helpers" / "crashing_drain.py"
SUBMISSIONS = 120


@pytest.mark.slow
@pytest.mark.parametrize("point", ["before_commit", "after_commit"])
def test_killed_worker_batch_is_taken_over_and_scored_once(
    app, point, tmp_path, database_url, redis_url
):
    app.config["SCORING_CLAIM_IDLE_MS"] = 200
    with app.app_context():
        round_id = make_contest(make_bank(), max_attempts=None).rounds[0].id
        rng = random.Random(1)
        for n in range(1, SUBMISSIONS + 1):
            play(round_id, make_entrant(n).id, rng)
    ready = tmp_path / "ready"
    env = dict(
        os.environ,
        DB_URL=database_url,
        REDIS_URL=redis_url,
        CRASH_POINT=point,
        READY_FILE=str(ready),
        BATCH="40",
    )
    worker = subprocess.Popen([sys.executable, str(HELPER)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert worker.poll() is None, "the crashing worker exited before freezing"
            assert time.monotonic() < deadline, "the crashing worker never reached its batch"
            time.sleep(0.05)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    time.sleep(0.3)  # let its unacknowledged entries go idle
    with app.app_context():
        client = get_redis()
        assert client.xpending(keys.SUBMISSION_STREAM, keys.SCORERS_GROUP)["pending"] == 40
        drain_submissions(max_seconds=30)
        attempt_ids = db.session.scalars(select(Score.attempt_id)).all()
        assert len(attempt_ids) == len(set(attempt_ids)) == SUBMISSIONS
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == SUBMISSIONS
        assert client.xlen(keys.SUBMISSION_STREAM) == 0
        assert client.xpending(keys.SUBMISSION_STREAM, keys.SCORERS_GROUP)["pending"] == 0
        assert live_ranks(leaderboard(), round_id) == db_ranks(round_id)
        assert len(live_ranks(leaderboard(), round_id)) == SUBMISSIONS
