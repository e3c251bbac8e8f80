"""Who is answering: one respondent key per person and survey, by audience.

- public link: the browser's device cookie, hashed with the survey's salt
  (a few responses per device, `Survey.per_device_limit`);
- registered: the entrant signed in by the contest's identity rule;
- invited: an invitation code (single use: its key answers once);
- delegates: the delegate this browser checked in as.

The token made here carries the facts a response keeps (unit, age band,
gender, occupation) and, for identified surveys only, the person.
"""

from __future__ import annotations

import hashlib

from quiz.models import Delegate, Entrant, SurveyInvitation
from quiz.surveys.structure import SurveyInfo
from quiz.surveys.tokens import RespondentToken

AGE_BANDS = ((17, "<18"), (29, "18-29"), (44, "30-44"), (59, "45-59"), (200, "60+"))


def age_band(birth_year: int | None, year: int) -> str | None:
    if not birth_year:
        return None
    age = year - birth_year
    return next(label for top, label in AGE_BANDS if age <= top)


def device_key(info: SurveyInfo, device: str) -> str:
    return "device:" + hashlib.sha256(f"{info.salt}|{device}".encode()).hexdigest()[:24]


def _person(info: SurveyInfo, key: str) -> str | None:
    return None if info.anonymous else key


def for_device(info: SurveyInfo, device: str) -> RespondentToken:
    return RespondentToken(info.id, device_key(info, device), info.per_device_limit)


def for_entrant(info: SurveyInfo, entrant: Entrant, year: int) -> RespondentToken:
    key = f"entrant:{entrant.id}"
    return RespondentToken(
        info.id,
        key,
        1,
        unit_id=entrant.unit_id,
        age_band=age_band(entrant.birth_year, year),
        gender=entrant.gender,
        occupation=entrant.occupation,
        person=_person(info, key),
    )


def for_invitation(info: SurveyInfo, invitation: SurveyInvitation) -> RespondentToken:
    key = f"invitation:{invitation.id}"
    return RespondentToken(info.id, key, 1, unit_id=invitation.unit_id, person=_person(info, key))


def for_delegate(info: SurveyInfo, delegate: Delegate, year: int) -> RespondentToken:
    key = f"delegate:{delegate.id}"
    return RespondentToken(
        info.id,
        key,
        1,
        unit_id=delegate.unit_id,
        age_band=age_band(delegate.birth_year, year),
        gender=delegate.gender,
        person=_person(info, key),
    )
