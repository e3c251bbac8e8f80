"""Staff accounts (organizers, viewers, administrators) and the audit log.

An account belongs to a unit and sees that unit and everything below it;
administrators see everything. Passwords are stored as hashes only.

Every session of an account carries the account's session version (see
`Staff.get_id`); raising the version ends them all at once, copied cookies
included. Signing out, a new password, deactivation and a change of role
or unit raise it.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from functools import cache

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from quiz.models.base import Base, BigId, UTCDateTime, utcnow
from quiz.models.units import Unit


class Role(StrEnum):
    ADMIN = "admin"  # everything, every unit
    ORGANIZER = "organizer"  # contests, banks, results of their unit and below
    VIEWER = "viewer"  # read-only statistics of their unit and below


class Staff(UserMixin, Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    unit: Mapped[Unit | None] = relationship(lazy="joined")

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: the id and the session version.

        The user loader (quiz/console/access.py) refuses a version that is no
        longer the account's, so a cookie signed before the last sign-out,
        password or access change opens nothing, wherever it was copied to.
        """
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """End every session of the account (on its next request, on every device).

        Incremented in SQL, so two changes at once cannot both write the same
        new version and leave a session signed in between them alive.
        """
        if self.id is not None:  # an account not yet saved has no session
            self.session_version = Staff.session_version + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def set_access(self, role: str, unit_id: int | None, active: bool) -> bool:
        """Set what the account may do; True if that changed and ended its sessions.

        A session must not keep rights the account lost (or see with rights
        it was not signed in with), so any change signs the account out.
        """
        changed = (role, unit_id, active) != (self.role, self.unit_id, self.is_active_account)
        self.role, self.unit_id, self.is_active_account = role, unit_id, active
        if changed:
            self.end_sessions()
        return changed

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.ADMIN, Role.ORGANIZER)

    @property
    def scope_path(self) -> str | None:
        """Unit path this account may see below; None means everything."""
        if self.is_admin:
            return None
        return self.unit.path if self.unit else "/-none-/"


def verify_password(staff: Staff | None, password: str) -> bool:
    """Whether `password` is the account's, taking as long for a name that does not exist.

    Without an account, a dummy hash made the same way (method and cost) is
    checked instead, so the time of a refusal does not tell which names
    exist. The dummy is made on the first check of any sign-in in the
    process, whatever the name, so even that first answer tells nothing.
    """
    dummy = _dummy_hash()
    if staff is None:
        check_password_hash(dummy, password)
        return False
    return check_password_hash(staff.password_hash, password)


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


class AuditEvent(Base):
    """A sensitive action: imports, exports of personal data, changes to running contests."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(120), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(64), default="")

    staff: Mapped[Staff | None] = relationship(lazy="joined")
