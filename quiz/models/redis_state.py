"""What the database remembers about the main Redis: reserved attempt ids, checks, losses.

Redis holds attempts, answers and submissions until workers copy them here;
the database is the authority that notices when Redis forgot something
(quiz/scoring/generation.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from quiz.models.base import Base, UTCDateTime, utcnow


class RedisState(Base):
    """One row (id 1): the attempt ids reserved so far, and the last check of Redis."""

    __tablename__ = "redis_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Random, written to Redis by every check: a Redis without it came back
    # empty, one with another generation holds another database's data.
    generation: Mapped[str] = mapped_column(String(32))
    # Above every attempt id Redis was ever allowed to hand out.
    ids_reserved: Mapped[int] = mapped_column(BigInteger, default=0)
    # Checks made so far, and the Redis process (run id) checked last.
    checks: Mapped[int] = mapped_column(Integer, default=0)
    checked_run_id: Mapped[str | None] = mapped_column(String(64))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RedisLoss(Base):
    """Redis came back empty or older than it was: when, how, and what it touches."""

    __tablename__ = "redis_losses"

    id: Mapped[int] = mapped_column(primary_key=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))  # empty, older, other
    redis_run_id: Mapped[str] = mapped_column(String(64))
    # The last attempt id Redis still knew, and the newest attempt in the database.
    redis_last_id: Mapped[int] = mapped_column(BigInteger)
    database_last_id: Mapped[int] = mapped_column(BigInteger)
    # Attempts in the database that the Redis copy never had (it went back before them).
    attempts_ahead: Mapped[int] = mapped_column(Integer)
    # Recently scored submissions whose receipt Redis no longer has.
    receipts_missing: Mapped[int] = mapped_column(Integer)
    # Attempts not scored yet: their saved answers and receipts were in Redis.
    # When Redis came back empty (or with another database's data) they are
    # void: nothing is left to score, and their entrants may start again.
    unscored_attempts: Mapped[int] = mapped_column(Integer)


class LostAttempt(Base):
    """An attempt Redis lost: never copied to the database, or copied but its answers
    gone (void). It is not scored, does not count towards the attempts allowed,
    and its entrant is told so and offered a new one."""

    __tablename__ = "lost_attempts"

    attempt_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    entrant_id: Mapped[int] = mapped_column(ForeignKey("entrants.id"), index=True)
    lost_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When its entrant came back to it and was told.
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
