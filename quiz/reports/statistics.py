"""Statistics for organizers (to be completed): the signatures other areas rely on.

Each function answers from the database for one contest or round, restricted
to `unit_ids` when given (an organizer's scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class QuestionStat:
    question_id: int
    code: str
    topic: str
    text: str
    shown: int  # papers it appeared on (scored attempts)
    correct: int  # of which answered right
    share_correct: float  # correct / shown (0.0 when never shown)
    discrimination: float | None  # upper-minus-lower 27% groups; None with too few answers


@dataclass(frozen=True)
class UnitParticipation:
    unit_id: int
    code: str
    name: str
    full_name: str  # "Xã A, Huyện B, Tỉnh C"
    depth: int
    entrants: int  # distinct entrants of the unit and its descendants with a scored attempt
    attempts: int  # scored attempts
    population: int | None
    rate: float | None  # entrants / population, when the population is known


@dataclass(frozen=True)
class DayParticipation:
    day: date  # local date (Asia/Ho_Chi_Minh)
    entrants: int  # distinct entrants who submitted that day
    attempts: int


def question_stats(round_id: int) -> list[QuestionStat]:
    raise NotImplementedError


def participation_by_unit(
    contest_id: int, parent_unit_id: int | None = None, unit_ids: list[int] | None = None
) -> list[UnitParticipation]:
    """Children of `parent_unit_id` (the roots when None), each counting its subtree."""
    raise NotImplementedError


def participation_by_day(contest_id: int, unit_ids: list[int] | None = None) -> list[DayParticipation]:
    raise NotImplementedError
