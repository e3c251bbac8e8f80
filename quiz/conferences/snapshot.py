"""A conference as the check-in path needs it, cached per process for a few seconds.

Every scan needs the conference's sessions, windows and points; reading
them once per process every few seconds keeps a check-in to the queries
that touch the delegate. Changes made in the console show within
CACHE_SECONDS in every process (at once in the one that made them).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from quiz.caches import cache_of
from quiz.extensions import db
from quiz.models import Conference
from quiz.timeutil import to_ms

CACHE_SECONDS = 5
MAX_ID = 2**31 - 1  # ids are 32-bit integers: a larger one names nothing
MINUTE_MS = 60_000


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: int
    title: str
    starts_ms: int
    ends_ms: int
    opens_ms: int  # check-in opens

    def is_open_at(self, ms: int) -> bool:
        return self.opens_ms <= ms <= self.ends_ms


@dataclass(frozen=True, slots=True)
class PointInfo:
    id: int
    name: str
    unit_id: int | None


@dataclass(frozen=True)
class ConferenceInfo:
    id: int
    title: str
    owner_unit_id: int | None
    salt: str
    starts_ms: int
    ends_ms: int
    allow_walk_ins: bool
    late_after_ms: int
    round_id: int | None
    sessions: tuple[SessionInfo, ...]
    points: dict[int, PointInfo] = field(default_factory=dict)

    def session(self, session_id: int | None) -> SessionInfo | None:
        return next((s for s in self.sessions if s.id == session_id), None)

    def point_name(self, point_id: int | None) -> str:
        point = self.points.get(point_id) if point_id is not None else None
        return point.name if point else ""

    @property
    def last_end_ms(self) -> int:
        return max([s.ends_ms for s in self.sessions] + [self.ends_ms])

    def session_at(self, ms: int) -> SessionInfo | None:
        """The session a check-in at this moment belongs to.

        Windows may overlap (the afternoon opens while the morning runs):
        the session already under way wins, else the next to start.
        """
        open_now = [s for s in self.sessions if s.is_open_at(ms)]
        started = [s for s in open_now if s.starts_ms <= ms]
        if started:
            return max(started, key=lambda s: s.starts_ms)
        return min(open_now, key=lambda s: s.starts_ms, default=None)


def build(conference: Conference) -> ConferenceInfo:
    opens = conference.checkin_opens_minutes * MINUTE_MS
    return ConferenceInfo(
        id=conference.id,
        title=conference.title,
        owner_unit_id=conference.owner_unit_id,
        salt=conference.salt,
        starts_ms=to_ms(conference.starts_at),
        ends_ms=to_ms(conference.ends_at),
        allow_walk_ins=conference.allow_walk_ins,
        late_after_ms=conference.late_after_minutes * MINUTE_MS,
        round_id=conference.round_id,
        sessions=tuple(
            SessionInfo(
                s.id, s.title, to_ms(s.starts_at), to_ms(s.ends_at), to_ms(s.starts_at) - opens
            )
            for s in conference.sessions
        ),
        points={p.id: PointInfo(p.id, p.name, p.unit_id) for p in conference.points},
    )


class ConferenceCache:
    def __init__(self) -> None:
        self._items: dict[int, tuple[float, ConferenceInfo]] = {}

    def get(self, conference_id: int) -> ConferenceInfo | None:
        if not 0 < conference_id <= MAX_ID:
            return None
        cached = self._items.get(conference_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        conference = db.session.get(Conference, conference_id)
        if conference is None:
            return None
        info = build(conference)
        self._items[conference_id] = (time.monotonic() + CACHE_SECONDS, info)
        return info

    def forget(self, conference_id: int) -> None:
        self._items.pop(conference_id, None)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def conference_cache() -> ConferenceCache:
    return cache_of(ConferenceCache)


def conference_info(conference_id: int) -> ConferenceInfo | None:
    return conference_cache().get(conference_id)


def forget(conference_id: int) -> None:
    """The one invalidation of a conference's snapshot: after an edit, this
    process reads it again at once (the others within CACHE_SECONDS)."""
    conference_cache().forget(conference_id)
