"""Attempt start in one Redis call: resume, limit, admission, and the new attempt itself.

A synchronized start (a conference hall, a class, the opening minute of a
round) asks for many papers at once. The start script decides everything
in one round trip and never waits on the database:

1. the entrant's attempt still running in this round is resumed;
2. the round's attempt limit is checked against the entrant's count;
3. admission: a token bucket shared by every web process; beyond it the
   entrant gets "please wait, retrying in N s" and the page retries itself
   (only new starts wait: resuming, saving and submitting never do);
4. the attempt is born: an id, its number, its paper, start time and
   deadline stored in Redis (append-only file in production) and queued
   on a stream from which workers copy it into the database within seconds
   (`persistence.py`); the live counters move.

The script is `lua/start.lua`. Ids come in blocks reserved in the database,
and none is handed out by a Redis process whose data has not been checked
since it started (`generation.py`): a Redis that came back empty or older
never hands out an id twice. Counts of attempts per entrant are seeded from
the database when Redis does not have them (first start, or after a
restart), so they never go backwards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import redis

from quiz.catalog.options import pack_options, paper_options, unpack_options
from quiz.lua import load_script
from quiz.scoring import keys
from quiz.scoring.codes import RaiseCode, StartCode

# The start script's outcomes, under the names quiz/contest/starting.py uses.
WAIT, RESUMED, LIMIT = StartCode.WAIT, StartCode.RESUMED, StartCode.LIMIT
NEEDS_SEQS, NEEDS_IDS, NEEDS_CHECK = (
    StartCode.NEEDS_SEQS,
    StartCode.NEEDS_IDS,
    StartCode.NEEDS_CHECK,
)
STARTED = StartCode.STARTED
# How long an attempt's Redis copy may wait for the database: far beyond any
# outage a contest survives; the persister deletes it as soon as it is copied.
KEEP_MS = 3 * 24 * 3600 * 1000
# Entrants' counts seeded per script call.
SEED_CHUNK = 2000


def refill_at(block: int) -> int:
    """Ids left when the next block is reserved: half a block goes on through a database outage."""
    return block // 2


@dataclass(frozen=True, slots=True)
class Running:
    """The entrant's open attempt in a round."""

    attempt_id: int
    deadline_ms: int
    size: int
    seq: int
    options: tuple[int, ...] | None = None  # None for attempts started before they were kept

    @classmethod
    def decode(cls, raw: bytes | str) -> Running:
        text = raw.decode() if isinstance(raw, bytes) else raw
        attempt_id, deadline, size, seq, *rest = text.split("|")
        size_ = int(size)
        options = unpack_options(rest[0], size_) if rest else None
        return cls(int(attempt_id), int(deadline), size_, int(seq), options)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the start script decided: one of the codes above, with its value."""

    code: StartCode
    running: Running | None = None
    wait_ms: int = 0
    # This start used the ids past the refill mark: its process reserves the next block.
    refill: bool = False


def _start_keys(round_id: int, contest_id: int, entrant_id: int) -> list[str]:
    """The start script's KEYS, in the order its header lists them."""
    return [
        keys.running(round_id, entrant_id),
        keys.ADMISSION_BUCKET,
        keys.round_seqs(round_id),
        keys.ATTEMPT_IDS,
        keys.NEW_ATTEMPTS,
        keys.round_attempts(round_id),
        keys.contest_attempts(contest_id),
        keys.round_entrants(round_id),
        keys.contest_entrants(contest_id),
        keys.ATTEMPT_ID_CEILING,
        keys.REDIS_CHECKED,
        keys.ATTEMPT_ID_REFILL,
    ]


class Admission:
    def __init__(self, client: redis.Redis, rate_per_second: int, burst: int, block: int) -> None:
        self.client = client
        self.rate = rate_per_second
        self.burst = burst
        self.block = block
        self._start = load_script(client, __file__, "start")
        self._raise = load_script(client, __file__, "raise_ids")
        self._seed = load_script(client, __file__, "seed_seqs")

    def start(
        self,
        round_id: int,
        contest_id: int,
        entrant_id: int,
        paper: list,
        now_ms: int,
        deadline_ms: int,
        max_attempts: int | None,
        device: str | None = None,
    ) -> Outcome:
        reply = self._start(
            keys=_start_keys(round_id, contest_id, entrant_id),
            args=[
                now_ms,
                self.rate,
                self.burst,
                keys.receipt_prefix(),
                entrant_id,
                max_attempts or 0,
                json.dumps(paper, separators=(",", ":")),
                deadline_ms,
                len(paper),
                round_id,
                keys.attempt_prefix(),
                KEEP_MS,
                device or "",
                pack_options(paper_options(paper)),
                keys.answers_prefix(),
                refill_at(self.block),
            ],
        )
        code = StartCode(int(reply[0]))
        if code == STARTED:
            return Outcome(code, Running.decode(reply[1]), refill=bool(reply[2]))
        if code == RESUMED:
            return Outcome(code, Running.decode(reply[1]))
        if code == WAIT:
            return Outcome(code, wait_ms=int(reply[1]))
        return Outcome(code)

    def load_seqs(self, round_id: int, seqs: dict[int, int]) -> None:
        """Seed a round's per-entrant attempt counts from the database (once), in chunks
        (Redis serves others in between), marked seeded by the last."""
        items = list(seqs.items())
        for start in range(0, max(len(items), 1), SEED_CHUNK):
            last = start + SEED_CHUNK >= len(items)
            pairs = [value for pair in items[start : start + SEED_CHUNK] for value in pair]
            self._seed(keys=[keys.round_seqs(round_id)], args=[int(last), *pairs])

    def take_block(self, high: int) -> bool:
        """Hand out ids up to `high`, the end of a block reserved in the database."""
        reply = self._raise(keys=[keys.ATTEMPT_ID_CEILING, keys.ATTEMPT_ID_REFILL], args=[high])
        return RaiseCode(int(reply)) == RaiseCode.RAISED

    def running(self, round_id: int, entrant_id: int) -> Running | None:
        raw = self.client.get(keys.running(round_id, entrant_id))
        return Running.decode(raw) if raw else None

    def used(self, round_id: int, entrant_id: int) -> int | None:
        """Attempts the entrant started in the round, or None if Redis does not know."""
        raw = self.client.hget(keys.round_seqs(round_id), entrant_id)
        return int(raw) if raw is not None else None
