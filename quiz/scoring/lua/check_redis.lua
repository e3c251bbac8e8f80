-- Record that this Redis process's data has been checked, and move past
-- every id it may have handed out before.
--
-- KEYS[1]     run id of the Redis process whose data was checked
-- KEYS[2]     the last attempt id handed out
-- KEYS[3]     the highest attempt id this Redis may hand out
-- KEYS[4]     the generation marker (random, kept in the database too)
-- KEYS[5..n]  per-round attempt counts: their "seeded" mark is removed, so
--             each round's counts are raised again from the database
-- ARGV[1] a fresh block's first id minus one   ARGV[2] its last id
-- ARGV[3] the generation
-- ARGV[4] run id of the Redis process that was checked
--
-- Returns (quiz/scoring/codes.py: CheckCode) APPLIED; CHECKED_ALREADY when
-- this Redis process was checked already (the block is then simply not
-- used); RESTARTED when Redis has restarted since it was read: the check
-- must start again.

local CHECKED_ALREADY = 0
local APPLIED = 1
local RESTARTED = -1

local run_id = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
if run_id ~= ARGV[4] then return RESTARTED end
if redis.call('GET', KEYS[1]) == run_id then return CHECKED_ALREADY end
if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], ARGV[1])
end
if tonumber(redis.call('GET', KEYS[3]) or '0') < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[3], ARGV[2])
end
for i = 5, #KEYS do redis.call('HDEL', KEYS[i], '_') end
redis.call('SET', KEYS[4], ARGV[3])
redis.call('SET', KEYS[1], run_id)
return APPLIED
