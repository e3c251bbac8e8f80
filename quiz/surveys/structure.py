"""A survey's questions as an immutable snapshot, cached per process.

Saving and submitting check every answer against the survey's questions;
reading them from the database on each request would make the busiest
requests wait on it. Each process keeps a snapshot for SURVEY_CACHE_SECONDS
(edits in the console clear it at once in that process), so the fast path
answers from memory and Redis only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select

from quiz.caches import cache_of
from quiz.extensions import db
from quiz.models.surveys import OptionRole, QuestionKind, Survey
from quiz.timeutil import to_ms

CACHE_SECONDS = 30
CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE})


@dataclass(frozen=True, slots=True)
class OptionInfo:
    id: int
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Condition:
    """Shown only if question `question_id` was answered with `value` (code or label)."""

    question_id: int
    value: str


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    id: int
    code: str
    kind: str
    text: str
    required: bool
    section_id: int
    options: tuple[OptionInfo, ...]  # choices, or a scale's / grid's points
    rows: tuple[OptionInfo, ...]  # a grid's rows
    max_choices: int | None
    allow_other: bool
    min_value: float | None
    max_value: float | None
    condition: Condition | None
    # For checking answers without building them per field: the options' ids as a
    # form sends them ("other" included where allowed), and the grid's row ids.
    option_keys: frozenset[str] = frozenset()
    row_ids: frozenset[int] = frozenset()
    # Its form field ("q12") and, for a grid, its rows' ("q12_r5", ...), named once.
    field: str = ""
    row_fields: tuple[str, ...] = ()

    def option(self, option_id: int) -> OptionInfo | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True, slots=True)
class SectionInfo:
    id: int
    title: str
    condition: Condition | None
    question_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SurveyInfo:
    id: int
    slug: str
    title: str
    introduction: str
    unit_id: int
    audience: str
    anonymous: bool
    conference_id: int | None
    per_device_limit: int
    salt: str
    opens_at_ms: int
    closes_at_ms: int
    sections: tuple[SectionInfo, ...]
    questions: dict[int, QuestionInfo]
    # Every field name a valid form may send ("q12", "q12_other", "q13_r4") and what it
    # answers: (question, "other" or None, grid row id or None). Reading a field is then
    # one dict lookup, not a pattern match (quiz.surveys.answers keeps the pattern for the
    # names not here, to say precisely what is wrong with them).
    fields: dict[str, tuple[QuestionInfo, str | None, int | None]] = field(default_factory=dict)
    # The fields answered by picking one of their question's `option_keys` (a single
    # choice, a scale, a grid's row): one such value is valid and kept exactly as sent, so
    # most of a submit's fields are read without parsing (quiz.surveys.answers.parse_form).
    picks: dict[str, QuestionInfo] = field(default_factory=dict)

    def is_open_at(self, now_ms: int) -> bool:
        return self.opens_at_ms <= now_ms < self.closes_at_ms

    def ordered_questions(self) -> list[QuestionInfo]:
        return [self.questions[q] for s in self.sections for q in s.question_ids]


def _condition(question_id: int | None, value: str | None) -> Condition | None:
    return Condition(question_id, value or "") if question_id else None


def _question_info(question) -> QuestionInfo:
    def infos(role: str) -> tuple[OptionInfo, ...]:
        return tuple(OptionInfo(o.id, o.value, o.label) for o in question.options if o.role == role)

    kind = question.kind
    points = infos(OptionRole.OPTION if kind in ("single", "multiple") else OptionRole.POINT)
    rows = infos(OptionRole.ROW)
    keys = {str(o.id) for o in points} | ({"other"} if question.allow_other else set())
    return QuestionInfo(
        id=question.id,
        code=question.code,
        kind=kind,
        text=question.text,
        required=question.required,
        section_id=question.section_id,
        options=points,
        rows=rows,
        max_choices=question.max_choices,
        allow_other=question.allow_other,
        min_value=question.min_value,
        max_value=question.max_value,
        condition=_condition(question.show_if_question_id, question.show_if_value),
        option_keys=frozenset(keys),
        row_ids=frozenset(r.id for r in rows),
        field=f"q{question.id}",
        row_fields=tuple(f"q{question.id}_r{r.id}" for r in rows),
    )


def _field_names(questions: dict[int, QuestionInfo]) -> dict:
    names: dict[str, tuple[QuestionInfo, str | None, int | None]] = {}
    for question in questions.values():
        name = question.field
        if question.kind == QuestionKind.GRID:  # a grid is answered per row, never as a whole
            rows = zip(question.row_fields, question.rows, strict=True)
            names.update({field: (question, None, row.id) for field, row in rows})
            continue
        names[name] = (question, None, None)
        if question.allow_other:
            names[f"{name}_other"] = (question, "other", None)
    return names


PICKED = frozenset({QuestionKind.SINGLE, QuestionKind.SCALE})


def _picks(fields: dict) -> dict[str, QuestionInfo]:
    return {
        name: question
        for name, (question, other, row_id) in fields.items()
        if not other and (row_id is not None or question.kind in PICKED)
    }


def load_survey(survey: Survey) -> SurveyInfo:
    """The snapshot of a survey as the database holds it now."""
    questions = {q.id: _question_info(q) for q in survey.questions}
    sections = tuple(
        SectionInfo(
            s.id,
            s.title,
            _condition(s.show_if_question_id, s.show_if_value),
            tuple(q.id for q in survey.questions if q.section_id == s.id),
        )
        for s in survey.sections
    )
    return SurveyInfo(
        id=survey.id,
        slug=survey.slug,
        title=survey.title,
        introduction=survey.introduction,
        unit_id=survey.unit_id,
        audience=survey.audience,
        anonymous=survey.anonymous,
        conference_id=survey.conference_id,
        per_device_limit=max(1, survey.per_device_limit or 1),
        salt=survey.salt,
        opens_at_ms=to_ms(survey.opens_at),
        closes_at_ms=to_ms(survey.closes_at),
        sections=sections,
        questions=questions,
        fields=(fields := _field_names(questions)),
        picks=_picks(fields),
    )


class SurveyCache:
    """Snapshots by id and ids by slug; `peek` never reads the database (the fast path's)."""

    def __init__(self) -> None:
        self.items: dict[int, tuple[float, SurveyInfo]] = {}
        self.slugs: dict[str, int] = {}

    def peek(self, survey_id: int) -> SurveyInfo | None:
        held = self.items.get(survey_id)
        return held[1] if held and held[0] > time.monotonic() else None

    def get(self, survey_id: int) -> SurveyInfo | None:
        info = self.peek(survey_id)
        if info is None:
            survey = db.session.get(Survey, survey_id)
            if survey is None:
                return None
            info = self.put(load_survey(survey))
        return info

    def by_slug(self, slug: str) -> SurveyInfo | None:
        survey_id = self.slugs.get(slug)
        if survey_id is None:
            survey_id = db.session.scalar(select(Survey.id).where(Survey.slug == slug))
            if survey_id is None:
                return None
        return self.get(survey_id)

    def put(self, info: SurveyInfo) -> SurveyInfo:
        self.items[info.id] = (time.monotonic() + CACHE_SECONDS, info)
        self.slugs[info.slug] = info.id
        return info

    def clear(self) -> None:
        self.items.clear()
        self.slugs.clear()

    def __len__(self) -> int:
        return len(self.items)


def survey_cache(app: Flask | None = None) -> SurveyCache:
    return cache_of(SurveyCache, app)


def clear_surveys() -> None:
    """The one invalidation of survey snapshots: every console edit calls it."""
    survey_cache().clear()
