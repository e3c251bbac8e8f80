-- Submit a response once per person: count it, queue it, drop the draft.
--
-- KEYS[1] the survey's counts (hash: respondent key → responses submitted;
--         "_" marks it counted from the database, "!" is no respondent)
-- KEYS[2] the respondent's draft (hash)
-- KEYS[3] the survey's response stream
-- KEYS[4] flag: a drain job has been asked for since the last drain began
-- KEYS[5] the burst counter of the request's source (expires)
-- ARGV[1] respondent key   ARGV[2] responses allowed   ARGV[3] response (packed)
-- ARGV[4] burst window (s)   ARGV[5] burst size (more in the window is flagged)
--
-- Returns (quiz/scoring/codes.py: SurveySubmitCode) {ANSWERED, n} answered
-- already (n responses, the most allowed); {QUEUED, n, first, flagged}
-- queued as this person's n-th response (first = 1 when this submit should
-- enqueue a drain; flagged = 1 in a burst); {NOT_COUNTED}: who answered is
-- not counted from the database yet (Redis came back empty, or never had this
-- survey), so this count could be wrong: nothing queued.

local ANSWERED = 0
local QUEUED = 1
local NOT_COUNTED = 2

if redis.call('HEXISTS', KEYS[1], '_') == 0 then return {NOT_COUNTED} end
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if n > tonumber(ARGV[2]) then
  redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
  return {ANSWERED, n - 1}
end
local burst = redis.call('INCR', KEYS[5])
if burst == 1 then redis.call('EXPIRE', KEYS[5], ARGV[4]) end
local flagged = 0
if burst > tonumber(ARGV[5]) then flagged = 1 end
redis.call('XADD', KEYS[3], '*', 'k', ARGV[1], 'n', n, 'f', flagged, 'v', ARGV[3])
redis.call('DEL', KEYS[2])
local first = redis.call('SET', KEYS[4], '1', 'NX', 'EX', 60)
return {QUEUED, n, first and 1 or 0, flagged}
