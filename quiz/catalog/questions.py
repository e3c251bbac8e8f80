"""Questions as the hot path needs them, cached per process.

Question rows are immutable (a change is a new version with a new id), so
a question cached by id is never stale. The pool of current questions of a
bank is cached per bank revision, which every import bumps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from quiz.caches import cache_of
from quiz.extensions import db
from quiz.models import Question


@dataclass(frozen=True, slots=True)
class QuestionView:
    id: int
    code: str
    topic: str
    text: str
    choices: tuple[str, ...]
    correct: frozenset[int]
    explanation: str
    keep_choice_order: bool

    @property
    def multiple(self) -> bool:
        return len(self.correct) > 1


@dataclass(frozen=True, slots=True)
class Pool:
    """The current questions of one bank revision, grouped by topic."""

    revision: int
    ids: tuple[int, ...]
    by_topic: dict[str, tuple[int, ...]]


def _view(q: Question) -> QuestionView:
    return QuestionView(
        id=q.id,
        code=q.code,
        topic=q.topic,
        text=q.text,
        choices=tuple(q.choices),
        correct=frozenset(q.correct),
        explanation=q.explanation or "",
        keep_choice_order=q.keep_choice_order,
    )


class QuestionCache:
    def __init__(self) -> None:
        self.by_id: dict[int, QuestionView] = {}
        self.pools: dict[int, Pool] = {}
        self._keys: dict[int, frozenset[int]] | None = None

    def warm_pool(self, bank_id: int, revision: int) -> Pool | None:
        """The pool if this process already holds this revision (no database)."""
        pool = self.pools.get(bank_id)
        return pool if pool is not None and pool.revision == revision else None

    def pool(self, bank_id: int, revision: int) -> Pool:
        pool = self.pools.get(bank_id)
        if pool is not None and pool.revision == revision:
            return pool
        rows = db.session.scalars(
            select(Question)
            .where(Question.bank_id == bank_id, Question.is_current.is_(True))
            .order_by(Question.id)
        ).all()
        by_topic: dict[str, list[int]] = {}
        for row in rows:
            self.by_id[row.id] = _view(row)
            by_topic.setdefault(row.topic, []).append(row.id)
        pool = Pool(
            revision=revision,
            ids=tuple(row.id for row in rows),
            by_topic={topic: tuple(ids) for topic, ids in by_topic.items()},
        )
        self.pools[bank_id] = pool
        return pool

    def get_many(self, ids: Iterable[int]) -> dict[int, QuestionView]:
        wanted = set(ids)
        missing = [i for i in wanted if i not in self.by_id]
        if missing:
            for row in db.session.scalars(select(Question).where(Question.id.in_(missing))):
                self.by_id[row.id] = _view(row)
        return {i: self.by_id[i] for i in wanted if i in self.by_id}

    def keys(self, ids: Iterable[int]) -> dict[int, frozenset[int]]:
        return {i: q.correct for i, q in self.get_many(ids).items()}

    def all_keys(self, ids: Iterable[int]) -> dict[int, frozenset[int]]:
        """Correct options by question id, for every cached question plus `ids`.

        The scorer calls this once per batch and grades every paper against
        it, instead of building a small dictionary per paper.
        """
        missing = {i for i in ids if i not in self.by_id}
        if missing:
            self.get_many(missing)
            self._keys = None
        if getattr(self, "_keys", None) is None or len(self._keys) != len(self.by_id):
            self._keys = {i: q.correct for i, q in self.by_id.items()}
        return self._keys

    def clear(self) -> None:
        self.by_id.clear()
        self.pools.clear()
        self._keys = None

    def __len__(self) -> int:
        return len(self.by_id) + len(self.pools)


def question_cache_for(app: Flask) -> QuestionCache:
    return cache_of(QuestionCache, app)


def question_cache() -> QuestionCache:
    return cache_of(QuestionCache)


def clear_questions() -> None:
    """Questions never change (a change is a new id); pools follow bank revisions.
    Clearing only frees memory, or forgets a bank whose revision was not bumped."""
    question_cache().clear()
