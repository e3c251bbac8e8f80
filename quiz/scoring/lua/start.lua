-- Start an attempt, in one call: resume, checks, admission, and the attempt itself.
--
-- KEYS[1]  the entrant's running attempt in the round: "id|deadline|size|seq|options"
-- KEYS[2]  admission token bucket (hash: tokens, ts)
-- KEYS[3]  attempts started per entrant in the round (hash; field "_" = seeded from the database)
-- KEYS[4]  the last attempt id handed out
-- KEYS[5]  stream of new attempts, copied to the database by workers
-- KEYS[6]  live count of the round's attempts
-- KEYS[7]  live count of the contest's attempts
-- KEYS[8]  live count of the round's entrants
-- KEYS[9]  set of the contest's entrants
-- KEYS[10] the highest attempt id this Redis may hand out (reserved in the database)
-- KEYS[11] run id of the Redis process whose data was checked after it started
-- KEYS[12] flag: a web process is reserving the next block of ids
--
-- ARGV[1] now (ms)            ARGV[2] admission rate per s   ARGV[3] admission burst
-- ARGV[4] receipt key prefix  ARGV[5] entrant id             ARGV[6] attempts allowed (0: any)
-- ARGV[7] paper (JSON)        ARGV[8] deadline (ms)          ARGV[9] questions on the paper
-- ARGV[10] round id           ARGV[11] attempt key prefix    ARGV[12] keep (ms)
-- ARGV[13] device id or ""    ARGV[14] options per question (packed, see tokens.py)
-- ARGV[15] answers key prefix ARGV[16] ids left at which the next block is asked for
--
-- The one exception to "every key comes in KEYS": keys named after an
-- attempt id are built here from the prefixes (ARGV[4], ARGV[11], ARGV[15]):
-- the receipt of the running attempt (its id is read from KEYS[1]) and the
-- new attempt's record and answers (its id is born here, from KEYS[4]).
-- The prefixes carry the engine's hash tag, the tag of every KEYS entry,
-- so under Redis Cluster these keys live in the script's slot.
--
-- Returns {RESUMED, running}, {LIMIT}, {NEEDS_SEQS}, {NEEDS_IDS},
-- {STARTED, running, refill}, {WAIT, wait ms}, {NEEDS_CHECK}
-- (quiz/scoring/codes.py: StartCode).

local WAIT = 0
local RESUMED = 1
local LIMIT = 2
local NEEDS_SEQS = 3
local NEEDS_IDS = 4
local STARTED = 5
local NEEDS_CHECK = 6

local now = tonumber(ARGV[1])
local entrant = ARGV[5]
local running = redis.call('GET', KEYS[1])
if running then
  local aid, deadline = string.match(running, '^(%d+)|(%d+)|')
  if tonumber(deadline) > now and redis.call('EXISTS', ARGV[4] .. aid) == 0 then
    return {RESUMED, running}
  end
end
-- No id is handed out by a Redis process whose data nobody has checked
-- since it started: after a restart it may have come back older or empty.
local run_id = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
if redis.call('GET', KEYS[11]) ~= run_id then return {NEEDS_CHECK} end
if redis.call('HEXISTS', KEYS[3], '_') == 0 then return {NEEDS_SEQS} end
local last = tonumber(redis.call('GET', KEYS[4]) or '0')
local ceiling = tonumber(redis.call('GET', KEYS[10]) or '0')
if last >= ceiling then return {NEEDS_IDS} end
local seq = tonumber(redis.call('HGET', KEYS[3], entrant) or '0') + 1
local limit = tonumber(ARGV[6])
if limit > 0 and seq > limit then return {LIMIT} end
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[2], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
local stamp = math.max(now, ts)
if tokens < 1 then
  redis.call('HSET', KEYS[2], 'tokens', tostring(tokens), 'ts', stamp)
  redis.call('PEXPIRE', KEYS[2], 60000)
  return {WAIT, math.ceil((1 - tokens) * 1000 / rate)}
end
redis.call('HSET', KEYS[2], 'tokens', tostring(tokens - 1), 'ts', stamp)
redis.call('PEXPIRE', KEYS[2], 60000)
local id = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[3], entrant, seq)
local record = ARGV[11] .. id
redis.call('HSET', record, 'r', ARGV[10], 'e', entrant, 's', seq, 'p', ARGV[7],
           't', ARGV[1], 'd', ARGV[8], 'v', ARGV[13])
redis.call('PEXPIRE', record, ARGV[12])
-- The answers hash exists from the start: a save or submit for an attempt
-- this Redis has never heard of (lost with its data) is told apart from one
-- that simply has no answer yet.
local answers = ARGV[15] .. id
redis.call('HSET', answers, '#', 0)
redis.call('PEXPIRE', answers, ARGV[12])
redis.call('XADD', KEYS[5], '*', 'a', id)
local value = id .. '|' .. ARGV[8] .. '|' .. ARGV[9] .. '|' .. seq .. '|' .. ARGV[14]
redis.call('SET', KEYS[1], value, 'PX', ARGV[12])
redis.call('INCR', KEYS[6])
redis.call('INCR', KEYS[7])
if seq == 1 then
  redis.call('INCR', KEYS[8])
  redis.call('SADD', KEYS[9], entrant)
end
local refill = 0
if ceiling - id <= tonumber(ARGV[16]) and redis.call('SET', KEYS[12], '1', 'NX', 'EX', 30) then
  refill = 1
end
return {STARTED, value, refill}
