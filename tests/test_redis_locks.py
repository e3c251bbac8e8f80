"""The one kind of Redis lock (quiz/redis_locks.py): one holder, expiry, owner-only release.

The Redis check after a restart, survey counting and survey draining use it;
these tests run on the test Redis (embedded or real), no stand-ins.
"""

from __future__ import annotations

import time

from quiz.extensions import get_redis
from quiz.redis_locks import only_one, renew


def test_a_second_process_does_not_get_a_held_lock(ctx):
    client = get_redis()
    with only_one(client, "test:lock", 10) as first:
        assert first is not None
        with only_one(client, "test:lock", 10) as second:
            assert second is None
        assert client.exists("test:lock")  # the refused one did not release it
    assert not client.exists("test:lock")  # released on the way out
    with only_one(client, "test:lock", 10) as again:
        assert again is not None


def test_a_lock_that_expired_and_was_taken_is_left_to_its_new_holder(ctx):
    client = get_redis()
    outer = only_one(client, "test:lock", 0.2)
    ours = outer.__enter__()
    assert ours is not None
    time.sleep(0.35)  # ours expires (a worker too slow, or paused)
    assert not client.exists("test:lock")
    theirs_cm = only_one(client, "test:lock", 10)
    theirs = theirs_cm.__enter__()
    assert theirs is not None
    token = client.get("test:lock")
    assert not renew(ours, 10)  # not ours any more: not renewed, theirs untouched
    assert client.get("test:lock") == token and client.pttl("test:lock") > 5_000
    outer.__exit__(None, None, None)  # our release comes late: it must not delete theirs
    assert client.get("test:lock") == token
    theirs_cm.__exit__(None, None, None)
    assert not client.exists("test:lock")


def test_renewing_a_held_lock_sets_its_time_from_now(ctx):
    client = get_redis()
    with only_one(client, "test:lock", 1) as lock:
        assert renew(lock, 30)
        assert client.pttl("test:lock") > 20_000
