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

from quiz.lua import load_script
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

FIELDS_PER_ITEM = 8  # values per result in lua/place_results.lua

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
        self._update = load_script(client, __file__, "place_results")
        self._swap_boards = load_script(client, __file__, "swap_boards")

    def apply(self, placements: Iterable[Placement], chunk: int = 500) -> int:
        """Place results on their round and contest boards; returns how many moved.

        One script call per contest (and per `chunk` results): a contest's
        boards share a hash tag, so each call touches one cluster slot.
        """
        by_contest: dict[int, list[Placement]] = {}
        for p in placements:
            by_contest.setdefault(p.contest_id, []).append(p)
        changed = 0
        for contest_id, items in by_contest.items():
            for start in range(0, len(items), chunk):
                changed += self._apply_contest(contest_id, items[start : start + chunk])
        return changed

    def _apply_contest(self, contest_id: int, items: list[Placement]) -> int:
        script_keys = [keys.contest_board(contest_id), keys.contest_parts(contest_id)]
        place: dict[int, int] = {}
        args: list = [MAX_VALUE, MAX_CORRECT]
        for p in items:
            if p.round_id not in place:
                place[p.round_id] = len(place) + 1
                script_keys += [
                    keys.round_board(contest_id, p.round_id),
                    keys.round_board_entries(contest_id, p.round_id),
                ]
            parts = Parts.of(p.result, p.reference)
            encoded = encode_key(rank_key(parts, p.round_order), p.round_order)
            args += [
                place[p.round_id],
                p.round_id,
                p.result.entrant_id,
                selection_key_from(encoded, p.result, p.counting_rule),
                encoded,
                _parts_text(parts),
                ",".join(p.contest_order),
                ",".join(str(r) for r in p.contest_rounds),
            ]
        return int(self._update(keys=script_keys, args=args))

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

    def top(self, contest_id: int, round_id: int, limit: int = 100, offset: int = 0) -> list[Entry]:
        return self._entries(keys.round_board(contest_id, round_id), offset, limit)

    def contest_top(self, contest_id: int, limit: int = 100, offset: int = 0) -> list[Entry]:
        return self._entries(keys.contest_board(contest_id), offset, limit)

    def rank_of(self, contest_id: int, round_id: int, entrant_id: int) -> Entry | None:
        raw = self.client.hget(keys.round_board_entries(contest_id, round_id), entrant_id)
        if raw is None:
            return None
        key = raw.decode().split("|", 1)[1].partition(":")[0]
        board = keys.round_board(contest_id, round_id)
        return Entry(self._rank_of_key(board, key), entrant_id, key)

    def best_of(self, contest_id: int, round_id: int, entrant_ids, limit: int) -> list[Entry]:
        """The `limit` best ranked of these entrants, with their ranks in the whole round.

        One HMGET per thousand entrants, then one count per entry kept: a
        district's best among a province's ranking without reading the board.
        """
        found: list[tuple[str, int]] = []
        ids = list(entrant_ids)
        entries = keys.round_board_entries(contest_id, round_id)
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            for entrant_id, raw in zip(chunk, self.client.hmget(entries, chunk), strict=True):
                if raw is not None:
                    found.append((raw.decode().split("|", 1)[1].partition(":")[0], entrant_id))
        found.sort()
        board = keys.round_board(contest_id, round_id)
        return [Entry(self._rank_of_key(board, key), e, key) for key, e in found[:limit]]

    def contest_rank_of(self, contest_id: int, entrant_id: int) -> Entry | None:
        raw = self.client.hget(keys.contest_parts(contest_id), entrant_id)
        if raw is None:
            return None
        key = raw.decode().partition(":")[0]
        return Entry(self._rank_of_key(keys.contest_board(contest_id), key), entrant_id, key)

    def size(self, contest_id: int, round_id: int) -> int:
        return int(self.client.zcard(keys.round_board(contest_id, round_id)))

    def contest_size(self, contest_id: int) -> int:
        return int(self.client.zcard(keys.contest_board(contest_id)))

    # --- rebuilding from the database --------------------------------------
    def replace_round(
        self,
        contest_id: int,
        round_id: int,
        standings: list[Standing],
        rule: str,
        order: Sequence[str],
        reference: int | None,
    ) -> None:
        """Swap in a round board computed from the database, atomically."""
        board = keys.round_board(contest_id, round_id)
        entries = keys.round_board_entries(contest_id, round_id)
        tmp_board, tmp_entries = keys.rebuilding(board), keys.rebuilding(entries)
        pipe = self.client.pipeline(transaction=False)
        pipe.execute_command("DEL", tmp_board, tmp_entries)  # one slot: see keys.py
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
        tmp_board, tmp_parts = keys.rebuilding(board), keys.rebuilding(parts)
        pipe = self.client.pipeline(transaction=False)
        pipe.execute_command("DEL", tmp_board, tmp_parts)
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
        """RENAME replaces the live keys in one step; an empty result deletes them."""
        self._swap_boards(keys=[k for pair in pairs for k in pair], args=["1" if empty else "0"])


def leaderboard() -> Leaderboard:
    """The app's leaderboards (on the leaderboard Redis)."""
    from quiz.caches import per_app
    from quiz.extensions import get_board_redis

    return per_app(Leaderboard, lambda _app: Leaderboard(get_board_redis()))
