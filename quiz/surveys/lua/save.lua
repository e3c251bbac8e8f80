-- Keep answers of a survey's draft as they are given.
--
-- KEYS[1] the survey's counts (hash: respondent key → responses submitted;
--         "_" marks it counted from the database, "!" is no respondent)
-- KEYS[2] the respondent's draft (hash: field → value)
-- ARGV[1] respondent key   ARGV[2] responses allowed   ARGV[3] keep (s)
-- ARGV[4] saves allowed    ARGV[5..] field, value, field, value, ... ("" removes)
--
-- Returns the number of saves so far (1, 2, ...), or a code (quiz/scoring/codes.py:
-- SurveySaveCode): ANSWERED already (nothing more to save); TOO_MANY_SAVES;
-- NOT_COUNTED: who answered is not counted from the database yet (Redis came
-- back empty, or never had this survey): nothing saved.

local ANSWERED = -1
local TOO_MANY_SAVES = -2
local NOT_COUNTED = -3

if redis.call('HEXISTS', KEYS[1], '_') == 0 then return NOT_COUNTED end
if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') >= tonumber(ARGV[2]) then
  return ANSWERED
end
local n = redis.call('HINCRBY', KEYS[2], '#', 1)
if n > tonumber(ARGV[4]) then return TOO_MANY_SAVES end
for i = 5, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', KEYS[2], ARGV[i])
  else
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  end
end
redis.call('EXPIRE', KEYS[2], ARGV[3])
return n
