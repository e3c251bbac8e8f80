"""Creating and changing a survey: its settings and its targets per unit.

Plain functions of the surveys area: they check, change and flush; the
console view that calls them commits. Every change clears the survey
snapshots (`clear_surveys`), so respondents see it at once in this
process and within SURVEY_CACHE_SECONDS in the others.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from quiz.extensions import db
from quiz.models import Audience, Conference, Survey, SurveyTarget
from quiz.surveys.structure import clear_surveys


class SetupError(ValueError):
    """A setting that cannot be kept; `field` names the form field, `message` says why."""

    def __init__(self, field: str, message) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SurveySettings:
    title: str
    slug: str
    unit_id: int
    introduction: str
    opens_at: datetime
    closes_at: datetime
    audience: str
    conference_id: int | None
    anonymous: bool
    per_device_limit: int


def _check(settings: SurveySettings, survey: Survey | None) -> None:
    if settings.closes_at <= settings.opens_at:
        raise SetupError("closes_at", _l("The survey must close after it opens."))
    taken = db.session.scalar(select(Survey.id).where(Survey.slug == settings.slug))
    if taken is not None and (survey is None or taken != survey.id):
        raise SetupError("slug", _l("Another survey uses this address."))
    if settings.audience == Audience.DELEGATES:
        if (
            settings.conference_id is None
            or db.session.get(Conference, settings.conference_id) is None
        ):
            raise SetupError("conference", _l("Choose the conference whose delegates answer."))
    elif settings.conference_id is not None:
        raise SetupError("conference", _l("Only a survey for delegates names a conference."))


def _apply(survey: Survey, settings: SurveySettings) -> None:
    for name, value in vars(settings).items():
        setattr(survey, name, value)


def create_survey(settings: SurveySettings) -> Survey:
    """A new survey with no questions yet (flushes)."""
    _check(settings, None)
    survey = Survey(salt=secrets.token_hex(16))
    _apply(survey, settings)
    db.session.add(survey)
    db.session.flush()
    clear_surveys()
    return survey


def update_survey(survey: Survey, settings: SurveySettings, answered: bool) -> None:
    """Change a survey's settings. Once answered, who answers and how stay as they were:
    changing the audience or anonymity would mix responses kept under other rules."""
    if answered and (
        settings.audience != survey.audience
        or settings.anonymous != survey.anonymous
        or settings.conference_id != survey.conference_id
    ):
        raise SetupError(
            "audience",
            _l("People have answered: the audience and anonymity can no longer change."),
        )
    _check(settings, survey)
    _apply(survey, settings)
    db.session.flush()
    clear_surveys()


def targets_of(survey_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(SurveyTarget.unit_id, SurveyTarget.target).where(SurveyTarget.survey_id == survey_id)
    )
    return {unit_id: target for unit_id, target in rows}


def set_targets(survey: Survey, targets: dict[int, int]) -> None:
    """Replace the survey's targets per unit (a target of 0 or none removes it)."""
    db.session.execute(delete(SurveyTarget).where(SurveyTarget.survey_id == survey.id))
    db.session.add_all(
        SurveyTarget(survey_id=survey.id, unit_id=unit_id, target=target)
        for unit_id, target in sorted(targets.items())
        if target > 0
    )
    db.session.flush()
