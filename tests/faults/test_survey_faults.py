"""Survey responses survive operator faults: a response its respondent was told was
received reaches the database exactly once, and nobody answers twice because Redis
forgot who answered.

A Redis of the test's own (tests/faults/conftest.py), killed with SIGKILL and
started again from its append-only file, or without any data; a PostgreSQL of
the test's own stopped mid-drain; a drain worker (a real process) killed with
SIGKILL between its commit and the deletion of the stream entries it wrote.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from quiz.extensions import DATABASE_DOWN, db, get_redis
from quiz.models import SurveyRespondent, SurveyResponse
from quiz.scoring import keys
from quiz.scoring.jobs import watch_redis
from quiz.surveys import drain as drain_module
from quiz.surveys.drain import drain_survey
from tests.factories import make_units
from tests.faults.test_redis_loss import as_admin, restore, snapshot
from tests.surveys.builders import fields, make_survey
from tests.surveys.test_respond import complete, open_form

ROOT = Path(__file__).resolve().parents[2]
SLUG = "khao-sat"


def make(app) -> tuple[int, dict]:
    with app.app_context():
        made = make_survey(make_units()["P"], slug=SLUG)
        db.session.commit()
        return made.id, fields(made)


class Respondent:
    """One person on one device (a public link: one response per device)."""

    def __init__(self, app, f) -> None:
        self.client = app.test_client()
        self.f = f
        _page, self.token, self.csrf = open_form(self.client, SLUG)

    def submit(self):
        data = {"csrf_token": self.csrf, **complete(self.f)}
        sent = self.client.post(f"/s/t/{self.token}/submit", data=data)
        assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/s/{SLUG}/done")
        return sent

    def page(self):
        return self.client.get(f"/s/{SLUG}")


def answered(app, f) -> Respondent:
    person = Respondent(app, f)
    person.submit()
    return person


def drain(app, survey_id: int) -> int:
    with app.app_context():
        return drain_survey(survey_id)


def written(app) -> tuple[int, int]:
    """Responses and respondents in the database."""
    with app.app_context():
        db.session.remove()
        responses = db.session.scalar(select(func.count()).select_from(SurveyResponse))
        respondents = db.session.scalar(select(func.count()).select_from(SurveyRespondent))
        return responses, respondents


def queued(app, survey_id: int) -> int:
    with app.app_context():
        return get_redis().xlen(keys.survey_responses(survey_id))


def test_responses_queued_when_redis_is_killed_are_written_once_after_its_restart(
    own_redis, app_on
):
    app = app_on(own_redis.url)
    survey_id, f = make(app)
    people = [answered(app, f) for _ in range(5)]  # queued, not drained yet
    assert written(app) == (0, 0)

    own_redis.kill()
    own_redis.start()  # from its append-only file

    assert drain(app, survey_id) == 5
    assert drain(app, survey_id) == 0
    assert written(app) == (5, 5) and queued(app, survey_id) == 0
    first = people[0]
    assert first.page().status_code == 303  # answered: the thank-you page
    first.submit()  # the form left open in another tab, sent again: refused, not queued
    assert queued(app, survey_id) == 0
    assert drain(app, survey_id) == 0
    assert written(app) == (5, 5)


def test_redis_back_empty_lets_nobody_answer_twice_and_raises_the_alarm(own_redis, app_on):
    app = app_on(own_redis.url)
    survey_id, f = make(app)
    kept = answered(app, f)
    assert drain(app, survey_id) == 1  # in the database for good
    lost = answered(app, f)  # queued in Redis only
    with app.app_context():
        assert watch_redis() is None  # the scheduler has checked this Redis (every 10 s)

    own_redis.kill()
    own_redis.start(empty=True)  # the disk went too

    # Who answered is in the database: still answered, whatever Redis forgot.
    assert kept.page().status_code == 303
    kept.submit()  # the old form sent again
    assert queued(app, survey_id) == 0
    # The response Redis lost is nowhere: its respondent may answer again, once.
    page = lost.page()
    assert page.status_code == 200
    assert "Máy chủ gặp sự cố" in page.text  # told plainly why the form is back
    lost.submit()
    assert drain(app, survey_id) == 1
    assert lost.page().status_code == 303
    assert written(app) == (2, 2)

    with app.app_context():
        assert watch_redis() == "empty"  # the scheduler's check notices the loss
    admin = as_admin(app)
    console = admin.get("/console/system").text
    assert "Redis đã mất dữ liệu" in console
    assert "khảo sát" in console  # survey responses are named among what was lost
    survey_page = admin.get(f"/console/surveys/{survey_id}").text
    assert "Redis đã mất dữ liệu (phát hiện lúc" in survey_page  # the organizers see it too


def test_redis_back_older_counts_who_answered_again(own_redis, app_on, tmp_path):
    """A copy from before someone's response (a lagging replica, a restored backup) still
    marks the survey counted: the check after the restart has it counted again."""
    app = app_on(own_redis.url)
    survey_id, f = make(app)
    person = Respondent(app, f)  # the form open: the survey counted in this Redis
    older = tmp_path / "older"
    older.mkdir()
    snapshot(own_redis, older)
    person.submit()
    assert drain(app, survey_id) == 1
    restore(own_redis, older)  # back to before the response: its count is gone

    with app.app_context():
        watch_redis()  # the scheduler's check of the restarted Redis
    assert person.page().status_code == 303  # still answered
    person.submit()
    assert queued(app, survey_id) == 0
    assert written(app) == (1, 1)


@pytest.mark.slow
def test_the_database_stopping_mid_drain_loses_and_doubles_nothing(
    private_postgres, outage_app, monkeypatch
):
    app = outage_app
    survey_id, f = make(app)
    for _ in range(12):
        answered(app, f)
    waiting = [Respondent(app, f) for _ in range(3)]  # forms open, to send during the outage

    # The worker has inserted the batch; the database stops before its commit.
    write = drain_module.write_batch

    def write_then_stop(info, entries):
        monkeypatch.setattr(drain_module, "write_batch", write)
        written_here = write(info, entries)
        private_postgres.stop()
        return written_here

    monkeypatch.setattr(drain_module, "write_batch", write_then_stop)
    try:
        with pytest.raises((*DATABASE_DOWN, psycopg.OperationalError)):
            drain(app, survey_id)
        assert drain_module.write_batch is write  # the fault did fire, mid-drain
        for person in waiting:
            person.submit()  # Redis only: respondents never wait on the database
        with pytest.raises((*DATABASE_DOWN, psycopg.OperationalError)):
            drain(app, survey_id)  # the next drain fails too, and leaves everything queued
    finally:
        private_postgres.start()

    assert queued(app, survey_id) == 15
    assert drain(app, survey_id) == 15
    assert drain(app, survey_id) == 0
    assert written(app) == (15, 15) and queued(app, survey_id) == 0


KILLED_AFTER_COMMIT = """
import os, signal, sys
import redis
from quiz import create_app
from quiz.surveys import drain as drain_module
from quiz.surveys.drain import drain_survey
from tests.conftest import make_config

