"""Redis comes back empty, or older than it was: no attempt id is handed out twice,
entrants of lost attempts are told plainly and may start again, and an alarm
with counts goes up (console, log).

A Redis of the test's own, killed with SIGKILL and started again without its
data, or from a copy of its append-only file taken earlier (what a power cut
with `appendfsync everysec`, a lagging replica or a restored backup brings).
"""

from __future__ import annotations

import logging
import random
import re
import shutil

import pytest
from sqlalchemy import func, select

from quiz.catalog.rounds import get_round
from quiz.contest.attempts import AttemptLost, engine, existing_attempt
from quiz.contest.display import result_view
from quiz.contest.starting import start_attempt
from quiz.extensions import db, get_redis
from quiz.models import Role, Score
from quiz.models.redis_state import LostAttempt, RedisLoss
from quiz.scoring import keys
from quiz.scoring.jobs import drain_submissions, sweep_expired_attempts, watch_redis
from quiz.scoring.persistence import persist_new_attempts
from quiz.timeutil import now_ms
from tests.console.conftest import make_staff
from tests.contest.test_attempts import registered, setup_contest
from tests.factories import make_bank, make_contest, make_entrant
from tests.helpers.staff import signed_in_client
from tests.players import csrf_from
from tests.scoring.simulate import play

LOST = "đã bị mất do sự cố máy chủ"


def attempt_id(app, token: str) -> int:
    with app.app_context():
        return engine().signer.verify(token).attempt_id


def losses(app) -> list[RedisLoss]:
    with app.app_context():
        db.session.remove()
        return db.session.scalars(select(RedisLoss)).all()


def as_admin(app):
    with app.app_context():
        return signed_in_client(app, make_staff("quantri-thu", Role.ADMIN, None))


@pytest.mark.slow
def test_redis_back_empty_hands_out_no_id_twice_and_the_entrant_may_start_again(
    own_redis, app_on, caplog
):
    app = app_on(own_redis.url)
    unit_id = setup_contest(app, max_attempts=1)  # losing the only attempt must not use it up
    done = registered(app, unit_id, phone="0900000201")
    done_token = done.start()
    done.submit(done_token, {"q0": "0"})
    with app.app_context():
        assert drain_submissions(max_seconds=10) == 1  # scored: in the database for good
    lost = registered(app, unit_id, phone="0900000202")
    lost_token = lost.start()  # still only in Redis
    csrf = csrf_from(lost.paper(lost_token).text)
    assert lost.save(lost_token, q=0, c="1", csrf=csrf).status_code == 200

    own_redis.kill()
    own_redis.start(empty=True)  # the disk went too

    with caplog.at_level(logging.ERROR, logger="quiz.scoring.generation"):
        with app.app_context():
            assert watch_redis() == "empty"  # the scheduler notices without any start
            assert watch_redis() is None  # once
        other = registered(app, unit_id, phone="0900000203")
        other_token = other.start()
    assert attempt_id(app, other_token) > attempt_id(app, lost_token)
    assert len([r for r in caplog.records if "Redis came back empty" in r.message]) == 1
    (loss,) = losses(app)
    assert loss.kind == "empty" and loss.database_last_id == attempt_id(app, done_token)

    page = lost.paper(lost_token)
    assert page.status_code == 410 and LOST in page.text
    assert 'action="/c/thu/r/1/start"' in page.text  # start again, from the page itself
    save = lost.save(lost_token, q=1, c="0", csrf=csrf)
    assert save.status_code == 410 and save.json["code"] == "lost" and LOST in save.json["error"]
    submit = lost.submit(lost_token, csrf=csrf)
    assert submit.status_code == 410 and LOST in submit.text
    with app.app_context():
        assert not get_redis().exists(keys.receipt(attempt_id(app, lost_token)))  # no receipt
    result = lost.client.get(f"/a/{lost_token}/result", follow_redirects=True)
    assert result.status_code == 410 and LOST in result.text
    assert lost.start() != lost_token  # a new attempt, though the round allows one

    assert re.search(r"Đúng \d/5 câu", done.result(done_token).text)  # from the database
    with app.app_context():
        (row,) = db.session.scalars(select(LostAttempt)).all()
        assert row.attempt_id == attempt_id(app, lost_token) and row.seen_at is not None
    console = as_admin(app).get("/console/system").text
    assert "Redis đã mất dữ liệu" in console and "Số lượt thi bị mất: 1" in console


