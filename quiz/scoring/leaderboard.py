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

FIELDS_PER_ITEM = 8

# Applies many results at once. Per item: round id, contest id, entrant id,
# selection key, encoded round key, parts "c,t,e,s,st", contest order, and
# the contest's round ids.
UPDATE = """
local prefix = ARGV[1]
local changed = 0
local i = 2
while i <= #ARGV do
  local rid, cid, eid = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local sel, rkey, parts, corder, rounds = ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6],
                                           ARGV[i + 7]
  i = i + 8
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
    -- The contest board: one hash per contest holds each entrant's parts per
    -- round ("<entrant>:<round>") and current member ("<entrant>").
    local cparts = prefix .. 'lbp:' .. cid
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
    local maxv = ARGV_MAXV
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
    local cboard = prefix .. 'lbc:' .. cid
    local old = redis.call('HGET', cparts, eid)
    if old then redis.call('ZREM', cboard, old) end
    local cmember = key .. ':' .. eid
    redis.call('ZADD', cboard, 0, cmember)
    redis.call('HSET', cparts, eid, cmember)
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
    contest_rounds: Sequence[int]
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
                ",".join(str(r) for r in p.contest_rounds),
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
        raw = self.client.hget(keys.contest_parts(contest_id), entrant_id)
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
        board, parts = keys.contest_board(contest_id), keys.contest_parts(contest_id)
        tmp_board, tmp_parts = board + ":rebuild", parts + ":rebuild"
        pipe = self.client.pipeline(transaction=False)
        pipe.delete(tmp_board, tmp_parts)
        for n, s in enumerate(standings, start=1):
            member = f"{s.key}:{s.entrant_id}"
            pipe.zadd(tmp_board, {member: 0})
            mapping = {
                f"{s.entrant_id}:{rid}": _parts_text(p[s.entrant_id])
                for rid, p in per_round.items()
                if s.entrant_id in p
            }
            mapping[str(s.entrant_id)] = member
            pipe.hset(tmp_parts, mapping=mapping)
            if n % 500 == 0:
                pipe.execute()
        pipe.execute()
        self._swap([(tmp_board, board), (tmp_parts, parts)], empty=not standings)

    def _swap(self, pairs: list[tuple[str, str]], empty: bool) -> None:
        """RENAME replaces the live key in one step; an empty result deletes it."""
        pipe = self.client.pipeline(transaction=True)
        for tmp, final in pairs:
            if empty:
                pipe.delete(final, tmp)
            else:
                pipe.rename(tmp, final)
        pipe.execute()


def leaderboard() -> Leaderboard:
    """The app's leaderboards (on the leaderboard Redis)."""
    from flask import current_app

    from quiz.extensions import get_board_redis

    board = current_app.extensions.get("quiz.leaderboard")
    if board is None:
        board = current_app.extensions["quiz.leaderboard"] = Leaderboard(get_board_redis())
    return board
