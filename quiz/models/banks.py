"""Question banks and their questions.

A question row never changes once written: re-importing a code adds a new
version and retires the old one (`is_current = False`). Papers refer to
question ids, so every past attempt keeps exactly the text, choices and key
it was drawn with, and process-wide caches keyed by id never go stale.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from quiz.models.base import Base, UTCDateTime, utcnow

DIFFICULTY_LEVELS = (1, 2, 3)  # easy, medium, hard
MIN_CHOICES = 2
MAX_CHOICES = 6


class QuestionBank(Base):
    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Bumped by every import so web processes know their cached copy is old.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("bank_id", "code", "version"),
        Index("ix_questions_bank_current", "bank_id", "is_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"))
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    topic: Mapped[str] = mapped_column(String(100))
    difficulty: Mapped[int] = mapped_column(Integer, default=2)
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[str]] = mapped_column(JSON)
    # Indices into `choices` (0 = A); several when the question says so.
    correct: Mapped[list[int]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    # Options such as "Cả A và B đều đúng" only make sense in their printed
    # order: such a question is drawn without shuffling its choices.
    keep_choice_order: Mapped[bool] = mapped_column(Boolean, default=False)
    # Hash of the normalised text (NFC, folded case and spaces): duplicates.
    text_key: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Question {self.code} v{self.version}>"
