"""Attendance, read from the check-in log: per session and point, absentees, period totals.

Every figure counts a delegate at most once per session: only first
check-ins (`sole`) are counted; conflicts are listed apart, never lost and
never counted twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from quiz.extensions import db
from quiz.models import CheckIn, Conference, ConnectionPoint, Delegate, ScanRefusal
from quiz.timeutil import LOCAL_TZ, to_ms
from quiz.units.tree import unit_tree

NO_POINT = 0  # the row of delegates without a connection point


@dataclass
class PointRow:
    point_id: int
    name: str
    expected: int = 0
    invited: int = 0
    present: int = 0
    late: int = 0
    absent: int = 0
    walk_ins: int = 0

    def add(self, other: PointRow) -> None:
        for name in ("expected", "invited", "present", "late", "absent", "walk_ins"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class SessionAttendance:
    session_id: int
    title: str
    starts_at: datetime
    rows: list[PointRow]
    total: PointRow


@dataclass
class Conflict:
    delegate: str
    session: str
    first_at: datetime
    first_point: str
    second_at: datetime
    second_point: str
    second_device: str


@dataclass
class Dashboard:
    sessions: list[SessionAttendance] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    refusals: dict[str, int] = field(default_factory=dict)


def first_checkins(conference_id: int) -> list[tuple]:
    """(session id, delegate id, point id, scanned at) of every first check-in."""
    return db.session.execute(
        select(CheckIn.session_id, CheckIn.delegate_id, CheckIn.point_id, CheckIn.scanned_at).where(
            CheckIn.conference_id == conference_id, CheckIn.sole.is_(True)
        )
    ).all()


def checked_in_count(session_id: int, point_id: int | None = None) -> int:
    """People checked in to a session so far (at one point, if given): first check-ins only."""
    query = select(func.count()).where(CheckIn.session_id == session_id, CheckIn.sole.is_(True))
    if point_id is not None:
        query = query.where(CheckIn.point_id == point_id)
    return db.session.scalar(query)


def _delegates(conference_id: int) -> list[tuple]:
    return db.session.execute(
        select(Delegate.id, Delegate.point_id, Delegate.is_walk_in).where(
            Delegate.conference_id == conference_id
        )
    ).all()


def dashboard(conference: Conference) -> Dashboard:
    delegates = _delegates(conference.id)
    by_session: dict[int, dict[int, tuple]] = defaultdict(dict)
    for session_id, delegate_id, point_id, at in first_checkins(conference.id):
        by_session[session_id][delegate_id] = (point_id, at)
    board = Dashboard()
    for session in conference.sessions:
        board.sessions.append(_session_rows(conference, session, delegates, by_session[session.id]))
    board.conflicts = conflicts(conference)
    board.refusals = dict(
        db.session.execute(
            select(ScanRefusal.reason, func.count())
            .where(ScanRefusal.conference_id == conference.id)
            .group_by(ScanRefusal.reason)
        ).all()
    )
    return board


def _session_rows(conference, session, delegates, checked: dict) -> SessionAttendance:
    rows = {p.id: PointRow(p.id, p.name, p.expected) for p in conference.points}
    rows[NO_POINT] = PointRow(NO_POINT, "")
    late_ms = to_ms(session.starts_at) + conference.late_after_minutes * 60_000
    for delegate_id, point_id, walk_in in delegates:
        own = rows.get(point_id or NO_POINT, rows[NO_POINT])
        if walk_in:
            own.walk_ins += delegate_id in checked
            continue
        own.invited += 1
        own.absent += delegate_id not in checked
    for point_id, at in checked.values():
        row = rows.get(point_id or NO_POINT, rows[NO_POINT])
        row.present += 1
        row.late += to_ms(at) > late_ms
    for row in rows.values():
        row.expected = row.expected or row.invited
    listed = [r for r in rows.values() if r.point_id != NO_POINT or r.invited or r.present]
    total = PointRow(-1, "")
    for row in listed:
        total.add(row)
    return SessionAttendance(session.id, session.title, session.starts_at, listed, total)


def conflicts(conference: Conference) -> list[Conflict]:
    names = dict(
        db.session.execute(
            select(Delegate.id, Delegate.full_name).where(Delegate.conference_id == conference.id)
        ).all()
    )
    sessions = {s.id: s.title for s in conference.sessions}
    points = {p.id: p.name for p in conference.points}
    second = db.aliased(CheckIn)
    rows = db.session.execute(
        select(CheckIn, second)
        .join(second, second.conflict_with_id == CheckIn.id)
        .where(CheckIn.conference_id == conference.id)
        .order_by(second.id)
    ).all()
    return [
        Conflict(
            names.get(first.delegate_id, ""),
            sessions.get(first.session_id, ""),
            first.scanned_at,
            points.get(first.point_id, ""),
            other.scanned_at,
            points.get(other.point_id, ""),
            other.device,
        )
        for first, other in rows
    ]


def absentees(conference: Conference, session_id: int) -> list[Delegate]:
    present = select(CheckIn.delegate_id).where(CheckIn.session_id == session_id)
    return list(
        db.session.scalars(
            select(Delegate)
            .where(
                Delegate.conference_id == conference.id,
                Delegate.is_walk_in.is_(False),
                Delegate.id.not_in(present),
            )
            .order_by(Delegate.point_id, Delegate.name_key)
        )
    )


# --- period summary per unit ------------------------------------------------------


@dataclass
class UnitSummary:
    unit_id: int
    name: str
    depth: int
    conferences: int
    attendances: int
    people: int


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time.min, LOCAL_TZ)
    end = datetime.combine(last + timedelta(days=1), time.min, LOCAL_TZ)
    return start, end


def period_summary(first: date, last: date, root_id: int | None) -> list[UnitSummary]:
    """Per unit of the subtree (figures include the units below it): conferences held
    there or attended there, attendances (a delegate once per session) and distinct
    people (by phone, else citizen ID), for conferences starting in [first, last]."""
    start, end = local_day_bounds(first, last)
    tree = unit_tree()
    paths = {n.id: n.path for n in tree.nodes()}
    conferences = db.session.execute(
        select(Conference.id, Conference.owner_unit_id).where(
            Conference.starts_at >= start, Conference.starts_at < end
        )
    ).all()
    owner = dict(conferences)
    held: dict[int, set] = defaultdict(set)
    visits: Counter = Counter()
    people: dict[int, set] = defaultdict(set)
    for conference_id, owner_id in conferences:
        for unit_id in _ancestors(paths.get(owner_id)):
            held[unit_id].add(conference_id)
    for conference_id, point_unit, delegate_id, phone, citizen_id in _attendances(list(owner)):
        person = phone or (f"id:{citizen_id}" if citizen_id else f"d:{delegate_id}")
        for unit_id in _ancestors(paths.get(point_unit or owner[conference_id])):
            held[unit_id].add(conference_id)
            visits[unit_id] += 1
            people[unit_id].add(person)
    rows = []
    for node in tree.subtree(root_id):
        if node.id == root_id or held.get(node.id):
            rows.append(
                UnitSummary(
                    node.id,
                    node.name,
                    node.depth,
                    len(held.get(node.id, ())),
                    visits[node.id],
                    len(people.get(node.id, ())),
                )
            )
    return rows


def _ancestors(path: str | None) -> list[int]:
    return [int(part) for part in (path or "").split("/") if part]


def _attendances(conference_ids: list[int]):
    if not conference_ids:
        return []
    return db.session.execute(
        select(
            CheckIn.conference_id,
            ConnectionPoint.unit_id,
            Delegate.id,
            Delegate.phone,
            Delegate.citizen_id,
        )
        .join(Delegate, Delegate.id == CheckIn.delegate_id)
        .outerjoin(ConnectionPoint, ConnectionPoint.id == CheckIn.point_id)
        .where(CheckIn.conference_id.in_(conference_ids), CheckIn.sole.is_(True))
    ).all()
