"""Work that one process at a time should do, behind a lock in Redis: redis-py's `Lock`.

The check of Redis after a restart, counting a survey's respondents from the
database and draining a survey's responses each take such a lock. It expires
on its own, so a process killed while holding it holds it no longer than its
time; and it is released, or renewed, only by the process that holds it, in
one atomic step (redis-py's Lua scripts): a lock that expired and was taken by
another process is left to that process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import redis
from redis.exceptions import LockError
from redis.lock import Lock

from quiz.backoff import REDIS_DOWN


@contextlib.contextmanager
def only_one(client: redis.Redis, name: str, seconds: float) -> Iterator[Lock | None]:
    """The lock `name` for `seconds`, or None when another process holds it.

    Released on the way out if it is still this process's; a Redis that went
    away meanwhile has taken the lock with it, so that is not an error.
    """
    lock = client.lock(name, timeout=seconds, blocking=False, thread_local=False)
    if not lock.acquire():
        yield None
        return
    try:
        yield lock
    finally:
        with contextlib.suppress(LockError, *REDIS_DOWN):
            lock.release()


def renew(lock: Lock, seconds: float) -> bool:
    """Hold the lock `seconds` from now; False if it expired and is no longer this process's."""
    try:
        return bool(lock.extend(seconds, replace_ttl=True))
    except LockError:
        return False
