"""What organizers decide after scoring: disqualifications and published winners."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quiz.models.base import Base, UTCDateTime, utcnow


class Disqualification(Base):
    """An entrant excluded from a round's ranking and prizes, with the reason."""

    __tablename__ = "disqualifications"
    __table_args__ = (UniqueConstraint("round_id", "entrant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    entrant_id: Mapped[int] = mapped_column(ForeignKey("entrants.id"))
    reason: Mapped[str] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Winner(Base):
    """A prize as published: frozen so later changes do not move it silently."""

    __tablename__ = "winners"
    __table_args__ = (UniqueConstraint("round_id", "entrant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    entrant_id: Mapped[int] = mapped_column(ForeignKey("entrants.id"), index=True)
    prize: Mapped[str] = mapped_column(String(20))  # first, second, third, consolation
    rank: Mapped[int] = mapped_column(Integer)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
