"""Throttling sensitive actions per person, with the `limits` package and Redis.

Limits apply to an account or a phone number, never to an IP address (mobile
carriers put thousands of entrants behind one). Only the few views that need
it pay for a check; the hot path pays nothing.
"""

from __future__ import annotations

import time

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from quiz.extensions import limits_storage_uri


def init_app(app: Flask) -> None:
    uri = app.config.get("RATELIMIT_STORAGE_URI") or limits_storage_uri(app.config["REDIS_URL"])
    app.extensions["quiz.throttle"] = MovingWindowRateLimiter(storage_from_string(uri))


def _limiter() -> MovingWindowRateLimiter:
    return current_app.extensions["quiz.throttle"]


def allowed(limit: str, *identifiers: str) -> bool:
    """True while `identifiers` have not used up `limit` ("10 per 15 minutes")."""
    item: RateLimitItem = parse(limit)
    return _limiter().test(item, "quiz", *identifiers)


def count(limit: str, *identifiers: str) -> None:
    _limiter().hit(parse(limit), "quiz", *identifiers)


def take(limit: str, *identifiers: str) -> bool:
    """Count one use and say whether it was within `limit`, in one atomic step.

    `allowed` then `count` leaves a gap in which parallel requests all pass
    the test; the moving window's acquire is one Lua call on Redis, so at
    most `limit` uses ever succeed, however many arrive at once.
    """
    return _limiter().hit(parse(limit), "quiz", *identifiers)


def retry_after(limit: str, *identifiers: str) -> int:
    stats = _limiter().get_window_stats(parse(limit), "quiz", *identifiers)
    return max(1, int(stats.reset_time - time.time()))


def clear(limit: str, *identifiers: str) -> None:
    """Forget every use counted against `limit` for `identifiers`."""
    _limiter().clear(parse(limit), "quiz", *identifiers)


def give_back(limit: str, *identifiers: str) -> None:
    """Return one use counted by `take`, for a try that turned out not to count.

    `take` must count before the outcome is known (that is what makes it
    atomic); a try that succeeds gives its use back here. The moving window
    is a Redis list of the uses' times, newest first: dropping the newest
    frees a place at once, as if the try had not been counted.
    """
    storage = _limiter().storage
    key = storage.prefixed_key(parse(limit).key_for("quiz", *identifiers))
    storage.get_connection().lpop(key)
