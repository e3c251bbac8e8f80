-- Place scored attempts of one contest on their round boards and the contest board.
--
-- KEYS[1]        the contest board (sorted set, members "<key>:<entrant>", all score 0)
-- KEYS[2]        the contest's parts (hash: "<entrant>:<round>" -> "c,t,e,s,st" counting
--                parts; "<entrant>" -> the entrant's contest board member)
-- KEYS[2k+1]     round k's board (k = 1, 2, ...: the rounds met in this call)
-- KEYS[2k+2]     round k's entries (hash: entrant -> "<selection key>|<member>")
-- ARGV[1] the largest value of a 12-hex-digit part   ARGV[2] the largest correct count
-- ARGV[3..] per result, 8 values: k (the round's place in KEYS), round id, entrant id,
--           selection key, encoded round key, parts "c,t,e,s,st", contest order
--           (comma-separated part names), the contest's round ids (comma-separated)
--
-- A result replaces the entrant's entry only with a better (smaller) selection
-- key, so applying a result twice changes nothing.
-- Returns the number of results that moved a board (0 .. number of results).

local maxv, maxc = tonumber(ARGV[1]), tonumber(ARGV[2])
local cboard, cparts = KEYS[1], KEYS[2]
local changed = 0
local i = 3
while i <= #ARGV do
  local k = tonumber(ARGV[i])
  local board, entries = KEYS[2 * k + 1], KEYS[2 * k + 2]
  local rid, eid, sel, rkey = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local parts, corder, rounds = ARGV[i + 5], ARGV[i + 6], ARGV[i + 7]
  i = i + 8
  local cur = redis.call('HGET', entries, eid)
  local better = true
  if cur then
    local sep = string.find(cur, '|', 1, true)
    if string.sub(cur, 1, sep - 1) <= sel then
      better = false
    else
      redis.call('ZREM', board, string.sub(cur, sep + 1))
    end
  end
  if better then
    changed = changed + 1
    local member = rkey .. ':' .. eid
    redis.call('ZADD', board, 0, member)
    redis.call('HSET', entries, eid, sel .. '|' .. member)
    redis.call('HSET', cparts, eid .. ':' .. rid, parts)
    local fields = {}
    for r in string.gmatch(rounds, '[^,]+') do fields[#fields + 1] = eid .. ':' .. r end
    local c, t, e, s, st = 0, 0, 0, 0, nil
    for _, v in ipairs(redis.call('HMGET', cparts, unpack(fields))) do
      if v then
        local a, b, d, f, g = string.match(v, '^(%d+),(%d+),(%d+),(%d+),(%d+)$')
        c = c + tonumber(a); t = t + tonumber(b); e = e + tonumber(d)
        f = tonumber(f); g = tonumber(g)
        if f > s then s = f end
        if st == nil or g < st then st = g end
      end
    end
    local key = ''
    for name in string.gmatch(corder, '[^,]+') do
      if name == 'correct' then
        key = key .. string.format('%04x', maxc - math.min(c, maxc))
      elseif name == 'time' then
        key = key .. string.format('%012x', math.min(t, maxv))
      elseif name == 'prediction' then
        key = key .. string.format('%012x', math.min(e, maxv))
      elseif name == 'submitted' then
        key = key .. string.format('%012x', s)
      else
        key = key .. string.format('%012x', st)
      end
    end
    local old = redis.call('HGET', cparts, eid)
    if old then redis.call('ZREM', cboard, old) end
    local cmember = key .. ':' .. eid
    redis.call('ZADD', cboard, 0, cmember)
    redis.call('HSET', cparts, eid, cmember)
  end
end
return changed
