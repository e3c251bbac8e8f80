"""Who answered a survey, counted from the database into Redis whenever Redis cannot tell.

One answer per person is counted in Redis at the submit, so that the submit
never waits on the database. Redis can forget those counts: it came back
empty (a new machine, a lost disk) or older than it was (a restored copy),
and the check of Redis after a restart removes the marks then
(`quiz.scoring.generation`). Until a survey's counts are marked again, the
save and submit scripts refuse to decide (`NotCounted`) and the Flask views
count them here from `survey_respondents`, which a worker fills from every
response it writes, then try again. The fast path hands such a request to
the view. One process counts at a time (0.5 s for 100,000 respondents on
PostgreSQL), the others wait for it, as for the check of Redis.

A count raised here means Redis had forgotten someone who answered, so it
may also have lost responses sent and not yet written to the database: one
ERROR line in the log, and the survey's form tells whoever sees it again
that they may need to answer again (the counts keep when that was found).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import redis
from sqlalchemy import select

from quiz.extensions import db
from quiz.models import SurveyRespondent
from quiz.redis_locks import only_one
from quiz.scoring import keys
from quiz.surveys.store import Count, NotCounted, SurveyStore
from quiz.timeutil import now_ms

log = logging.getLogger(__name__)

# The form tells respondents of a loss this long after it was found.
LOSS_NOTICE_MS = 3 * 24 * 3600 * 1000
# A count takes a second at most; a process that died holding the lock holds it no longer.
COUNT_LOCK_MS = 30_000
COUNT_WAIT_TRIES, COUNT_WAIT_SECONDS = 50, 0.1

T = TypeVar("T")


def respondent_counts(survey_id: int) -> dict[str, int]:
    """Responses per respondent key in the database ("device:…#2" is that device's second)."""
    counts: dict[str, int] = {}
    query = select(SurveyRespondent.key).where(SurveyRespondent.survey_id == survey_id)
    for key in db.session.scalars(query):
        base, _, number = key.partition("#")
        counts[base] = max(counts.get(base, 0), int(number) if number.isdigit() else 1)
    return counts


class BeingCounted(redis.ConnectionError):
    """Another process is counting who answered and has not finished: 503, try again."""


def count_from_database(store: SurveyStore, survey_id: int) -> int:
    """Bring Redis's counts up to the database's and mark them; how many Redis had forgotten.

    One process at a time: after a Redis restart every request of a busy survey
    finds it uncounted at once, and one count is enough.
    """
    for _ in range(COUNT_WAIT_TRIES):
        with only_one(store.client, keys.survey_counting(survey_id), COUNT_LOCK_MS / 1000) as lock:
            if lock is not None:
                return _count(store, survey_id)
        time.sleep(COUNT_WAIT_SECONDS)
        if store.is_counted(survey_id):
            return 0
    raise BeingCounted(f"survey {survey_id} is being counted from the database")


def _count(store: SurveyStore, survey_id: int) -> int:
    forgotten = store.load_counts(survey_id, respondent_counts(survey_id), now_ms())
    if forgotten:
        log.error(
            "Redis had forgotten %s respondents of survey %s (counted again from the "
            "database): responses sent and not yet written to it may be lost",
            forgotten,
            survey_id,
        )
    return forgotten


def counted(store: SurveyStore, survey_id: int, action: Callable[[], T]) -> T:
    """`action` (a save, a submit, a count), after counting from the database if Redis asks."""
    try:
        return action()
    except NotCounted:
        count_from_database(store, survey_id)
        return action()


def count_of(store: SurveyStore, survey_id: int, key: str) -> Count:
    return counted(store, survey_id, lambda: store.count_of(survey_id, key))


def loss_to_tell(count: Count, now: int) -> int | None:
    """When Redis was found to have forgotten who answered, if recent enough to tell."""
    found = count.forgotten_at_ms
    return found if found and now - found < LOSS_NOTICE_MS else None
