"""Winners from a round's prize structure and the contest's tie-break order (to be completed)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WinnerRow:
    prize: str  # first, second, third, consolation
    rank: int
    entrant_id: int
    full_name: str
    phone: str
    citizen_id: str | None
    unit_path: str  # "Xã A, Huyện B, Tỉnh C" or the free text of "other"
    correct: int
    total: int
    time_used_ms: int
    prediction: int | None
    submitted_at_ms: int


def published_winners(round_id: int) -> list[WinnerRow]:
    """The winners as published (not revoked), in prize order."""
    raise NotImplementedError
