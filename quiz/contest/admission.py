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

Counters of ids and of attempts per entrant are initialised from the
database when Redis does not have them (first start, or after Redis lost
its data), so they never go backwards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import redis

from quiz.scoring import keys

START = """
local now = tonumber(ARGV[1])
local entrant = ARGV[5]
local running = redis.call('GET', KEYS[1])
if running then
  local aid, deadline = string.match(running, '^(%d+)|(%d+)|')
  if tonumber(deadline) > now and redis.call('EXISTS', ARGV[4] .. aid) == 0 then
    return {1, running}
  end
end
if redis.call('EXISTS', KEYS[3]) == 0 then return {3} end
if redis.call('EXISTS', KEYS[4]) == 0 then return {4} end
local seq = tonumber(redis.call('HGET', KEYS[3], entrant) or '0') + 1
local limit = tonumber(ARGV[6])
if limit > 0 and seq > limit then return {2} end
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[2], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
local stamp = math.max(now, ts)
if tokens < 1 then
  redis.call('HSET', KEYS[2], 'tokens', tostring(tokens), 'ts', stamp)
  redis.call('PEXPIRE', KEYS[2], 60000)
  return {0, math.ceil((1 - tokens) * 1000 / rate)}
end
redis.call('HSET', KEYS[2], 'tokens', tostring(tokens - 1), 'ts', stamp)
redis.call('PEXPIRE', KEYS[2], 60000)
local id = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[3], entrant, seq)
local record = ARGV[11] .. id
redis.call('HSET', record, 'r', ARGV[10], 'e', entrant, 's', seq, 'p', ARGV[7],
           't', ARGV[1], 'd', ARGV[8], 'v', ARGV[13])
redis.call('PEXPIRE', record, ARGV[12])
redis.call('XADD', KEYS[5], '*', 'a', id)
local value = id .. '|' .. ARGV[8] .. '|' .. ARGV[9] .. '|' .. seq
redis.call('SET', KEYS[1], value, 'PX', ARGV[12])
redis.call('INCR', KEYS[6])
redis.call('INCR', KEYS[7])
if seq == 1 then
  redis.call('INCR', KEYS[8])
  redis.call('SADD', KEYS[9], entrant)
end
return {5, value}
"""

# Seed per-entrant counts, never lowering one a start has already raised.
SEED = """
redis.call('HSETNX', KEYS[1], '_', 0)
for i = 1, #ARGV, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '-1')
  if current < tonumber(ARGV[i + 1]) then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1
"""

# Raise the id counter to at least the database's largest id.
RAISE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
"""

RESUMED, LIMIT, NEEDS_SEQS, NEEDS_IDS, STARTED, WAIT = 1, 2, 3, 4, 5, 0
# How long an attempt's Redis copy may wait for the database: far beyond any
# outage a contest survives; the persister deletes it as soon as it is copied.
KEEP_MS = 3 * 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class Running:
    """The entrant's open attempt in a round."""

    attempt_id: int
    deadline_ms: int
    size: int
    seq: int

    @classmethod
    def decode(cls, raw: bytes | str) -> Running:
        text = raw.decode() if isinstance(raw, bytes) else raw
        attempt_id, deadline, size, seq = (int(x) for x in text.split("|"))
        return cls(attempt_id, deadline, size, seq)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the start script decided: one of the codes above, with its value."""

    code: int
    running: Running | None = None
    wait_ms: int = 0


class Admission:
    def __init__(self, client: redis.Redis, rate_per_second: int, burst: int) -> None:
        self.client = client
        self.rate = rate_per_second
        self.burst = burst
        self._start = client.register_script(START)
        self._raise = client.register_script(RAISE)
        self._seed = client.register_script(SEED)

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
            keys=[
                keys.running(round_id, entrant_id),
                keys.ADMISSION_BUCKET,
                keys.round_seqs(round_id),
                keys.ATTEMPT_IDS,
                keys.NEW_ATTEMPTS,
                keys.round_attempts(round_id),
                keys.contest_attempts(contest_id),
                keys.round_entrants(round_id),
                keys.contest_entrants(contest_id),
            ],
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
            ],
        )
        code = int(reply[0])
        if code in (RESUMED, STARTED):
            return Outcome(code, Running.decode(reply[1]))
        if code == WAIT:
            return Outcome(code, wait_ms=int(reply[1]))
        return Outcome(code)

    def load_seqs(self, round_id: int, seqs: dict[int, int]) -> None:
        """Seed a round's per-entrant attempt counts from the database (once)."""
        items = list(seqs.items()) or [("_", 0)]
        for start in range(0, len(items), 2000):
            args = [value for pair in items[start : start + 2000] for value in pair]
            self._seed(keys=[keys.round_seqs(round_id)], args=args)

    def raise_ids(self, at_least: int) -> None:
        self._raise(keys=[keys.ATTEMPT_IDS], args=[at_least])

    def running(self, round_id: int, entrant_id: int) -> Running | None:
        raw = self.client.get(keys.running(round_id, entrant_id))
        return Running.decode(raw) if raw else None

    def used(self, round_id: int, entrant_id: int) -> int | None:
        """Attempts the entrant started in the round, or None if Redis does not know."""
        raw = self.client.hget(keys.round_seqs(round_id), entrant_id)
        return int(raw) if raw is not None else None
