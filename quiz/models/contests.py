"""Contests and their rounds, with every rule a round can have."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.base import Base, UTCDateTime, utcnow


class CountingRule(StrEnum):
    """Which of an entrant's attempts in a round counts for the ranking."""

    BEST = "best"
    FIRST = "first"
    EARLIEST_FULL = "earliest_full"  # earliest fully correct; else the best


class Visibility(StrEnum):
    """When the entrant sees their score (or the correct answers)."""

    IMMEDIATELY = "immediately"
    AFTER_CLOSE = "after_close"
    NEVER = "never"


class PredictionReference(StrEnum):
    """What the tie-break prediction question asks the entrant to guess."""

    FULL_CORRECT_ENTRANTS = "full_correct_entrants"
    ENTRANTS = "entrants"
    ATTEMPTS = "attempts"


# The prizes a round can give, highest first: the keys of Round.prizes.
PRIZE_ORDER = ("first", "second", "third", "consolation")


class Contest(Base):
    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    rules: Mapped[str] = mapped_column(Text, default="")
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Tie-break keys in order; see quiz.scoring.ranking (the one place they mean anything).
    ranking_order: Mapped[list[str]] = mapped_column(JSON)
    is_published: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who may win (being allowed to play and being eligible are separate):
    # {"residents_only": bool, "require_citizen_id": bool, "one_prize_per_person": bool}
    prize_rules: Mapped[dict] = mapped_column(JSON, default=dict)
    is_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rounds: Mapped[list[Round]] = relationship(
        back_populates="contest", order_by="Round.number", lazy="selectin"
    )


class Round(Base):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("contest_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"))
    questions_per_attempt: Mapped[int] = mapped_column(Integer)
    time_limit_seconds: Mapped[int | None] = mapped_column(Integer)
    # {"topic": n}: n questions of that topic; the rest drawn from any topic.
    topic_quotas: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    max_attempts: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    counting_rule: Mapped[str] = mapped_column(String(20), default=CountingRule.BEST)
    show_score: Mapped[str] = mapped_column(String(20), default=Visibility.IMMEDIATELY)
    show_answers: Mapped[str] = mapped_column(String(20), default=Visibility.AFTER_CLOSE)
    min_age: Mapped[int | None] = mapped_column(Integer)
    prediction_reference: Mapped[str | None] = mapped_column(String(30))
    prediction_prompt: Mapped[str] = mapped_column(Text, default="")
    # Frozen when the round closes: the true value entrants tried to predict.
    prediction_value: Mapped[int | None] = mapped_column(BigInteger)
    is_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # {"first": 1, "second": 2, "third": 3, "consolation": 5}
    prizes: Mapped[dict] = mapped_column(JSON, default=dict)
    # {"first": 9, "second": 7}: fewest correct answers a prize needs (none: no minimum),
    # so that 1 right answer out of 3 never wins a second prize in a small round.
    prize_min_correct: Mapped[dict] = mapped_column(JSON, default=dict)
    # A participation certificate for every ranked entrant with at least this many
    # correct answers (0: everyone ranked); None: the round gives none.
    certificate_min_correct: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contest: Mapped[Contest] = relationship(back_populates="rounds", lazy="joined")

    def is_open_at(self, moment: datetime) -> bool:
        return (
            not self.is_paused
            and self.closed_at is None
            and self.starts_at <= moment < self.ends_at
        )
