"""Grading: pure functions from a paper and saved answers to a mark.

Answers arrive as they were shown: position on the paper, and the displayed
positions of the chosen options. The paper remembers the order the options
were shown in, so grading maps them back to original choice indices and
compares with the key. A question counts as correct only when the chosen set
is exactly the correct set (several correct options are possible).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

PREDICTION_FIELD = "p"
_POSITIONS = [str(i) for i in range(100)]
MAX_PREDICTION = 10**12


def parse_choices(raw: str | None) -> tuple[int, ...]:
    """'0,2' → (0, 2). Garbage yields (): a blank, never an exception."""
    if not raw:
        return ()
    picked = []
    for part in raw.split(","):
        if part.isdigit() and len(part) == 1:
            picked.append(int(part))
    return tuple(sorted(set(picked)))


def parse_prediction(raw: str | None) -> int | None:
    if raw is None or not raw.isdigit() or len(raw) > 13:
        return None
    value = int(raw)
    return value if value <= MAX_PREDICTION else None


@dataclass(frozen=True, slots=True)
class Graded:
    correct: int
    total: int
    answers: list[list[int]]  # per position: chosen original choice indices
    marks: str  # per position: "1" right, "0" wrong or blank
    prediction: int | None


def grade(
    paper: Sequence[Sequence],
    saved: Mapping[str, str],
    keys: Mapping[int, frozenset[int]],
) -> Graded:
    """Mark a paper. `keys` maps question id to its set of correct indices."""
    answers: list[list[int]] = []
    marks = []
    correct = 0
    for position, (question_id, order) in enumerate(paper):
        raw = saved.get(_POSITIONS[position] if position < 100 else str(position))
        if raw and len(raw) == 1 and raw.isdigit():  # one option: by far the common case
            index = int(raw)
            chosen = [int(order[index])] if index < len(order) else []
            key = keys.get(question_id)
            right = bool(chosen) and key is not None and len(key) == 1 and chosen[0] in key
        else:
            shown = parse_choices(raw)
            chosen = sorted(int(order[i]) for i in shown if i < len(order))
            right = bool(chosen) and frozenset(chosen) == keys.get(question_id)
        answers.append(chosen)
        marks.append("1" if right else "0")
        correct += right
    return Graded(
        correct=correct,
        total=len(paper),
        answers=answers,
        marks="".join(marks),
        prediction=parse_prediction(saved.get(PREDICTION_FIELD)),
    )


def is_late(deadline_ms: int, now_ms: int, grace_ms: int) -> bool:
    """The late rule: past the deadline and the network grace after it.

    Saves are refused then, and a submit counts the attempt as it stood at
    the deadline. Every path asks this function; the sweeper's query asks
    `late_before`, the same rule in the form a query can use.
    """
    return now_ms > deadline_ms + grace_ms


def late_before(now_ms: int, grace_ms: int) -> int:
    """Deadlines before this are late now (d < late_before(now, g) exactly when is_late)."""
    return now_ms - grace_ms


def time_used_ms(started_at_ms: int, submitted_at_ms: int, deadline_ms: int) -> int:
    """Server-measured time from start to submit, capped at the deadline.

    A submit that arrives inside the network grace after the deadline has
    not used more than the time allowed.
    """
    return max(0, min(submitted_at_ms, deadline_ms) - started_at_ms)
