"""Attempts (a drawn paper with its clock) and scores (one per attempt, ever).

Times on the hot path are integer milliseconds since the epoch, from the
server's clock: ranking compares them, and integers compare the same way on
every back end and in Redis.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from quiz.models.base import Base, BigId, UTCDateTime, utcnow


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        # The n-th attempt of an entrant in a round exists once: a double
        # click on "start" cannot draw two papers.
        UniqueConstraint("round_id", "entrant_id", "seq"),
        # The sweeper looks for attempts whose deadline just passed.
        Index("ix_attempts_deadline", "deadline_ms"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    entrant_id: Mapped[int] = mapped_column(ForeignKey("entrants.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    # [[question_id, "2031"], ...]: the question and the order its choices
    # were shown in (the string lists original choice indices).
    paper: Mapped[list] = mapped_column(JSON)
    started_at_ms: Mapped[int] = mapped_column(BigInteger)
    deadline_ms: Mapped[int] = mapped_column(BigInteger)
    # A random id kept in a long-lived cookie of the browser that started the
    # attempt: many entrants from one device is a sign of automated entries.
    device: Mapped[str | None] = mapped_column(String(32), index=True)
    # An attempt is scored when its score row exists: no status to keep in step.


class Score(Base):
    __tablename__ = "scores"
    __table_args__ = (Index("ix_scores_round_entrant", "round_id", "entrant_id"),)

    # The attempt is the key: the database itself makes scoring exactly-once,
    # whatever worker crashed and re-ran which batch.
    attempt_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("attempts.id"), primary_key=True, autoincrement=False
    )
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    entrant_id: Mapped[int] = mapped_column(ForeignKey("entrants.id"))
    seq: Mapped[int] = mapped_column(Integer)
    correct: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    time_used_ms: Mapped[int] = mapped_column(BigInteger)
    prediction: Mapped[int | None] = mapped_column(BigInteger)
    started_at_ms: Mapped[int] = mapped_column(BigInteger)
    submitted_at_ms: Mapped[int] = mapped_column(BigInteger)
    # True when the deadline passed and the saved answers were taken as final.
    auto_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Per paper position: the chosen original choice indices ([] = blank).
    answers: Mapped[list] = mapped_column(JSON)
    # Per paper position: "1" right, "0" wrong; for question statistics.
    marks: Mapped[str] = mapped_column(String(200))
    # Per paper position: milliseconds from start to the answer's last save
    # (None if never saved separately); answers faster than reading are suspicious.
    timings: Mapped[list | None] = mapped_column(JSON)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
