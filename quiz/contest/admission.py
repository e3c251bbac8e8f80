"""The gate at attempt start: resume a running attempt, or admit a new one.

A synchronized start (a conference hall, a class, the opening minute of a
round) can ask for more papers than the machine can draw and store. Rather
than let every request queue until it times out, starts beyond the
configured rate get an immediate "please wait, retrying in N seconds" and
the page retries by itself (a token bucket shared by every web process).
Only new starts are admitted this way: resuming, saving and submitting are
never turned away.

One Lua call answers both questions, so a start costs one Redis round trip
before the database is touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from quiz.scoring import keys

GATE = """
local now = tonumber(ARGV[1])
local running = redis.call('GET', KEYS[1])
if running then
  local aid, deadline = string.match(running, '^(%d+)|(%d+)|')
  if tonumber(deadline) > now and redis.call('EXISTS', ARGV[4] .. aid) == 0 then
    return {1, running}
  end
end
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[2], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
if now < ts then now = ts end
local wait = 0
if tokens < 1 then
  wait = math.ceil((1 - tokens) * 1000 / rate)
else
  tokens = tokens - 1
end
redis.call('HSET', KEYS[2], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[2], 60000)
return {0, wait}
"""

# After a new attempt is stored: remember it as running, count it.
RECORD = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('INCR', KEYS[2])
redis.call('INCR', KEYS[3])
if ARGV[3] == '1' then
  redis.call('INCR', KEYS[4])
  redis.call('SADD', KEYS[5], ARGV[4])
end
return 1
"""


@dataclass(frozen=True, slots=True)
class Running:
    """The entrant's attempt still open in this round."""

    attempt_id: int
    deadline_ms: int
    size: int
    seq: int

    def encode(self) -> str:
        return f"{self.attempt_id}|{self.deadline_ms}|{self.size}|{self.seq}"

    @classmethod
    def decode(cls, raw: bytes | str) -> Running:
        text = raw.decode() if isinstance(raw, bytes) else raw
        attempt_id, deadline, size, seq = (int(x) for x in text.split("|"))
        return cls(attempt_id, deadline, size, seq)


class Admission:
    def __init__(self, client: redis.Redis, rate_per_second: int, burst: int) -> None:
        self.client = client
        self.rate = rate_per_second
        self.burst = burst
        self._gate = client.register_script(GATE)
        self._record = client.register_script(RECORD)

    def gate(self, round_id: int, entrant_id: int, now_ms: int) -> Running | int:
        """The running attempt to resume, or 0 (admitted) or milliseconds to wait."""
        kind, value = self._gate(
            keys=[keys.running(round_id, entrant_id), keys.ADMISSION_BUCKET],
            args=[now_ms, self.rate, self.burst, keys.receipt_prefix()],
        )
        return Running.decode(value) if kind == 1 else int(value)

    def running(self, round_id: int, entrant_id: int) -> Running | None:
        raw = self.client.get(keys.running(round_id, entrant_id))
        return Running.decode(raw) if raw else None

    def record_start(self, round_id: int, contest_id: int, entrant_id: int, running: Running,
                     now_ms: int) -> None:  # fmt: skip
        """Remember the running attempt and count the start for the live counters."""
        self._record(
            keys=[
                keys.running(round_id, entrant_id),
                keys.round_attempts(round_id),
                keys.contest_attempts(contest_id),
                keys.round_entrants(round_id),
                keys.contest_entrants(contest_id),
            ],
            args=[
                running.encode(),
                max(1000, running.deadline_ms - now_ms + 60_000),
                "1" if running.seq == 1 else "0",
                entrant_id,
            ],
        )
