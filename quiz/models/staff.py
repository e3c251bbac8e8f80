"""Staff accounts (organizers, viewers, administrators) and the audit log.

An account belongs to a unit and sees that unit and everything below it;
administrators see everything. Passwords are stored as hashes only.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

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

    unit: Mapped[Unit | None] = relationship(lazy="joined")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

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
