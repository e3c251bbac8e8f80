"""The RQ side: submits enqueue drains, real workers run them, bad entries are set aside."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from rq import SimpleWorker
from sqlalchemy import func, select

from quiz.extensions import DEFAULT_QUEUE, SCORING_QUEUE, db, get_queue, get_redis
from quiz.models import Round
from quiz.models.attempts import Score
from quiz.scoring import keys
from quiz.scoring.jobs import DEAD_LETTERS, MAX_DELIVERIES, close_due_rounds, drain_submissions
from quiz.timeutil import utcnow
from tests.factories import make_bank, make_contest, make_entrant
from tests.scoring.simulate import play


def score_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Score))


def test_a_burst_of_submits_enqueues_one_drain_that_a_real_worker_runs(ctx):
    round_id = make_contest(make_bank()).rounds[0].id
    rng = random.Random(2)
    for n in range(1, 31):
        play(round_id, make_entrant(n).id, rng)
    # play() submits through the buffer directly; enqueue as the web tier does.
    from quiz.scoring.state import request_drain

    assert get_redis().exists(keys.DRAIN_SCHEDULED)
    request_drain()
    queue = get_queue(SCORING_QUEUE)
    assert queue.count == 1
    worker = SimpleWorker([queue], connection=get_redis())
    assert worker.work(burst=True)
    assert score_count() == 30
    assert not get_redis().exists(keys.DRAIN_SCHEDULED)


def test_http_submits_enqueue_exactly_one_job(app):
    from tests.contest.test_attempts import registered, setup_contest

    unit_id = setup_contest(app)
    players = [registered(app, unit_id, phone=f"09000000{n:02d}") for n in range(1, 6)]
    for player in players:
        player.submit(player.start())
    with app.app_context():
        assert get_queue(SCORING_QUEUE).count == 1
        SimpleWorker([get_queue(SCORING_QUEUE)], connection=get_redis()).work(burst=True)
        assert score_count() == 5


def test_unreadable_entries_are_acknowledged_not_retried_forever(ctx):
    client = get_redis()
    from quiz.scoring.jobs import ensure_group

    ensure_group(client)
    client.xadd(keys.SUBMISSION_STREAM, {"a": "not-a-number", "t": "x"})
    client.xadd(keys.SUBMISSION_STREAM, {"a": "424242", "t": "1", "x": "0", "v": ""})
    assert drain_submissions(max_seconds=5) == 0
    assert client.xlen(keys.SUBMISSION_STREAM) == 0
    assert client.xpending(keys.SUBMISSION_STREAM, keys.SCORERS_GROUP)["pending"] == 0


def test_an_entry_that_keeps_failing_is_moved_to_dead_letters(ctx, monkeypatch):
    ctx.config["SCORING_CLAIM_IDLE_MS"] = 0
    round_id = make_contest(make_bank()).rounds[0].id
    play(round_id, make_entrant(1).id, random.Random(1))

    def broken(_submissions, _client):
        raise RuntimeError("simulated bug in scoring")

    monkeypatch.setattr("quiz.scoring.jobs.score_submissions", broken)
    for _ in range(MAX_DELIVERIES):
        with pytest.raises(RuntimeError):
            drain_submissions(max_seconds=5)
    # One delivery too many: set aside (and logged), never scored half-way.
    drain_submissions(max_seconds=5)
    client = get_redis()
    assert client.xlen(DEAD_LETTERS) == 1
    assert client.xpending(keys.SUBMISSION_STREAM, keys.SCORERS_GROUP)["pending"] == 0
    assert score_count() == 0


def test_close_waits_until_every_attempt_is_scored(ctx):
    contest = make_contest(make_bank(), max_attempts=None)
    round_id = contest.rounds[0].id
    play(round_id, make_entrant(1).id, random.Random(1))
    round_ = db.session.get(Round, round_id)
    round_.ends_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    from quiz.catalog.rounds import clear_caches

    clear_caches()
    assert close_due_rounds() == []  # one attempt still waits in the buffer
    drain_submissions(max_seconds=5)
    assert close_due_rounds() == [round_id]
    db.session.expire_all()
    assert db.session.get(Round, round_id).closed_at is not None


def test_cron_config_registers_the_periodic_jobs():
    import importlib

    from rq import cron

    from quiz.scoring import cron_config

    cron._job_data_registry.clear()
    importlib.reload(cron_config)
    names = {entry["func"].__name__ for entry in cron._job_data_registry}
    queues = {entry["queue_name"] for entry in cron._job_data_registry}
    assert {"drain_submissions", "sweep_expired_attempts", "close_due_rounds"} <= names
    assert queues <= {SCORING_QUEUE, DEFAULT_QUEUE}
