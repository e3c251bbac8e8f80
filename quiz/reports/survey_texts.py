"""Open answers of a survey (texts, and "other, please specify"), listed with search.

A page of fifty answers is one indexed query bounded by LIMIT, so this runs
in the console request; it reads committed responses only, never the
respondents' drafts or the Redis buffer, and shows no person, no time
and no respondent: an answer's unit is all it carries, as in the counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from quiz.extensions import db
from quiz.models.surveys import SurveyAnswer, SurveyQuestion, SurveyResponse
from quiz.text import drop_control, squash

PAGE_SIZE = 50
TEXT_KINDS = ("short_text", "long_text")
SEARCH_CHARS = 100


@dataclass(frozen=True)
class OpenAnswer:
    text: str
    unit_id: int | None


@dataclass(frozen=True)
class AnswerPage:
    answers: list[OpenAnswer]
    total: int  # answers matching the search, on every page
    page: int
    more: bool


def has_open_answers(question: SurveyQuestion) -> bool:
    """Text questions, and choices with "other, please specify"."""
    return question.kind in TEXT_KINDS or question.allow_other


def clean_search(raw: str | None) -> str:
    return squash(drop_control(raw or ""))[:SEARCH_CHARS]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def open_answers(
    question_id: int,
    *,
    search: str = "",
    unit_ids: Iterable[int] | None = None,
    filters: Mapping[str, str] | None = None,
    page: int = 1,
) -> AnswerPage:
    """One page of a question's non-empty texts, in the order they were stored.

    `unit_ids` limits to responses of those units (None: every response,
    those without a unit included); `search` matches anywhere in the text,
    in any case (PostgreSQL folds Vietnamese letters too; SQLite only ASCII).
    """
    conditions = [
        SurveyAnswer.question_id == question_id,
        SurveyAnswer.text.is_not(None),
        SurveyAnswer.text != "",
    ]
    if search:
        conditions.append(SurveyAnswer.text.ilike(f"%{_escape_like(search)}%", escape="\\"))
    conditions += _response_conditions(unit_ids, filters)
    base = select(SurveyAnswer.text, SurveyResponse.unit_id).join(
        SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id
    )
    page = max(1, page)
    rows = db.session.execute(
        base.where(*conditions)
        .order_by(SurveyAnswer.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    total = db.session.scalar(
        select(func.count())
        .select_from(SurveyAnswer)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(*conditions)
    )
    answers = [OpenAnswer(text, unit_id) for text, unit_id in rows[:PAGE_SIZE]]
    return AnswerPage(answers, total or 0, page, len(rows) > PAGE_SIZE)


def _response_conditions(unit_ids: Iterable[int] | None, filters: Mapping[str, str] | None):
    conditions = []
    if unit_ids is not None:
        conditions.append(SurveyResponse.unit_id.in_(list(unit_ids)))
    for name, value in (filters or {}).items():
        conditions.append(getattr(SurveyResponse, name) == value)
    return conditions


def responses_count(
    survey_id: int,
    *,
    unit_ids: Iterable[int] | None = None,
    filters: Mapping[str, str] | None = None,
) -> int:
    """The survey's responses of those units and filters (as `open_answers` reads them)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey_id, *_response_conditions(unit_ids, filters))
        )
        or 0
    )
