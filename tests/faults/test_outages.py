"""Faults: Redis restarts and outages, retried and doubled requests.

Nothing accepted is lost, nothing is counted twice, and while a service is
down requests get a clear 503 (never a 500 or a hang), recovering by
themselves when it returns.
"""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import func, select

from quiz.extensions import db, get_redis
from quiz.models import Score
from quiz.scoring.jobs import drain_submissions
from tests.contest.test_attempts import registered, setup_contest
from tests.factories import make_bank, make_contest, make_entrant
from tests.players import csrf_from
from tests.scoring.simulate import play


def scored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Score))


@pytest.mark.slow
def test_a_redis_restart_keeps_every_accepted_submission(durable_redis, app_on):
    app = app_on(durable_redis.url)
    with app.app_context():
        get_redis().flushdb()
        round_id = make_contest(make_bank(), max_attempts=None).rounds[0].id
        for n in range(1, 41):
            play(round_id, make_entrant(n).id, random.Random(n))
    durable_redis.stop()  # SHUTDOWN: the append-only file is flushed to disk
    restarted = durable_redis.start()
    try:
        with app.app_context():
            assert drain_submissions(max_seconds=20) == 40
        assert scored(app) == 40
    finally:
        durable_redis.stop()
        if restarted is not None:
            restarted.wait(10)


@pytest.mark.slow
def test_while_redis_is_down_requests_get_503_and_recover(durable_redis, app_on):
    app = app_on(durable_redis.url)
    with app.app_context():
        get_redis().flushdb()
    unit_id = setup_contest(app)
    player = registered(app, unit_id)
    token = player.start()
    csrf = csrf_from(player.paper(token).text)
    durable_redis.stop()
    try:
        for response in (
            player.client.get("/c/thu"),
            player.save(token, q=0, c="1", csrf=csrf),
            player.submit(token, csrf=csrf),
            player.client.post("/c/thu/r/1/start", data={"csrf_token": csrf}),
        ):
            assert response.status_code == 503
            assert response.headers["Retry-After"]
        assert player.save(token, q=0, c="1", csrf=csrf).is_json
    finally:
        restarted = durable_redis.start()
    assert player.save(token, q=0, c="1", csrf=csrf).status_code == 200
    assert player.submit(token, csrf=csrf).status_code == 303
    with app.app_context():
        assert drain_submissions(max_seconds=10) == 1
    durable_redis.stop()
    if restarted is not None:
        restarted.wait(10)


def test_retried_and_doubled_saves_and_submits_count_once(app):
    unit_id = setup_contest(app, max_attempts=None)
    players = [registered(app, unit_id, phone=f"09000001{n:02d}") for n in range(8)]
    tokens = [p.start() for p in players]
    csrfs = [csrf_from(p.paper(t).text) for p, t in zip(players, tokens, strict=True)]
    errors = []

    def hammer(player, token, csrf):
        try:
            for _ in range(3):  # every save sent three times, as a flaky network does
                for q in range(5):
                    assert player.save(token, q=q, c="0", csrf=csrf).status_code in (200, 409)
            for _ in range(4):  # double clicks and retries after timeouts
                assert player.submit(token, csrf=csrf).status_code == 303
        except AssertionError as exc:  # surfaced below: threads swallow failures
            errors.append(exc)

    threads = [
        threading.Thread(target=hammer, args=args)
        for args in zip(players, tokens, csrfs, strict=True)
        for _ in range(2)  # two tabs of the same entrant at once
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with app.app_context():
        assert drain_submissions(max_seconds=20) == 8
        rows = db.session.scalars(select(Score)).all()
    assert len(rows) == 8
    assert all(all(answer != [] for answer in row.answers) for row in rows)  # every save counted
