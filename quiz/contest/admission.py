"""Admission control at attempt start: a token bucket shared through Redis.

A synchronized start (a conference hall, a class, the opening minute of a
round) can ask for more papers than the machine can draw and store. Rather
than let every request queue until it times out, starts beyond the
configured rate get an immediate "please wait, retrying in N seconds" and
the page retries by itself. Only starts are admitted this way: saves and
submits of attempts already running are never turned away.
"""

from __future__ import annotations

import redis

from quiz.scoring import keys

BUCKET = """
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
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
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], 60000)
return wait
"""


class Admission:
    def __init__(self, client: redis.Redis, rate_per_second: int, burst: int) -> None:
        self.rate = rate_per_second
        self.burst = burst
        self._script = client.register_script(BUCKET)

    def wait_ms(self, now_ms: int) -> int:
        """0 when admitted now; otherwise how long to wait before trying again."""
        return int(self._script(keys=[keys.ADMISSION_BUCKET], args=[now_ms, self.rate, self.burst]))
