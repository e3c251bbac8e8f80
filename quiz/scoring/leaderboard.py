"""Live leaderboards in Redis: one per round and one per contest.

Each board is a sorted set whose members all have score 0 and read
"<encoded rank key>:<entrant id>". Redis orders equal-score members by
their bytes, and the encoded key's byte order is the rank order, so:
- the top N is ZRANGE 0 N-1;
- an entrant's rank is 1 + the number of members whose key is strictly
  smaller (ZLEXCOUNT - "(<key>"), so entrants tied on every key share a rank.

A hash beside each round board remembers, per entrant, the selection key of
the attempt that counts and its member; the update script replaces it only
with a better selection key, which makes applying a result twice harmless.
The contest board aggregates each entrant's counting result per round.
Both can be rebuilt from the database (`flask rebuild-leaderboards`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import redis

from quiz.scoring import keys
from quiz.scoring.ranking import (
    MAX_CORRECT,
    MAX_VALUE,
    WIDTH,
    Parts,
    Result,
    Standing,
    encode_key,
    rank_key,
    selection_key,
    selection_key_from,
)

FIELDS_PER_ITEM = 7

# Applies many results at once. Per item: round id, contest id, entrant id,
# selection key, encoded round key, parts "c,t,e,s,st", contest order.
UPDATE = """
local prefix = ARGV[1]
local changed = 0
local i = 2
while i <= #ARGV do
  local rid, cid, eid = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local sel, rkey, parts, corder = ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
  i = i + 7
  local entries = prefix .. 'lbe:' .. rid
  local board = prefix .. 'lb:' .. rid
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
    local pkey = prefix .. 'lbp:' .. cid .. ':' .. eid
    redis.call('HSET', pkey, rid, parts)
    local c, t, e, s, st = 0, 0, 0, 0, nil
    for _, v in ipairs(redis.call('HVALS', pkey)) do
      local f = {}
      for n in string.gmatch(v, '[^,]+') do f[#f + 1] = tonumber(n) end
      c = c + f[1]; t = t + f[2]; e = e + f[3]
      if f[4] > s then s = f[4] end
      if st == nil or f[5] < st then st = f[5] end
    end
    local maxv = tonumber(ARGV_MAXV)
    local key = ''
    for name in string.gmatch(corder, '[^,]+') do
      if name == 'correct' then
        key = key .. string.format('%04x', ARGV_MAXC - math.min(c, ARGV_MAXC))
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
    local centries = prefix .. 'lbce:' .. cid
    local cboard = prefix .. 'lbc:' .. cid
    local old = redis.call('HGET', centries, eid)
    if old then redis.call('ZREM', cboard, old) end
    local cmember = key .. ':' .. eid
    redis.call('ZADD', cboard, 0, cmember)
    redis.call('HSET', centries, eid, cmember)
  end
end
return changed
""".replace("ARGV_MAXV", str(MAX_VALUE)).replace("ARGV_MAXC", str(MAX_CORRECT))

assert WIDTH["correct"] == 4 and all(WIDTH[k] == 12 for k in WIDTH if k != "correct")


@dataclass(frozen=True, slots=True)
class Entry:
    rank: int
    entrant_id: int
    key: str


@dataclass(frozen=True, slots=True)
class Placement:
    """What the leaderboard needs to place one scored attempt."""

    round_id: int
    contest_id: int
    counting_rule: str
    round_order: Sequence[str]
    contest_order: Sequence[str]
    reference: int | None
    result: Result


def _parts_text(parts: Parts) -> str:
    return (
        f"{parts.correct},{parts.time_used_ms},{parts.error},"
        f"{parts.submitted_at_ms},{parts.started_at_ms}"
    )


class Leaderboard:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._update = client.register_script(UPDATE)

    def apply(self, placements: Iterable[Placement], chunk: int = 500) -> int:
        """Place results on their round and contest boards; returns how many moved."""
        args: list = [keys.PREFIX]
        changed = 0
        for p in placements:
            parts = Parts.of(p.result, p.reference)
            encoded = encode_key(rank_key(parts, p.round_order), p.round_order)
            args += [
                p.round_id,
                p.contest_id,
                p.result.entrant_id,
                selection_key_from(encoded, p.result, p.counting_rule),
                encoded,
                _parts_text(parts),
                ",".join(p.contest_order),
            ]
            if len(args) > chunk * FIELDS_PER_ITEM:
                changed += self._update(keys=[], args=args)
                args = [keys.PREFIX]
        if len(args) > 1:
            changed += self._update(keys=[], args=args)
        return changed

    # --- reading -----------------------------------------------------------
    def _rank_of_key(self, board: str, key: str) -> int:
        return int(self.client.zlexcount(board, "-", "(" + key)) + 1

    def _entries(self, board: str, offset: int, limit: int) -> list[Entry]:
        members = self.client.zrange(board, offset, offset + limit - 1)
        out: list[Entry] = []
        previous_key = None
        for member in members:
            key, _, entrant = member.decode().partition(":")
            if key == previous_key:
                rank = out[-1].rank
            else:
                rank = self._rank_of_key(board, key) if not out else offset + len(out) + 1
            out.append(Entry(rank, int(entrant), key))
            previous_key = key
        return out

    def top(self, round_id: int, limit: int = 100, offset: int = 0) -> list[Entry]:
        return self._entries(keys.round_board(round_id), offset, limit)

    def contest_top(self, contest_id: int, limit: int = 100, offset: int = 0) -> list[Entry]:
        return self._entries(keys.contest_board(contest_id), offset, limit)

    def rank_of(self, round_id: int, entrant_id: int) -> Entry | None:
        raw = self.client.hget(keys.round_board_entries(round_id), entrant_id)
        if raw is None:
            return None
        key = raw.decode().split("|", 1)[1].partition(":")[0]
        return Entry(self._rank_of_key(keys.round_board(round_id), key), entrant_id, key)

    def contest_rank_of(self, contest_id: int, entrant_id: int) -> Entry | None:
        raw = self.client.hget(keys.contest_board_entries(contest_id), entrant_id)
        if raw is None:
            return None
        key = raw.decode().partition(":")[0]
        return Entry(self._rank_of_key(keys.contest_board(contest_id), key), entrant_id, key)

    def size(self, round_id: int) -> int:
        return int(self.client.zcard(keys.round_board(round_id)))

    def contest_size(self, contest_id: int) -> int:
        return int(self.client.zcard(keys.contest_board(contest_id)))

    # --- rebuilding from the database --------------------------------------
    def replace_round(
        self,
        round_id: int,
        standings: list[Standing],
        rule: str,
        order: Sequence[str],
        reference: int | None,
    ) -> None:
        """Swap in a round board computed from the database, atomically."""
        board, entries = keys.round_board(round_id), keys.round_board_entries(round_id)
        tmp_board, tmp_entries = board + ":rebuild", entries + ":rebuild"
        pipe = self.client.pipeline(transaction=False)
        pipe.delete(tmp_board, tmp_entries)
        for n, s in enumerate(standings, start=1):
            member = f"{s.key}:{s.entrant_id}"
            sel = selection_key(s.result, rule, order, reference)
            pipe.zadd(tmp_board, {member: 0})
            pipe.hset(tmp_entries, s.entrant_id, f"{sel}|{member}")
            if n % 1000 == 0:
                pipe.execute()
        pipe.execute()
        self._swap([(tmp_board, board), (tmp_entries, entries)], empty=not standings)

    def replace_contest(
        self, contest_id: int, per_round: dict[int, dict[int, Parts]], standings: list[Standing]
    ) -> None:
        """Swap in a contest board and its per-round parts computed from the database."""
        board, entries = keys.contest_board(contest_id), keys.contest_board_entries(contest_id)
        tmp_board, tmp_entries = board + ":rebuild", entries + ":rebuild"
        pipe = self.client.pipeline(transaction=False)
        pipe.delete(tmp_board, tmp_entries)
        for n, s in enumerate(standings, start=1):
            member = f"{s.key}:{s.entrant_id}"
            pipe.zadd(tmp_board, {member: 0})
            pipe.hset(tmp_entries, s.entrant_id, member)
            parts_key = keys.contest_parts(contest_id, s.entrant_id)
            pipe.delete(parts_key)
            pipe.hset(
                parts_key,
                mapping={
                    rid: _parts_text(p[s.entrant_id])
                    for rid, p in per_round.items()
                    if s.entrant_id in p
                },
            )
            if n % 500 == 0:
                pipe.execute()
        pipe.execute()
        self._swap([(tmp_board, board), (tmp_entries, entries)], empty=not standings)

    def _swap(self, pairs: list[tuple[str, str]], empty: bool) -> None:
        """RENAME replaces the live key in one step; an empty result deletes it."""
        pipe = self.client.pipeline(transaction=True)
        for tmp, final in pairs:
            if empty:
                pipe.delete(final, tmp)
            else:
                pipe.rename(tmp, final)
        pipe.execute()
