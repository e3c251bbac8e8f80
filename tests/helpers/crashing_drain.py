"""A scoring drain that freezes at a chosen point of its second batch, to be SIGKILLed.

Run by tests/scoring/test_worker_crash.py as a separate process; the
freezing is done here, by wrapping the real functions, so production code
carries no test hooks.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import quiz.scoring.jobs as jobs  # noqa: E402
import quiz.scoring.store as store  # noqa: E402
from quiz import create_app  # noqa: E402
from tests.conftest import make_config  # noqa: E402

ready = Path(os.environ["READY_FILE"])
calls = {"n": 0}


def freeze_on_second_call() -> None:
    calls["n"] += 1
    if calls["n"] == 2:
        ready.write_text("frozen")
        time.sleep(600)


if os.environ["CRASH_POINT"] == "before_commit":
    real_insert = store.insert_scores

    def insert_then_freeze(values):
        inserted = real_insert(values)  # rows written, transaction still open
        freeze_on_second_call()
        return inserted

    store.insert_scores = insert_then_freeze
else:
    from quiz.scoring.leaderboard import Leaderboard

    real_apply = Leaderboard.apply

    def freeze_then_apply(self, placements, chunk=500):
        freeze_on_second_call()  # committed to the database, not acknowledged
        return real_apply(self, placements, chunk)

    Leaderboard.apply = freeze_then_apply

app = create_app(
    make_config(
        os.environ["DB_URL"], os.environ["REDIS_URL"], SCORING_BATCH_SIZE=int(os.environ["BATCH"])
    )
)
with app.app_context():
    jobs.drain_submissions(max_seconds=120)
