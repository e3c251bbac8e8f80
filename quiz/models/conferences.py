"""Conferences: sessions, connection points, delegates, documents and the check-in log.

Attendance is a log, never a flag on the delegate: each accepted check-in is
a row naming the delegate, the session, the connection point, the time it
happened (the scanning device's clock for scans queued offline), the method
and the staff device. Multi-session attendance and per-point counts are then
plain GROUP BYs over one table. Refused scans go to a table of their own,
so the attendance log holds nothing but attendance.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.base import Base, BigId, UTCDateTime, utcnow


class CheckInMethod(StrEnum):
    PERSONAL_QR = "personal_qr"  # the delegate's invitation or badge, read by staff
    VENUE_QR = "venue_qr"  # the rotating code on the projector, read by the attendee
    CITIZEN_QR = "citizen_qr"  # the QR of a chip citizen-ID card, read by staff
    MANUAL = "manual"  # staff picked the name from a search


class Reason(StrEnum):
    """The fixed outcome codes of a scan: the API, the log and the result card use them."""

    CHECKED_IN = "checked_in"
    CONFLICT = "conflict"  # recorded, but the same delegate was checked in elsewhere
    ALREADY = "already_checked_in"
    NOT_INVITED = "not_invited"
    WRONG_CONFERENCE = "wrong_conference"
    FORGED = "forged"
    EXPIRED = "expired"
    OUTSIDE_WINDOW = "outside_window"
    UNREADABLE = "unreadable"


ACCEPTED = (Reason.CHECKED_IN, Reason.CONFLICT)


class Conference(Base):
    __tablename__ = "conferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    agenda: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(300), default="")
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    allow_walk_ins: Mapped[bool] = mapped_column(Boolean, default=False)
    # A contest round attendees take after the session, already identified.
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"))
    # Check-in to a session opens this long before it starts and closes at its end.
    checkin_opens_minutes: Mapped[int] = mapped_column(Integer, default=60)
    # Arriving this long after a session started counts as late.
    late_after_minutes: Mapped[int] = mapped_column(Integer, default=10)
    # Salts the token hashes in the offline list a scanning device downloads.
    salt: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sessions: Mapped[list[ConferenceSession]] = relationship(
        order_by="ConferenceSession.starts_at", cascade="all, delete-orphan"
    )
    points: Mapped[list[ConnectionPoint]] = relationship(
        order_by="ConnectionPoint.name", cascade="all, delete-orphan"
    )


class ConferenceSession(Base):
    """A sitting of a conference (a morning, a day); attendance is counted per session."""

    __tablename__ = "conference_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ConnectionPoint(Base):
    """A connection point ("điểm cầu"): a hall linked to the conference, or the main hall."""

    __tablename__ = "conference_points"
    __table_args__ = (UniqueConstraint("conference_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    expected: Mapped[int] = mapped_column(Integer, default=0)
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")


class Delegate(Base):
    """Someone invited (or a walk-in who registered at the door) for one conference.

    `secret` is the opaque random part of the personal QR code (128 bits,
    base32); the code is useless without it and it is unique across all
    conferences, so a scan finds its delegate with one indexed lookup.
    """

    __tablename__ = "conference_delegates"
    __table_args__ = (
        UniqueConstraint("conference_id", "phone"),
        UniqueConstraint("conference_id", "citizen_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(100))
    # The name folded (no accents, lower case) for "type part of your name".
    name_key: Mapped[str] = mapped_column(String(100), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # The unit as written on the list, kept when it matches no unit of the tree.
    unit_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(10))
    citizen_id: Mapped[str | None] = mapped_column(String(12))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    gender: Mapped[str | None] = mapped_column(String(10))
    point_id: Mapped[int | None] = mapped_column(ForeignKey("conference_points.id"))
    secret: Mapped[str] = mapped_column(String(32), unique=True)
    is_walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConferenceDocument(Base):
    """An uploaded PDF, DOCX or XLSX, stored under the instance folder by a random name."""

    __tablename__ = "conference_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))  # as uploaded, for the download
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # pdf, docx, xlsx
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckIn(Base):
    """One accepted check-in.

    `sole` is True for a delegate's first check-in to a session and NULL for
    a conflicting one (an offline device at another door checked the same
    delegate in): the unique key (session, delegate, sole) lets the database
    refuse a second "first" check-in from a race, while conflicts are kept,
    each pointing at the check-in it conflicts with.
    """

    __tablename__ = "conference_checkins"
    __table_args__ = (
        UniqueConstraint("conference_id", "nonce"),
        UniqueConstraint("session_id", "delegate_id", "sole"),
        Index("ix_conference_checkins_delegate_id", "delegate_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"))
    session_id: Mapped[int] = mapped_column(ForeignKey("conference_sessions.id"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey("conference_delegates.id"))
    point_id: Mapped[int | None] = mapped_column(ForeignKey("conference_points.id"))
    method: Mapped[str] = mapped_column(String(20))
    device: Mapped[str] = mapped_column(String(40), default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    nonce: Mapped[str] = mapped_column(String(64))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it happened
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the server heard of it
    sole: Mapped[bool | None] = mapped_column(Boolean)
    conflict_with_id: Mapped[int | None] = mapped_column(ForeignKey("conference_checkins.id"))


class ScanRefusal(Base):
    """A scan that checked nobody in, with its reason code (no personal data kept)."""

    __tablename__ = "conference_scan_refusals"
    __table_args__ = (UniqueConstraint("conference_id", "nonce"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("conference_sessions.id"))
    delegate_id: Mapped[int | None] = mapped_column(ForeignKey("conference_delegates.id"))
    point_id: Mapped[int | None] = mapped_column(ForeignKey("conference_points.id"))
    reason: Mapped[str] = mapped_column(String(30))
    method: Mapped[str] = mapped_column(String(20))
    device: Mapped[str] = mapped_column(String(40), default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    nonce: Mapped[str | None] = mapped_column(String(64))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