def die(*args, **kwargs):  # between the commit and the deletion of the stream entries
    os.kill(os.getpid(), signal.SIGKILL)

redis.Redis.xdel = die
database_url, redis_url, survey_id = sys.argv[1:]
app = create_app(make_config(database_url, redis_url, SURVEY_DRAIN_LOCK_SECONDS=2))
with app.app_context():
    drain_survey(int(survey_id))
"""


@pytest.mark.slow
def test_a_drain_worker_killed_between_its_commit_and_the_stream_delete_writes_once(
    own_redis, app_on, database_url
):
    app = app_on(own_redis.url)
    survey_id, f = make(app)
    for _ in range(4):
        answered(app, f)
    killed = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", KILLED_AFTER_COMMIT, database_url, own_redis.url, str(survey_id)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert written(app) == (4, 4)  # committed
    assert queued(app, survey_id) == 4  # and still queued: the crash window
    with app.app_context():
        lock = keys.survey_drain_lock(survey_id)
        assert get_redis().exists(lock)  # the dead worker's lock
    answered(app, f)  # a response after the crash

    deadline = time.monotonic() + 30
    with app.app_context():
        while get_redis().exists(lock):  # a dead worker's lock does not hold the survey long
            assert time.monotonic() < deadline, "the killed worker's lock is still held"
            time.sleep(0.2)
    assert drain(app, survey_id) == 1  # the new response only
    assert written(app) == (5, 5) and queued(app, survey_id) == 0
