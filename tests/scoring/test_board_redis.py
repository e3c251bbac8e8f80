"""Leaderboards can live on their own Redis (no persistence needed): nothing else goes there."""

from __future__ import annotations

import random

import pytest
import redis

from quiz.extensions import get_board_redis, get_redis
from quiz.scoring import keys
from quiz.scoring.jobs import drain_submissions
from quiz.scoring.leaderboard import leaderboard
from tests.conftest import make_config
from tests.factories import make_bank, make_contest, make_entrant
from tests.scoring.simulate import play


def other_db(url: str) -> str:
    if url.startswith("unix://"):
        return url.split("?")[0] + "?db=1"
    base, _, db = url.rpartition("/")
    # Database 14 of the same server, or 13 when the tests themselves use 14
    # (the test empties it).
    return f"{base}/{13 if db == '14' else 14}"


@pytest.fixture
def app_config(schema, database_url, redis_url):
    return make_config(database_url, redis_url, LEADERBOARD_REDIS_URL=other_db(redis_url))


def test_leaderboards_go_to_the_leaderboard_redis_only(ctx):
    boards = get_board_redis()
    boards.flushdb()
    assert boards is not get_redis()
    contest = make_contest(make_bank())
    round_id = contest.rounds[0].id
    for n in range(1, 4):
        play(round_id, make_entrant(n).id, random.Random(n))
    drain_submissions(max_seconds=10)
    assert leaderboard().size(contest.id, round_id) == 3
    assert boards.exists(keys.round_board(contest.id, round_id))
    assert not get_redis().exists(keys.round_board(contest.id, round_id))
    assert isinstance(boards, redis.Redis)
    boards.flushdb()
