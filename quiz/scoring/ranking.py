"""The ranking order, the counting rule, and shared ranks: the one place they live.

Every ranking in the product (live Redis leaderboards, final standings in
the database, winners, exports) is built from `rank_key`, `encode_key` and
`selection_key` below. A rank key is a tuple where smaller is better; its
encoding is fixed-width lower-case hex per component, so byte order equals
rank order and Redis can rank with ZLEXCOUNT on equal-score sorted sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from quiz.models.contests import CountingRule


class RankKey(StrEnum):
    CORRECT = "correct"  # more correct answers first
    TIME = "time"  # less time used first (server clock, start to submit)
    PREDICTION = "prediction"  # smaller prediction error first
    SUBMITTED = "submitted"  # earlier submission first
    STARTED = "started"  # earlier start first


DEFAULT_ORDER: tuple[str, ...] = (
    RankKey.CORRECT,
    RankKey.TIME,
    RankKey.PREDICTION,
    RankKey.SUBMITTED,
)

# Hex digits per component. Wide enough for: 65,535 correct answers, a
# time used of 500 years, any prediction error, epoch milliseconds to 10889.
WIDTH = {
    RankKey.CORRECT: 4,
    RankKey.TIME: 12,
    RankKey.PREDICTION: 12,
    RankKey.SUBMITTED: 12,
    RankKey.STARTED: 12,
}
MAX_CORRECT = 16**4 - 1
MAX_VALUE = 16**12 - 1
SEQ_WIDTH = 8


@dataclass(frozen=True, slots=True)
class Result:
    """What ranking needs to know of one scored attempt."""

    entrant_id: int
    attempt_id: int
    seq: int
    correct: int
    total: int
    time_used_ms: int
    prediction: int | None
    submitted_at_ms: int
    started_at_ms: int

    @property
    def fully_correct(self) -> bool:
        return self.total > 0 and self.correct == self.total


def validate_order(order: Sequence[str]) -> tuple[str, ...]:
    """A ranking order: known keys, each at most once, at least one."""
    keys = tuple(order)
    if not keys:
        raise ValueError("the ranking order needs at least one key")
    unknown = [k for k in keys if k not in RankKey.__members__.values()]
    if unknown:
        raise ValueError(f"unknown ranking keys: {unknown}")
    if len(set(keys)) != len(keys):
        raise ValueError("a ranking key appears twice")
    return keys


def prediction_error(prediction: int | None, reference: int | None) -> int:
    """Distance to the frozen reference.

    Before the round closes the reference is unknown, so nobody is ahead on
    this key (every error is 0) and live ranks rely on the other keys; the
    close job rebuilds the leaderboard once the reference is frozen. An
    entrant who gave no prediction comes after everyone who did.
    """
    if reference is None:
        return 0
    if prediction is None:
        return MAX_VALUE
    return min(abs(prediction - reference), MAX_VALUE)


def shown_error(error: int | None, reference: int | None) -> int | None:
    """The prediction error a page or a workbook shows: None where it does not apply
    (the round has no frozen reference, or the entrant predicted nothing)."""
    if reference is None or error is None or error >= MAX_VALUE:
        return None
    return error


@dataclass(frozen=True, slots=True)
class Parts:
    """The rankable components of one result (or of a contest aggregate)."""

    correct: int
    time_used_ms: int
    error: int
    submitted_at_ms: int
    started_at_ms: int

    @classmethod
    def of(cls, result: Result, reference: int | None) -> Parts:
        return cls(
            result.correct,
            result.time_used_ms,
            prediction_error(result.prediction, reference),
            result.submitted_at_ms,
            result.started_at_ms,
        )


def rank_key(parts: Parts, order: Sequence[str]) -> tuple[int, ...]:
    """Smaller is better, component by component, in the contest's order."""
    values = {
        RankKey.CORRECT: MAX_CORRECT - min(parts.correct, MAX_CORRECT),
        RankKey.TIME: min(parts.time_used_ms, MAX_VALUE),
        RankKey.PREDICTION: min(parts.error, MAX_VALUE),
        RankKey.SUBMITTED: parts.submitted_at_ms,
        RankKey.STARTED: parts.started_at_ms,
    }
    return tuple(values[k] for k in order)


