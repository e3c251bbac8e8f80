"""Creating and changing conferences, their sessions and connection points.

Functions flush and never commit: the view commits once. Each change
forgets the cached snapshot so this process's check-ins see it at once.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from quiz.conferences.snapshot import forget
from quiz.conferences.tokens import new_salt
from quiz.extensions import db
from quiz.models import CheckIn, Conference, ConferenceSession, ConnectionPoint, ScanRefusal
from quiz.text import squash


class SetupError(ValueError):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise SetupError(_l("The end must come after the start."))


def create_conference(values: dict, staff_id: int | None) -> Conference:
    """A conference with one session spanning it (most have just one)."""
    _check_times(values["starts_at"], values["ends_at"])
    conference = Conference(salt=new_salt(), created_by=staff_id, **values)
    db.session.add(conference)
    db.session.flush()
    add_session(conference, _l("Plenary session"), values["starts_at"], values["ends_at"])
    return conference


def update_conference(conference: Conference, values: dict) -> None:
    _check_times(values["starts_at"], values["ends_at"])
    for name, value in values.items():
        setattr(conference, name, value)
    db.session.flush()
    forget(conference.id)


def add_session(conference: Conference, title, starts_at: datetime, ends_at: datetime):
    _check_times(starts_at, ends_at)
    session = ConferenceSession(
        conference_id=conference.id, title=squash(str(title)), starts_at=starts_at, ends_at=ends_at
    )
    conference.sessions.append(session)
    db.session.flush()
    forget(conference.id)
    return session


def _used(column, value) -> bool:
    for model in (CheckIn, ScanRefusal):
        found = db.session.scalar(
            select(func.count()).select_from(model).where(getattr(model, column) == value)
        )
        if found:
            return True
    return False


def delete_session(conference: Conference, session: ConferenceSession) -> None:
    if len(conference.sessions) == 1:
        raise SetupError(_l("A conference keeps at least one session."))
    if _used("session_id", session.id):
        raise SetupError(_l("People have checked in to this session; it cannot be deleted."))
    conference.sessions.remove(session)
    db.session.flush()
    forget(conference.id)


def add_point(conference: Conference, values: dict) -> ConnectionPoint:
    name = squash(values.pop("name"))
    if any(p.name.casefold() == name.casefold() for p in conference.points):
        raise SetupError(_l("This conference already has a connection point of that name."))
    point = ConnectionPoint(conference_id=conference.id, name=name, **values)
    conference.points.append(point)
    db.session.flush()
    forget(conference.id)
    return point


def delete_point(conference: Conference, point: ConnectionPoint) -> None:
    if _used("point_id", point.id):
        raise SetupError(_l("Check-ins were made at this point; it cannot be deleted."))
    from quiz.models import Delegate

    db.session.execute(
        db.update(Delegate).where(Delegate.point_id == point.id).values(point_id=None)
    )
    conference.points.remove(point)
    db.session.flush()
    forget(conference.id)
