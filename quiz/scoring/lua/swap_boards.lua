-- Put rebuilt boards in place of the live ones, all in one step.
--
-- KEYS[2k-1] a board (or its hash) rebuilt aside   KEYS[2k] the live key it replaces
-- ARGV[1] "1" when the rebuilt result is empty: every key is deleted instead
--
-- Returns (quiz/scoring/codes.py: SwapCode) SWAPPED, or CLEARED when empty.

local CLEARED = 0
local SWAPPED = 1

for i = 1, #KEYS, 2 do
  if ARGV[1] == '1' then
    redis.call('DEL', KEYS[i], KEYS[i + 1])
  else
    redis.call('RENAME', KEYS[i], KEYS[i + 1])
  end
end
if ARGV[1] == '1' then return CLEARED end
return SWAPPED