def test_attempts_redis_lost_after_they_reached_the_database_are_void_not_scored_blank(
    own_redis, app_on, monkeypatch
):
    app = app_on(own_redis.url)
    with app.app_context():
        round_id = make_contest(make_bank(), max_attempts=1).rounds[0].id
        people = [make_entrant(n).id for n in (1, 2)]
        submitted = play(round_id, people[0], random.Random(1))  # a receipt, not scored yet
        running = start_attempt(get_round(round_id), people[1], 1990, now_ms())
        assert persist_new_attempts(get_redis(), "test", 100, 60_000) == 2
    own_redis.kill()
    own_redis.start(empty=True)  # answers and receipts gone; the attempts are in the database
    later = now_ms() + 3600_000  # every deadline has passed: the sweeper would submit them
    monkeypatch.setattr("quiz.scoring.jobs.now_ms", lambda: later)
    with app.app_context():
        assert sweep_expired_attempts() == 0  # it checks Redis first: nothing to submit blank
        (loss,) = losses(app)
        assert loss.unscored_attempts == 2
        assert drain_submissions(max_seconds=5) == 0
        assert db.session.scalar(select(func.count()).select_from(Score)) == 0
        token = engine().signer.verify(running.token)
        with pytest.raises(AttemptLost):
            existing_attempt(token)
        db.session.commit()
        again = start_attempt(get_round(round_id), people[0], 1990, now_ms())
        assert again.attempt_id not in (submitted, running.attempt_id)


def snapshot(own_redis, into):
    """The append-only file as it is now (Redis stopped cleanly first, then started again)."""
    own_redis.stop()
    for path in own_redis.server.directory.glob("appendonly*"):
        copy = shutil.copytree if path.is_dir() else shutil.copy2
        copy(path, into / path.name)
    own_redis.start()


def restore(own_redis, copy_dir):
    own_redis.kill()
    for path in own_redis.server.directory.glob("appendonly*"):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    for path in copy_dir.iterdir():
        copy = shutil.copytree if path.is_dir() else shutil.copy2
        copy(path, own_redis.server.directory / path.name)
    own_redis.start()


@pytest.mark.slow
@pytest.mark.parametrize("trace", ["copied", "scored"])
def test_redis_back_older_hands_out_no_id_twice_and_raises_the_alarm(
    own_redis, app_on, tmp_path, trace
):
    """Either trace of what Redis forgot is enough to notice: an attempt copied to the
    database that Redis never had, or a submission scored whose receipt it lost."""
    app = app_on(own_redis.url)
    with app.app_context():
        info = get_round(make_contest(make_bank(), max_attempts=None).rounds[0].id)
        people = [make_entrant(n).id for n in range(1, 5)]
        first = start_attempt(info, people[0], 1990, now_ms())
    saved = tmp_path / "older"
    saved.mkdir()
    snapshot(own_redis, saved)  # a clean restart: nothing lost, no alarm
    with app.app_context():
        if trace == "copied":
            start_attempt(info, people[1], 1990, now_ms())
            assert persist_new_attempts(get_redis(), "test", 100, 60_000) == 2
        else:
            engine().buffer.submit(first.attempt_id, now_ms())
            assert drain_submissions(max_seconds=10) == 1  # copied, scored, receipt given
        lost = start_attempt(info, people[2], 1990, now_ms())
        assert losses(app) == []
    restore(own_redis, saved)  # Redis went back in time, to before those

    with app.app_context():
        fresh = start_attempt(info, people[3], 1990, now_ms())
        assert fresh.attempt_id > lost.attempt_id
        (loss,) = losses(app)
        assert loss.kind == "older"
        assert (loss.attempts_ahead, loss.receipts_missing) == (
            (1, 0) if trace == "copied" else (0, 1)
        )
        with pytest.raises(AttemptLost):  # its entrant is told, and may start again
            existing_attempt(engine().signer.verify(lost.token))
        db.session.commit()
        if trace == "scored":  # the receipt is gone, the score is not
            view = result_view(engine().signer.verify(first.token), info)
            assert view.received and view.scored
