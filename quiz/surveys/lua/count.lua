-- Count who answered a survey from the database (its `survey_respondents`),
-- never lowering a count a submit has already raised; the last call marks the
-- counts as counted, so the save and submit scripts trust them again.
--
-- KEYS[1] the survey's counts (hash: respondent key → responses submitted;
--         "_" marks it counted, its value: when Redis was found to have
--         forgotten who answered, in ms, or 0)
-- ARGV[1] "" on every call but the last; on the last: the mark's value ("0",
--         or the time a call before this one found Redis had forgotten someone)
-- ARGV[2] now (ms): the mark's value if this call finds that
-- ARGV[3..] respondent key, responses, respondent key, responses, ... (may be none)
--
-- Returns the number of respondents whose count was raised: answered in the
-- database, forgotten by Redis.

local raised = 0
for i = 3, #ARGV, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if current < tonumber(ARGV[i + 1]) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    raised = raised + 1
  end
end
if ARGV[1] ~= '' then
  if raised > 0 then
    redis.call('HSET', KEYS[1], '_', ARGV[2])
  elseif ARGV[1] ~= '0' or redis.call('HEXISTS', KEYS[1], '_') == 0 then
    redis.call('HSET', KEYS[1], '_', ARGV[1])
  end
end
return raised
