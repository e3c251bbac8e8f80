"""Faults: the database stops in the middle of a round and comes back.

Attempts live in Redis from start to submit, so entrants keep playing while
PostgreSQL restarts: answers are saved, submits are received, even new
attempts start. Pages that need the database answer a clear 503; scoring
waits, and once the database is back every submission is scored exactly
once and the same web process serves pages again without a restart.

The database is a private PostgreSQL server (tests/helpers/private_postgres.py):
stopping the shared one would break everything else that uses it. Runs in
the PostgreSQL pass of the suite (TEST_DATABASE_URL set), where it fails,
not skips, if the PostgreSQL programs are missing.
"""

from __future__ import annotations

import random

import psycopg
import pytest
from sqlalchemy import func, select

from quiz.extensions import DATABASE_DOWN, db
from quiz.models import Attempt, Score
from quiz.scoring import store
from quiz.scoring.jobs import drain_submissions
from tests.contest.test_attempts import registered, setup_contest
from tests.factories import make_bank, make_contest, make_entrant
from tests.players import Player, csrf_from
from tests.scoring.simulate import play

pytestmark = pytest.mark.slow


def counts(app) -> tuple[int, int]:
    with app.app_context():
        attempts = db.session.scalar(select(func.count()).select_from(Attempt))
        scores = db.session.scalar(select(func.count()).select_from(Score))
        return attempts, scores


def test_entrants_keep_playing_while_the_database_restarts(private_postgres, outage_app):
    app = outage_app
    unit_id = setup_contest(app, max_attempts=None)
    before = registered(app, unit_id)  # playing when the database stops
    during = registered(app, unit_id, phone="0900000299")  # starts while it is down
    token = before.start()
    csrf = csrf_from(before.paper(token).text)
    assert before.save(token, q=0, c="0", csrf=csrf).status_code == 200
    contest_csrf = csrf_from(during.client.get("/c/thu").text)

    private_postgres.stop()
    try:
        assert before.save(token, q=1, c="1", csrf=csrf).status_code == 200
        assert before.submit(token, csrf=csrf).status_code == 303
        received = before.result(token)
        assert received.status_code == 200

        started = during.client.post("/c/thu/r/1/start", data={"csrf_token": contest_csrf})
        assert started.status_code == 303, started.text
        new_token = started.headers["Location"].rsplit("/", 1)[1]
        paper = during.paper(new_token)
        assert paper.status_code == 200
        new_csrf = csrf_from(paper.text)
        assert during.save(new_token, q=0, c="2", csrf=new_csrf).status_code == 200
        assert during.submit(new_token, csrf=new_csrf).status_code == 303

        # What needs the database says so plainly, in Vietnamese, with a retry time.
        newcomer = Player(app.test_client())
        page = newcomer.client.get("/c/thu/register")
        form = {"csrf_token": csrf_from(page.text), "full_name": "Người Mới", "phone": "0900000300",
                "birth_year": "1991", "unit": str(unit_id), "consent": "y", "gender": "female",
                "occupation": "other"}  # fmt: skip
        refused = newcomer.client.post("/c/thu/register", data=form)
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"]
        assert "Hệ thống tạm thời gián đoạn" in refused.text

        # Scoring cannot write: it fails and leaves everything queued.
        with app.app_context(), pytest.raises(DATABASE_DOWN):
            drain_submissions(max_seconds=5)
    finally:
        private_postgres.start()

    # The same process, its pool full of dead connections, serves again at once.
    assert newcomer.client.post("/c/thu/register", data=form).status_code == 303
    with app.app_context():
        assert drain_submissions(max_seconds=20) == 2
        assert drain_submissions(max_seconds=5) == 0
    assert counts(app) == (2, 2)
    result = before.result(token)
    assert result.status_code == 200


def test_the_database_stopping_mid_batch_loses_and_doubles_nothing(
    private_postgres, outage_app, monkeypatch
):
    app = outage_app
    with app.app_context():
        round_id = make_contest(make_bank(), max_attempts=None).rounds[0].id
        right = {
            play(round_id, make_entrant(n).id, random.Random(n), right=n % 6): n % 6
            for n in range(1, 31)
        }

    # The worker has read the batch, copied its attempts and graded it; the
    # database stops just as the scores are written.
    write_scores = store.insert_scores

    def stop_then_write(values):
        monkeypatch.setattr(store, "insert_scores", write_scores)
        private_postgres.stop()
        return write_scores(values)

    monkeypatch.setattr(store, "insert_scores", stop_then_write)
    with app.app_context(), pytest.raises((*DATABASE_DOWN, psycopg.OperationalError)):
        drain_submissions(max_seconds=10)
    assert store.insert_scores is write_scores  # the fault did fire, mid-batch
    private_postgres.start()

    with app.app_context():
        assert drain_submissions(max_seconds=20) == 30  # the stalled batch, taken over
        assert drain_submissions(max_seconds=2) == 0
        rows = db.session.execute(select(Score.attempt_id, Score.correct, Score.total)).all()
    assert sorted(r.attempt_id for r in rows) == sorted(right)
    assert all(r.correct == min(right[r.attempt_id], r.total) for r in rows)
    assert counts(app) == (30, 30)
