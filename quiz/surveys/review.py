"""Responses flagged for review: bursts from one address on an open link.

A burst is flagged, never refused (carriers put many people behind one
address), and nothing is removed silently: the organizer reads the list and
keeps each response as genuine or discards it, as with the contest's review
list. A discarded response's answers go; its respondent row stays, so the
same device cannot answer again. Functions flush; the view commits.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from quiz.extensions import db
from quiz.models import SurveyAnswer, SurveyResponse

SHOWN = 200


def flagged_count(survey_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(SurveyResponse.survey_id == survey_id, SurveyResponse.flagged)
    )


def flagged_responses(survey_id: int) -> list[tuple[SurveyResponse, int]]:
    """The first SHOWN flagged responses with their number of answers, by date."""
    answers = (
        select(func.count())
        .where(SurveyAnswer.response_id == SurveyResponse.id)
        .correlate(SurveyResponse)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(SurveyResponse, answers)
        .where(SurveyResponse.survey_id == survey_id, SurveyResponse.flagged)
        .order_by(SurveyResponse.submitted_on, SurveyResponse.id)
        .limit(SHOWN)
    )
    return [(response, n) for response, n in rows]


def _flagged_ids(survey_id: int, ids: list[int]) -> list[int]:
    """Of these ids, the flagged responses of this survey (others are ignored)."""
    return list(
        db.session.scalars(
            select(SurveyResponse.id).where(
                SurveyResponse.survey_id == survey_id,
                SurveyResponse.flagged,
                SurveyResponse.id.in_(ids[:SHOWN]),
            )
        )
    )


def keep(survey_id: int, ids: list[int]) -> int:
    """Clear the flag of these responses: they count as any other."""
    found = _flagged_ids(survey_id, ids)
    if found:
        db.session.execute(
            update(SurveyResponse).where(SurveyResponse.id.in_(found)).values(flagged=False)
        )
    db.session.flush()
    return len(found)


def discard(survey_id: int, ids: list[int]) -> int:
    """Delete these flagged responses and their answers."""
    found = _flagged_ids(survey_id, ids)
    if found:
        db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id.in_(found)))
        db.session.execute(delete(SurveyResponse).where(SurveyResponse.id.in_(found)))
    db.session.flush()
    return len(found)
