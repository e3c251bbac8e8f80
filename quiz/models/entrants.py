"""Entrants: residents who register with a few fields and take attempts.

There is no password. A returning phone number is the same entrant, who is
re-identified by phone and year of birth (what contests in the field do);
the phone is stored in one canonical form (0xxxxxxxxx) so "+84 912..." and
"0912..." are the same person.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.base import Base, UTCDateTime, utcnow
from quiz.models.units import Unit


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"


class Occupation(StrEnum):
    OFFICIAL = "official"  # cán bộ, công chức, viên chức
    ARMED_FORCES = "armed_forces"
    STUDENT = "student"
    FARMER = "farmer"
    WORKER = "worker"
    BUSINESS = "business"  # doanh nhân, lao động tự do
    RETIRED = "retired"
    OTHER = "other"


class Entrant(Base):
    __tablename__ = "entrants"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(10), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    birth_year: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(10))
    citizen_id: Mapped[str | None] = mapped_column(String(12), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Free text when the entrant's unit is not in the list ("Khác").
    unit_other: Mapped[str | None] = mapped_column(String(200))
    occupation: Mapped[str] = mapped_column(String(20))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Entrant {self.id}>"
