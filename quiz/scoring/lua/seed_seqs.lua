-- Seed a round's per-entrant attempt counts from the database, never lowering
-- a count a start has already raised; the last call marks the round seeded
-- (marked earlier, a start between two calls would find no count for an
-- entrant of a later call and take it as none).
--
-- KEYS[1] attempts started per entrant in the round (hash; field "_" = seeded)
-- ARGV[1] 1 on the last call (mark the round seeded), else 0
-- ARGV[2..] entrant id, count, entrant id, count, ... (may be none)
--
-- Returns SEEDED.

local SEEDED = 1

for i = 2, #ARGV, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '-1')
  if current < tonumber(ARGV[i + 1]) then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
if ARGV[1] == '1' then redis.call('HSETNX', KEYS[1], '_', 0) end
return SEEDED
