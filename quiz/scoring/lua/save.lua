-- Save one answer of an attempt, with the time it was given.
--
-- KEYS[1] the attempt's answers (hash: position → choices, "@position" → ms, "#" → saves)
-- KEYS[2] the attempt's receipt (exists once it was submitted)
-- ARGV[1] field (a position, or "p" for the prediction)   ARGV[2] value
-- ARGV[3] saves allowed   ARGV[4] keep (s)   ARGV[5] now (ms)
-- ARGV[6] "1" when the caller checked that the attempt exists (then the
--         answers hash is made if missing), "0" otherwise
--
-- Returns the number of saves so far (1, 2, ...), or a code (quiz/scoring/codes.py:
-- SaveCode): CLOSED submitted already; TOO_MANY_SAVES; UNKNOWN this Redis
-- has no answers hash for the attempt (the start script makes one): it may
-- have been lost with Redis's data, the caller must look.

local CLOSED = -1
local TOO_MANY_SAVES = -2
local UNKNOWN = -3

if redis.call('EXISTS', KEYS[2]) == 1 then return CLOSED end
if ARGV[6] ~= '1' and redis.call('EXISTS', KEYS[1]) == 0 then return UNKNOWN end
local n = redis.call('HINCRBY', KEYS[1], '#', 1)
if n > tonumber(ARGV[3]) then return TOO_MANY_SAVES end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], '@' .. ARGV[1], ARGV[5])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
return n
