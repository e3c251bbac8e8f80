-- Take a block of attempt ids reserved in the database: (ARGV[1], ARGV[2]].
--
-- KEYS[1] the last attempt id handed out
-- KEYS[2] the highest attempt id this Redis may hand out
-- KEYS[3] flag: a web process is reserving the next block (cleared here)
-- ARGV[1] the block's first id minus one   ARGV[2] the block's last id
--
-- Ids between the last one handed out and the ceiling were reserved and
-- never used; a block older than the ceiling (reserved by a process that
-- lost a race) is ignored, and ids in between are skipped, never reused.
-- Returns 1 when the block was taken, 0 when it was not needed.

local low, high = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('DEL', KEYS[3])
if tonumber(redis.call('GET', KEYS[2]) or '0') >= high then return 0 end
if tonumber(redis.call('GET', KEYS[1]) or '0') < low then redis.call('SET', KEYS[1], ARGV[1]) end
redis.call('SET', KEYS[2], ARGV[2])
return 1
