-- Read the saved answers of many attempts in one call.
--
-- KEYS[1..n] the attempts' answers (hashes: position -> choices, "@position" -> ms, "#" -> saves)
-- ARGV       none
--
-- Returns one HGETALL reply per key, in the order of KEYS ({} for a missing hash).
-- (A pipeline of one HGETALL per attempt costs the worker about three times
-- the CPU: redis-py packs each command and builds a dict from each reply.)

local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('HGETALL', key) end
return out
