-- Seed a round's per-entrant attempt counts from the database, never lowering
-- a count a start has already raised.
--
-- KEYS[1] attempts started per entrant in the round (hash; field "_" = seeded)
-- ARGV    entrant id, count, entrant id, count, ... (may be empty)
--
-- Returns SEEDED.

local SEEDED = 1

redis.call('HSETNX', KEYS[1], '_', 0)
for i = 1, #ARGV, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '-1')
  if current < tonumber(ARGV[i + 1]) then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return SEEDED
