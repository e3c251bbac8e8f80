"""The product on a real three-master Redis Cluster (REDIS_CLUSTER_URL).

Starts `redis-server --cluster-enabled yes` on ports 7101-7103 (see
quiz/embedded_cluster.py) and runs the hot path (start, save, submit), the
workers' copy and scoring, the leaderboards and a survey's respondent side
on it: every script call must find its keys in one slot, or the cluster
refuses it (CROSSSLOT). RQ's queues stay on the single Redis of REDIS_URL.
"""

from __future__ import annotations

import random

import pytest
from redis.cluster import RedisCluster
from rq import Queue
from sqlalchemy import func, select

from quiz.catalog.rounds import get_round
from quiz.contest.attempts import engine
from quiz.contest.starting import start_attempt
from quiz.embedded_cluster import EmbeddedCluster
from quiz.extensions import SCORING_QUEUE, db, get_board_redis, get_queue_redis, get_redis
from quiz.models import Attempt, Score, SurveyResponse
from quiz.scoring import keys
from quiz.scoring.jobs import drain_submissions
from quiz.scoring.leaderboard import leaderboard
from quiz.scoring.standings import rebuild_all, standings_for_contest, standings_for_round
from quiz.scoring.state import request_drain
from quiz.surveys.drain import drain_survey
from quiz.timeutil import now_ms
from tests.conftest import make_config
from tests.factories import make_bank, make_contest, make_entrant, make_units
from tests.scoring.simulate import play
from tests.surveys.builders import fields, make_survey
from tests.surveys.test_respond import complete, open_form


@pytest.fixture(scope="module")
def cluster():
    with EmbeddedCluster() as running:
        yield running


@pytest.fixture
def app_config(schema, database_url, redis_url, cluster):
    return make_config(database_url, redis_url, REDIS_CLUSTER_URL=cluster.url)


def _ranks(entries) -> list[tuple[int, int]]:
    return sorted((e.rank, e.entrant_id) for e in entries)


def test_data_goes_to_the_cluster_and_queues_to_the_single_redis(ctx):
    assert isinstance(get_redis(), RedisCluster)
    assert get_board_redis() is get_redis()
    assert not isinstance(get_queue_redis(), RedisCluster)
    masters = {get_redis().get_node_from_key(keys.contest_board(c)).port for c in range(1, 13)}
    assert len(masters) > 1  # contests' boards spread over the masters
    engine_keys = [keys.ATTEMPT_IDS, keys.running(3, 4), keys.answers(9), keys.contest_attempts(2)]
    assert len({get_redis().keyslot(k) for k in engine_keys}) == 1


def test_hot_path_scoring_and_boards_on_the_cluster(ctx):
    contest = make_contest(make_bank(), rounds=2, max_attempts=None)
    rounds = [r.id for r in contest.rounds]
    rng = random.Random(12)
    people = [make_entrant(n).id for n in range(1, 13)]
    for person in people:
        play(rounds[0], person, rng)
    # A start, a save on its own, then the submit, as a browser sends them.
    started = start_attempt(get_round(rounds[0]), people[0], 1990, now_ms())
    buffer = engine().buffer
    assert buffer.save_answer(started.attempt_id, "0", "1", 50, now_ms()) == 1
    assert buffer.saved_answers(started.attempt_id) == {"0": "1"}
    assert buffer.submit(started.attempt_id, now_ms()).fresh
    db.session.commit()
    request_drain()
    assert Queue(SCORING_QUEUE, connection=get_queue_redis()).count == 1

    assert drain_submissions(max_seconds=20) >= len(people)
    assert db.session.query(Attempt).count() == len(people) + 1
    assert db.session.query(Score).count() == len(people) + 1
    board = leaderboard()
    live = _ranks(board.top(contest.id, rounds[0], 100))
    assert len(live) == len(people)
    assert live == _ranks(standings_for_round(get_round(rounds[0], fresh=True)))
    _parts, standings = standings_for_contest(contest.id)
    assert _ranks(board.contest_top(contest.id, 100)) == _ranks(standings)
    mine = board.rank_of(contest.id, rounds[0], people[3])
    assert mine is not None and (mine.rank, people[3]) in live

    # Rebuilding from the database swaps the boards in one script call.
    get_redis().delete(keys.round_board(contest.id, rounds[0]))
    rebuild_all(contest.id)
    assert _ranks(board.top(contest.id, rounds[0], 100)) == live


def test_a_survey_saves_submits_and_drains_on_the_cluster(app, client):
    with app.app_context():
        made = make_survey(make_units()["P"])
        survey_id, f = made.id, fields(made)
    _page, token, csrf = open_form(client)
    saved = client.post(
        f"/s/t/{token}/save",
        data={f["Q5"]["name"]: "41"},
        headers={"X-CSRFToken": csrf, "X-Requested-With": "fetch"},
    )
    assert saved.status_code == 200 and saved.json == {"ok": True}
    assert 'value="41"' in client.get("/s/khao-sat").text  # the draft, read back from the cluster
    sent = client.post(f"/s/t/{token}/submit", data={"csrf_token": csrf, **complete(f)})
    assert sent.status_code == 303
    with app.app_context():
        assert get_redis().xlen(keys.survey_responses(survey_id)) == 1
        assert Queue(SCORING_QUEUE, connection=get_queue_redis()).count == 1  # drain asked for
        assert drain_survey(survey_id) == 1
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_an_upload_stashed_on_the_cluster_is_taken_once(ctx):
    """A confirmed import takes its upload in one MULTI (read and delete), on a cluster too:
    a cluster pipeline without transaction=True sends the two commands apart."""
    from flask_login import login_user

    from quiz.console.uploads import stash, take
    from quiz.models import Role
    from tests.console.conftest import make_staff

    with ctx.test_request_context():
        login_user(make_staff("uploader", Role.ADMIN, make_units()["P"].id))
        token = stash("bank", b"workbook bytes", "ngan-hang.xlsx")
        taken = take("bank", token)
        assert (taken.data, taken.filename) == (b"workbook bytes", "ngan-hang.xlsx")
        assert take("bank", token) is None
