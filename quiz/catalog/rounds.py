"""A round's settings as an immutable snapshot, cached per process.

The hot path (start, save, submit, scoring) asks for a round's rules on
every request; reading them from the database each time would cost more
than the rest of the request. Each process keeps a snapshot for
ROUND_CACHE_SECONDS, so pausing a contest takes effect within seconds.

When the database cannot be reached (a restart, a failover) a process keeps
serving the snapshot it has, so entrants already playing, and those
starting a round this process has served, carry on: their attempts live in
Redis and are written to the database once it is back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from quiz.caches import cache_of, clear_all
from quiz.extensions import DATABASE_DOWN, db
from quiz.models import Contest, QuestionBank, Round
from quiz.models.contests import PRIZE_ORDER
from quiz.timeutil import to_ms

log = logging.getLogger(__name__)


def _stale_while_down(items: dict, key, exc: Exception, ttl: float):
    """The last snapshot of `key` when the database is down; re-raise without one.

    The stale copy is trusted for another `ttl` seconds so a down database
    is not asked again on every request.
    """
    cached = items.get(key)
    if cached is None:
        raise exc
    db.session.rollback()
    log.warning("database unavailable, serving the cached settings of %r: %s", key, exc)
    items[key] = (time.monotonic() + ttl, cached[1])
    return cached[1]


@dataclass(frozen=True, slots=True)
class RoundInfo:
    id: int
    number: int
    title: str
    contest_id: int
    contest_slug: str
    contest_title: str
    ranking_order: tuple[str, ...]
    contest_round_ids: tuple[int, ...]
    starts_at_ms: int
    ends_at_ms: int
    bank_id: int
    bank_revision: int
    questions_per_attempt: int
    time_limit_seconds: int | None
    topic_quotas: tuple[tuple[str, int], ...]
    max_attempts: int | None
    counting_rule: str
    show_score: str
    show_answers: str
    min_age: int | None
    prediction_reference: str | None
    prediction_prompt: str
    prediction_value: int | None
    paused: bool
    published: bool
    closed: bool
    # (("first", 1), ("second", 2), …) in prize order, and the fewest correct answers each needs.
    prizes: tuple[tuple[str, int], ...] = ()
    prize_min_correct: tuple[tuple[str, int], ...] = ()
    certificate_min_correct: int | None = None

    def is_open(self, now_ms: int) -> bool:
        return (
            self.published
            and not self.paused
            and not self.closed
            and self.starts_at_ms <= now_ms < self.ends_at_ms
        )

    def has_ended(self, now_ms: int) -> bool:
        return self.closed or now_ms >= self.ends_at_ms

    def deadline_for(self, started_at_ms: int) -> int:
        """An attempt ends at its time limit or at the round's end, whichever is first.

        Rounds end at a fixed hour everybody is told; an attempt started five
        minutes before the end has five minutes.
        """
        if self.time_limit_seconds is None:
            return self.ends_at_ms
        return min(started_at_ms + self.time_limit_seconds * 1000, self.ends_at_ms)

    @property
    def has_prediction(self) -> bool:
        return self.prediction_reference is not None


def snapshot(round_: Round, contest: Contest, bank: QuestionBank) -> RoundInfo:
    return RoundInfo(
        id=round_.id,
        number=round_.number,
        title=round_.title,
        contest_id=contest.id,
        contest_slug=contest.slug,
        contest_title=contest.title,
        ranking_order=tuple(contest.ranking_order),
        contest_round_ids=tuple(r.id for r in contest.rounds),
        starts_at_ms=to_ms(round_.starts_at),
        ends_at_ms=to_ms(round_.ends_at),
        bank_id=bank.id,
        bank_revision=bank.revision,
        questions_per_attempt=round_.questions_per_attempt,
        time_limit_seconds=round_.time_limit_seconds,
        topic_quotas=tuple(sorted((round_.topic_quotas or {}).items())),
        max_attempts=round_.max_attempts,
        counting_rule=round_.counting_rule,
        show_score=round_.show_score,
        show_answers=round_.show_answers,
        min_age=round_.min_age,
        prediction_reference=round_.prediction_reference,
        prediction_prompt=round_.prediction_prompt,
        prediction_value=round_.prediction_value,
        paused=round_.is_paused or contest.is_paused,
        published=contest.is_published,
        closed=round_.closed_at is not None,
        prizes=tuple(
            (name, int((round_.prizes or {}).get(name) or 0))
            for name in PRIZE_ORDER
            if (round_.prizes or {}).get(name)
        ),
        prize_min_correct=tuple(
            (name, int(round_.prize_min_correct[name]))
            for name in PRIZE_ORDER
            if (round_.prize_min_correct or {}).get(name)
        ),
        certificate_min_correct=round_.certificate_min_correct,
    )


class RoundCache:
    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._items: dict[int, tuple[float, RoundInfo]] = {}

    def peek(self, round_id: int) -> RoundInfo | None:
        """The cached snapshot if still fresh; never touches the database."""
        cached = self._items.get(round_id)
        return cached[1] if cached and cached[0] > time.monotonic() else None

    def get(self, round_id: int, fresh: bool = False) -> RoundInfo | None:
        now = time.monotonic()
        cached = self._items.get(round_id)
        if cached and not fresh and cached[0] > now:
            return cached[1]
        try:
            row = db.session.execute(
                select(Round, Contest, QuestionBank)
                .join(Contest, Round.contest_id == Contest.id)
                .join(QuestionBank, Round.bank_id == QuestionBank.id)
                .where(Round.id == round_id)
            ).first()
        except DATABASE_DOWN as exc:
            return _stale_while_down(self._items, round_id, exc, self.ttl)
        if row is None:
            return None
        info = snapshot(*row)
        self._items[round_id] = (now + self.ttl, info)
        return info

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def round_cache(app: Flask | None = None) -> RoundCache:
    return cache_of(RoundCache, app)


def clear_rounds() -> None:
    """Every process re-reads a round within ROUND_CACHE_SECONDS; this one at once."""
    round_cache().clear()


def get_round(round_id: int, fresh: bool = False) -> RoundInfo | None:
    return round_cache().get(round_id, fresh=fresh)


@dataclass(frozen=True, slots=True)
class ContestInfo:
    id: int
    slug: str
    title: str
    description: str
    rules: str
    published: bool
    paused: bool
    owner_unit_id: int | None
    round_ids: tuple[int, ...]
    prize_rules: dict


class ContestCache:
    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._items: dict[str, tuple[float, ContestInfo | None]] = {}

    def peek(self, slug: str) -> ContestInfo | None:
        cached = self._items.get(slug)
        return cached[1] if cached and cached[0] > time.monotonic() else None

    def get(self, slug: str) -> ContestInfo | None:
        now = time.monotonic()
        cached = self._items.get(slug)
        if cached and cached[0] > now:
            return cached[1]
        try:
            info = self._load(slug)
        except DATABASE_DOWN as exc:
            return _stale_while_down(self._items, slug, exc, self.ttl)
        self._items[slug] = (now + self.ttl, info)
        return info

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    @staticmethod
    def _load(slug: str) -> ContestInfo | None:
        contest = db.session.scalar(select(Contest).where(Contest.slug == slug))
        info = None
        if contest is not None:
            info = ContestInfo(
                id=contest.id,
                slug=contest.slug,
                title=contest.title,
                description=contest.description,
                rules=contest.rules,
                published=contest.is_published,
                paused=contest.is_paused,
                owner_unit_id=contest.owner_unit_id,
                round_ids=tuple(r.id for r in contest.rounds),
                prize_rules=dict(contest.prize_rules or {}),
            )
        return info


def contest_cache(app: Flask | None = None) -> ContestCache:
    return cache_of(ContestCache, app)


def clear_contests() -> None:
    contest_cache().clear()


def get_contest(slug: str) -> ContestInfo | None:
    return contest_cache().get(slug)


def round_numbered(
    contest: ContestInfo, number: int, lookup: Callable[[int], RoundInfo | None] = get_round
) -> RoundInfo | None:
    """The contest's round with this number, the one lookup every path makes.

    `lookup` reads a round's snapshot: `get_round` by default; the fast path
    passes the cache's `peek`, which never touches the database.
    """
    for round_id in contest.round_ids:
        info = lookup(round_id)
        if info is not None and info.number == number:
            return info
    return None


def clear_caches() -> None:
    """Forget every cached snapshot of this process (after organizer changes, and in tests)."""
    clear_all()


def published_contests() -> list[Contest]:
    return list(
        db.session.scalars(
            select(Contest).where(Contest.is_published.is_(True)).order_by(Contest.id.desc())
        )
    )
