"""The live counters of starts: the one place they are read.

The start script (`lua/start.lua`, see `admission.py`) moves them as each
attempt is born: attempts per round and per contest, and the entrants who
started one (a counter per round, a set per contest, so an entrant is
counted once across its rounds). The entrant's pages and the console's
overview read them here, many at a time in one pipelined call; the
database's figures (`quiz/reports/statistics.py`) are the truth once the
workers have caught up.
"""

from __future__ import annotations

from typing import NamedTuple

from quiz.extensions import get_redis
from quiz.scoring import keys


class LiveCount(NamedTuple):
    entrants: int
    attempts: int


def _pairs(raw: list) -> list[LiveCount]:
    return [LiveCount(int(raw[i] or 0), int(raw[i + 1] or 0)) for i in range(0, len(raw), 2)]


def contest_counts(contest_ids: list[int]) -> list[LiveCount]:
    """Entrants who started an attempt and attempts started, per contest (in order)."""
    if not contest_ids:
        return []
    pipe = get_redis().pipeline(transaction=False)
    for cid in contest_ids:
        pipe.scard(keys.contest_entrants(cid))
        pipe.get(keys.contest_attempts(cid))
    return _pairs(pipe.execute())


def round_counts(round_ids: list[int]) -> list[LiveCount]:
    """Entrants who started an attempt and attempts started, per round (in order)."""
    if not round_ids:
        return []
    pipe = get_redis().pipeline(transaction=False)
    for rid in round_ids:
        pipe.get(keys.round_entrants(rid))
        pipe.get(keys.round_attempts(rid))
    return _pairs(pipe.execute())
