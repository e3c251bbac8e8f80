"""A survey's questionnaire to and from the template's plain data, in the database.

Importing replaces the whole questionnaire (sections, questions, options)
in one transaction, and only while nobody has answered: a response refers
to question and option ids, so changing them under it would change what
it says. The caller commits (or rolls back).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, exists, select, update

from quiz.extensions import db
from quiz.models.surveys import (
    Survey,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
    SurveySection,
)
from quiz.surveys.sheet_spec import SheetOption, SheetQuestion, SheetSection, SheetSurvey
from quiz.surveys.store import store_for


@dataclass(frozen=True)
class SheetImportSummary:
    sections: int
    questions: int
    options: int


def has_responses(survey_id: int) -> bool:
    """Whether anyone answered: in the database, or accepted and still queued in Redis (a
    questionnaire replaced under a queued response would drop its answers at the drain)."""
    written = db.session.scalar(select(exists().where(SurveyResponse.survey_id == survey_id)))
    return bool(written) or store_for().anyone_submitted(survey_id)


def _clear(survey: Survey) -> None:
    question_ids = select(SurveyQuestion.id).where(SurveyQuestion.survey_id == survey.id)
    db.session.execute(delete(SurveyOption).where(SurveyOption.question_id.in_(question_ids)))
    db.session.execute(
        update(SurveyQuestion)
        .where(SurveyQuestion.survey_id == survey.id)
        .values(show_if_question_id=None)
    )
    db.session.execute(delete(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id))
    db.session.execute(delete(SurveySection).where(SurveySection.survey_id == survey.id))
    db.session.expire(survey, ["sections", "questions"])


def apply_survey_sheet(survey: Survey, sheet: SheetSurvey) -> SheetImportSummary:
    """Replace the survey's questionnaire with the sheet's. Raises ValueError if answered."""
    if has_responses(survey.id):
        raise ValueError(f"survey {survey.id} has responses; its questions cannot be replaced")
    _clear(survey)
    by_code: dict[str, SurveyQuestion] = {}
    conditions: list[tuple[object, SheetSection | SheetQuestion]] = []
    position = options = 0
    for index, part in enumerate(sheet.sections):
        section = SurveySection(survey_id=survey.id, position=index, title=part.title)
        db.session.add(section)
        db.session.flush()
        conditions.append((section, part))
        for item in part.questions:
            question = _question(survey.id, section.id, position, item)
            db.session.add(question)
            position, options = position + 1, options + len(item.options)
            by_code[item.code] = question
            conditions.append((question, item))
    db.session.flush()
    for target, item in conditions:  # conditions name earlier questions, now with ids
        if item.show_if_code:
            target.show_if_question_id = by_code[item.show_if_code].id
            target.show_if_value = item.show_if_value
    db.session.flush()
    db.session.expire(survey, ["sections", "questions"])
    return SheetImportSummary(len(sheet.sections), position, options)


def _question(survey_id: int, section_id: int, position: int, item: SheetQuestion):
    return SurveyQuestion(
        survey_id=survey_id,
        section_id=section_id,
        position=position,
        code=item.code,
        kind=item.kind,
        text=item.text,
        required=item.required,
        max_choices=item.max_choices,
        allow_other=item.allow_other,
        min_value=item.min_value,
        max_value=item.max_value,
        options=[
            SurveyOption(position=n, value=o.value, label=o.label, role=o.role)
            for n, o in enumerate(item.options)
        ],
    )


def survey_to_sheet(survey: Survey) -> SheetSurvey:
    """The survey's questionnaire as the template's plain data (what the export writes)."""
    codes = {q.id: q.code for q in survey.questions}
    sections = []
    for section in survey.sections:
        sections.append(
            SheetSection(
                section.title,
                codes.get(section.show_if_question_id, "") if section.show_if_question_id else "",
                (section.show_if_value or "") if section.show_if_question_id else "",
            )
        )
        for q in (q for q in survey.questions if q.section_id == section.id):
            sections[-1].questions.append(
                SheetQuestion(
                    q.code, q.kind, q.text, q.required, q.max_choices, q.allow_other,
                    q.min_value, q.max_value,
                    codes.get(q.show_if_question_id, "") if q.show_if_question_id else "",
                    (q.show_if_value or "") if q.show_if_question_id else "",
                    [SheetOption(o.value, o.label, o.role) for o in q.options],
                )
            )  # fmt: skip
    return SheetSurvey(sections)
