"""Attempts born in Redis reach the database once, and survive Redis losing its counters."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from quiz.catalog.rounds import get_round
from quiz.contest.attempts import Refusal, engine
from quiz.contest.starting import start_attempt
from quiz.extensions import db, get_redis
from quiz.models.attempts import Attempt, Score
from quiz.scoring import keys, store
from quiz.scoring.persistence import persist_new_attempts, records_in_redis
from quiz.timeutil import now_ms
from tests.conftest import make_config
from tests.factories import make_bank, make_contest, make_entrant


@pytest.fixture
def app_config(request, schema, database_url, redis_url):
    """Settings of the app; a test may ask for a small block of attempt ids."""
    block = getattr(request, "param", 10_000)
    return make_config(database_url, redis_url, ATTEMPT_ID_BLOCK=block)


@pytest.fixture
def round_id(ctx):
    return make_contest(make_bank(), max_attempts=3).rounds[0].id


def start(round_id: int, entrant_id: int, at: int | None = None):
    return start_attempt(get_round(round_id), entrant_id, 1990, at or now_ms())


def persist() -> int:
    return persist_new_attempts(get_redis(), "test", 100, 60_000)


def stored() -> list[Attempt]:
    db.session.expire_all()
    return db.session.scalars(select(Attempt).order_by(Attempt.id)).all()


def test_new_attempts_are_copied_to_the_database_and_their_redis_copy_dropped(round_id):
    people = [make_entrant(n).id for n in (1, 2)]
    started = [start(round_id, p).attempt_id for p in people]
    assert stored() == []  # nothing waited on the database
    assert persist() == 2
    rows = stored()
    assert [r.id for r in rows] == started
    assert all(len(r.paper) == 5 and r.seq == 1 for r in rows)
    assert records_in_redis(get_redis(), started) == {}
    assert get_redis().xlen(keys.NEW_ATTEMPTS) == 0


def test_copying_the_same_attempts_twice_changes_nothing(round_id):
    attempt_id = start(round_id, make_entrant(1).id).attempt_id
    record = records_in_redis(get_redis(), [attempt_id])[attempt_id]
    store.insert_attempts([record])
    store.insert_attempts([record])
    db.session.commit()
    assert [(r.id, r.seq) for r in stored()] == [(attempt_id, 1)]


def test_counters_lost_with_redis_are_seeded_from_the_database(round_id):
    from quiz.scoring.jobs import drain_submissions

    person = make_entrant(1).id
    info = get_round(round_id)
    first = start(round_id, person)
    engine().buffer.submit(first.attempt_id, now_ms())
    second = start(round_id, person)
    engine().buffer.submit(second.attempt_id, now_ms())
    assert drain_submissions(max_seconds=10) == 2  # scored: the database has all of them
    get_redis().flushdb()  # Redis lost everything (an operator's FLUSHALL, a lost disk)
    third = start(round_id, person)
    assert third.attempt_id > second.attempt_id  # ids never go backwards
    persist()
    assert [r.seq for r in stored()] == [1, 2, 3]
    engine().buffer.submit(third.attempt_id, now_ms())
    with pytest.raises(Refusal) as refused:
        start(round_id, person)
    assert refused.value.code == "limit"
    assert info.max_attempts == 3


def test_a_round_is_marked_seeded_only_once_every_count_is_in_redis(ctx, monkeypatch):
    """Seeding goes in chunks (of 2,000): a round marked after the first, a start between two
    chunks would find no count for an entrant of a later one and allow one attempt too many."""
    admission, client = engine().admission, get_redis()
    marked_before_each_call = []
    seed = admission._seed

    def watching(keys, args):
        marked_before_each_call.append(client.hexists(keys[0], "_"))
        return seed(keys=keys, args=args)

    monkeypatch.setattr(admission, "_seed", watching)
    admission.load_seqs(7, {entrant: 1 + entrant % 3 for entrant in range(1, 4502)})
    assert len(marked_before_each_call) == 3 and not any(marked_before_each_call)
    assert client.hexists(keys.round_seqs(7), "_") and admission.used(7, 4501) == 2


def test_a_number_taken_meanwhile_is_renumbered_not_dropped(round_id):
    person = make_entrant(1).id
    attempt_id = start(round_id, person).attempt_id
    record = records_in_redis(get_redis(), [attempt_id])[attempt_id]
    store.insert_attempts([record])
    clash = dict(record, id=attempt_id + 1000)  # same round, entrant and number
    store.insert_attempts([clash])
    db.session.commit()
    assert [(r.id, r.seq) for r in stored()] == [(attempt_id, 1), (attempt_id + 1000, 2)]


def test_the_scorer_copies_attempts_it_needs_before_the_persister_runs(round_id):
    from quiz.scoring.jobs import drain_submissions
    from tests.scoring.simulate import play

    people = [make_entrant(n).id for n in range(1, 6)]
    for person in people:
        play(round_id, person, random.Random(person))
    assert stored() == []
    assert drain_submissions(max_seconds=10) == 5
    scored = set(db.session.scalars(select(Score.attempt_id)))
    assert scored == {r.id for r in stored()} and len(scored) == 5


@pytest.mark.parametrize("app_config", [4], indirect=True)
def test_ids_come_in_blocks_reserved_in_the_database_before_redis_hands_them_out(round_id):
    from quiz.models.redis_state import RedisState

    people = [make_entrant(n).id for n in range(1, 11)]
    ids = [start(round_id, p).attempt_id for p in people]  # the next block at half of one
    assert ids == list(range(1, 11))  # none skipped, none twice
    db.session.expire_all()
    reserved = db.session.get(RedisState, 1).ids_reserved
    ceiling = int(get_redis().get(keys.ATTEMPT_ID_CEILING))
    assert max(ids) < ceiling <= reserved  # Redis never runs ahead of the database