def encode_key(key: tuple[int, ...], order: Sequence[str]) -> str:
    return "".join(f"{value:0{WIDTH[name]}x}" for value, name in zip(key, order, strict=True))


def decode_key(encoded: str, order: Sequence[str]) -> dict[str, int]:
    """The components back from an encoded key, as shown on leaderboards."""
    values: dict[str, int] = {}
    position = 0
    for name in order:
        raw = int(encoded[position : position + WIDTH[name]], 16)
        position += WIDTH[name]
        values[name] = MAX_CORRECT - raw if name == RankKey.CORRECT else raw
    return values


def selection_key(result: Result, rule: str, order: Sequence[str], reference: int | None) -> str:
    """Which attempt of one entrant counts: the one with the smallest key.

    best: the best rank key (then the earlier attempt); first: the first
    attempt; earliest_full: the earliest submitted fully correct attempt,
    and when there is none, the best one.
    """
    best = encode_key(rank_key(Parts.of(result, reference), order), order)
    return selection_key_from(best, result, rule)


def selection_key_from(best: str, result: Result, rule: str) -> str:
    """`selection_key` when the encoded rank key is already known."""
    seq = f"{result.seq:0{SEQ_WIDTH}x}"
    if rule == CountingRule.FIRST:
        return seq
    if rule == CountingRule.EARLIEST_FULL:
        if result.fully_correct:
            return f"0{result.submitted_at_ms:012x}{seq}"
        return f"1{best}{seq}"
    return f"1{best}{seq}"


def counting_results(
    results: Iterable[Result], rule: str, order: Sequence[str], reference: int | None
) -> dict[int, Result]:
    """The counting result of each entrant, by entrant id."""
    chosen: dict[int, tuple[str, Result]] = {}
    for result in results:
        key = selection_key(result, rule, order, reference)
        current = chosen.get(result.entrant_id)
        if current is None or key < current[0]:
            chosen[result.entrant_id] = (key, result)
    return {entrant: pair[1] for entrant, pair in chosen.items()}


def aggregate(parts: Iterable[Parts]) -> Parts:
    """A contest-wide entry from an entrant's counting result in each round."""
    items = list(parts)
    return Parts(
        correct=sum(p.correct for p in items),
        time_used_ms=sum(p.time_used_ms for p in items),
        error=min(sum(p.error for p in items), MAX_VALUE),
        submitted_at_ms=max(p.submitted_at_ms for p in items),
        started_at_ms=min(p.started_at_ms for p in items),
    )


@dataclass(frozen=True, slots=True)
class Standing:
    rank: int
    entrant_id: int
    key: str
    parts: Parts
    result: Result | None = None


def competition_ranks(entries: list[tuple[str, int]]) -> list[int]:
    """Shared ranks for (encoded key, entrant) sorted by key: 1, 2, 2, 4.

    Entrants still tied after every key share a rank; organizers decide.
    """
    ranks: list[int] = []
    previous = None
    for position, (key, _entrant) in enumerate(entries, start=1):
        ranks.append(ranks[-1] if key == previous else position)
        previous = key
    return ranks


def rank_parts(parts_by_entrant: dict[int, Parts], order: Sequence[str]) -> list[Standing]:
    encoded = sorted(
        (encode_key(rank_key(parts, order), order), entrant)
        for entrant, parts in parts_by_entrant.items()
    )
    ranks = competition_ranks(encoded)
    return [
        Standing(rank, entrant, key, parts_by_entrant[entrant])
        for rank, (key, entrant) in zip(ranks, encoded, strict=True)
    ]


def round_standings(
    results: Iterable[Result], rule: str, order: Sequence[str], reference: int | None
) -> list[Standing]:
    """Final ranking of one round from its scored attempts."""
    counting = counting_results(results, rule, order, reference)
    parts = {entrant: Parts.of(result, reference) for entrant, result in counting.items()}
    return [
        Standing(s.rank, s.entrant_id, s.key, s.parts, counting[s.entrant_id])
        for s in rank_parts(parts, order)
    ]
