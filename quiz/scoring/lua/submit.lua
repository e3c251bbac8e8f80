-- Submit an attempt once: a receipt, and an entry on the scoring stream.
--
-- KEYS[1] the attempt's answers (hash; made by the start script)
-- KEYS[2] the attempt's receipt: "submitted ms|code|auto"
-- KEYS[3] the submission stream
-- KEYS[4] flag: a drain job has been asked for since the last drain began
-- ARGV[1] attempt id   ARGV[2] submitted at (ms)   ARGV[3] receipt code
-- ARGV[4] "1" when submitted automatically (deadline passed)   ARGV[5] keep (s)
-- ARGV[6] answers carried by the submit (packed)
-- ARGV[7] "1" when the caller checked that the attempt exists, "0" otherwise
--
-- Returns (quiz/scoring/codes.py: SubmitCode) {REPEATED, receipt} submitted
-- before; {SUBMITTED, receipt, first} submitted now (first = 1 when this
-- submit should enqueue a drain); {UNKNOWN} this Redis has no answers hash
-- for the attempt: it may have been lost, the caller must look.

local REPEATED = 0
local SUBMITTED = 1
local UNKNOWN = -3

local existing = redis.call('GET', KEYS[2])
if existing then return {REPEATED, existing} end
if ARGV[7] ~= '1' and redis.call('EXISTS', KEYS[1]) == 0 then return {UNKNOWN} end
local receipt = ARGV[2] .. '|' .. ARGV[3] .. '|' .. ARGV[4]
redis.call('SET', KEYS[2], receipt, 'EX', ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('XADD', KEYS[3], '*', 'a', ARGV[1], 't', ARGV[2], 'x', ARGV[4], 'v', ARGV[6])
local first = redis.call('SET', KEYS[4], '1', 'NX', 'EX', 60)
return {SUBMITTED, receipt, first and 1 or 0}
