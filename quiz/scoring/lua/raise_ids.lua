-- Take a block of attempt ids reserved in the database: raise the ceiling to ARGV[2].
--
-- KEYS[1] the highest attempt id this Redis may hand out
-- KEYS[2] flag: a web process is reserving the next block (cleared here)
-- ARGV[1] the block's last id
--
-- Every id above the last one handed out and up to the ceiling is reserved
-- and unused: ids are only ever reserved from the database's counter, and
-- after any restart of Redis its check moves the last id past everything
-- reserved before. So the ceiling may simply rise; a block below it (from a
-- process that lost a race) changes nothing.
-- Returns (quiz/scoring/codes.py: RaiseCode) RAISED when the ceiling rose,
-- UNCHANGED when it was already as high.

local UNCHANGED = 0
local RAISED = 1

redis.call('DEL', KEYS[2])
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1]) then return UNCHANGED end
redis.call('SET', KEYS[1], ARGV[1])
return RAISED
