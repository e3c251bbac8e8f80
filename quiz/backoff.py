"""Waiting out a Redis outage: capped exponential backoff with jitter, for ever.

Workers and the scheduler are long-lived processes that nobody watches
during a contest. If they exited when Redis went away (a restart, a
failover, a network blip), submissions would wait unscored until someone
noticed and restarted them. So they wait instead: the first retry comes
quickly (a restart takes seconds), later ones less often, never more than
`cap` apart, and each delay is jittered so that a fleet of workers does not
knock on a freshly started Redis all in the same millisecond.
"""

from __future__ import annotations

import logging
import os
import random
import time

import redis

# What redis-py raises while Redis cannot answer: refused or dropped
# connections, timeouts, and "loading the dataset" after a restart
# (BusyLoadingError is a ConnectionError).
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)


class Backoff:
    """Delays of first, 2×first, 4×first … up to `cap`, each drawn from its upper half.

    The cap comes from REDIS_RETRY_MAX_SECONDS (30 by default): how long, at
    worst, scoring stays idle after Redis is back.
    """

    def __init__(self, first: float = 0.5, cap: float | None = None) -> None:
        self.first = first
        self.cap = cap or float(os.environ.get("REDIS_RETRY_MAX_SECONDS") or 30)
        self.tries = 0

    def next(self) -> float:
        ceiling = min(self.cap, self.first * 2 ** min(self.tries, 30))
        self.tries += 1
        return random.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.tries = 0


def wait_for_redis(
    client: redis.Redis, log: logging.Logger, who: str, backoff: Backoff | None = None
) -> None:
    """Return once Redis answers a PING, sleeping with backoff between tries.

    Logged at WARNING: an outage is worth seeing in the log, but the process
    handles it; nobody needs to act on this line.
    """
    backoff = backoff or Backoff()
    while True:
        delay = backoff.next()
        log.warning("%s: Redis is unavailable; trying again in %.1f s", who, delay)
        time.sleep(delay)
        try:
            client.ping()
        except REDIS_DOWN:
            continue
        log.warning("%s: Redis is back", who)
        backoff.reset()
        return
