-- Count who answered a survey from the database (its `survey_respondents`),
-- never lowering a count a submit has already raised; the last call marks the
-- counts as counted, so the save and submit scripts trust them again.
--
-- KEYS[1] the survey's counts (hash: respondent key → responses submitted;
--         "_" marks it counted; "!" when Redis was last found to have
--         forgotten who answered, in ms)
-- ARGV[1] 1 on the last call (mark the counts as counted), else 0
-- ARGV[2] now (ms): the value of "!" if this call finds Redis forgot someone
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
if raised > 0 then redis.call('HSET', KEYS[1], '!', ARGV[2]) end
if ARGV[1] == '1' then redis.call('HSET', KEYS[1], '_', 1) end
return raised
