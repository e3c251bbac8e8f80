"""Demo surveys for the one-command start: a public one open now with a few hundred
invented responses (for the live page and the results), and one for the demo
conference's delegates, offered on their phones after check-in.

The questionnaire is the Excel template's example; the responses are made
here directly as the worker would have written them (who answered apart
from what was answered, dates only). Running it again changes nothing but
keeps both surveys open.
"""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from sqlalchemy import select

from quiz.extensions import db
from quiz.models import (
    Audience,
    Conference,
    Survey,
    SurveyAnswer,
    SurveyRespondent,
    SurveyResponse,
    SurveyTarget,
    Unit,
)
from quiz.models.entrants import Gender, Occupation
from quiz.surveys.respondents import AGE_BANDS, device_key
from quiz.surveys.sheet_import import apply_survey_sheet
from quiz.surveys.sheet_writer import example_survey
from quiz.surveys.structure import load_survey
from quiz.timeutil import LOCAL_TZ, utcnow

PUBLIC_SLUG = "khao-sat-hoc-truc-tuyen"
CONFERENCE_SLUG = "khao-sat-sau-hoi-nghi"
RESPONSES = 300
TARGET_PER_DISTRICT = 80


def _survey(slug: str, title: str, owner: Unit, **settings) -> tuple[Survey, bool]:
    """The survey, made if new (True) or kept open if it was."""
    now = utcnow()
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is not None:
        if survey.closes_at <= now + timedelta(days=1):
            survey.closes_at = now + timedelta(days=30)
        return survey, False
    survey = Survey(
        slug=slug,
        title=title,
        unit_id=owner.id,
        opens_at=now - timedelta(days=4),
        closes_at=now + timedelta(days=30),
        salt=secrets.token_hex(16),
        **settings,
    )
    db.session.add(survey)
    db.session.flush()
    apply_survey_sheet(survey, example_survey())
    return survey, True


def _answers(survey: Survey, response_id: int, rng: random.Random) -> list[SurveyAnswer]:
    """Answers that follow the questionnaire's conditions (section 2 only after "Có")."""
    by_code = {q.code: q for q in survey.questions}

    def pick(code: str, role: str = "option"):
        return rng.choice([o for o in by_code[code].options if o.role == role])

    def answer(code: str, **values) -> SurveyAnswer:
        return SurveyAnswer(response_id=response_id, question_id=by_code[code].id, **values)

    q1 = pick("Q1")
    out = [answer("Q1", option_id=q1.id), answer("Q2", number=float(rng.randint(0, 20)))]
    if q1.value != "1":
        return out
    q3 = rng.choices([o for o in by_code["Q3"].options], weights=[1, 2, 4, 6, 3])[0]
    out.append(answer("Q3", option_id=q3.id))
    devices = [o for o in by_code["Q4"].options]
    out += [answer("Q4", option_id=o.id) for o in rng.sample(devices, rng.randint(1, 2))]
    for row in (o for o in by_code["Q5"].options if o.role == "row"):
        out.append(answer("Q5", row_option_id=row.id, option_id=pick("Q5", "point").id))
    if q3.value == "1":
        out.append(answer("Q6", text=rng.choice(["Mạng yếu, hay mất kết nối", "Bài giảng dài"])))
    return out


def _responses(survey: Survey, communes: list[Unit], rng: random.Random) -> None:
    today = utcnow().astimezone(LOCAL_TZ).date()
    info = load_survey(survey)
    for n in range(RESPONSES):
        day = today - timedelta(days=rng.choice([0, 1, 1, 2, 2, 2, 3]))
        key = device_key(info, f"demo{n}")  # as if from an open link, one device each
        db.session.add(SurveyRespondent(survey_id=survey.id, key=key, answered_on=day))
        response = SurveyResponse(
            survey_id=survey.id,
            unit_id=rng.choice(communes).id,
            submitted_on=day,
            age_band=rng.choice(AGE_BANDS)[1],
            gender=rng.choice([Gender.MALE, Gender.FEMALE]).value,
            occupation=rng.choice(list(Occupation)).value,
        )
        db.session.add(response)
        db.session.flush()
        db.session.add_all(_answers(survey, response.id, rng))


def seed_surveys(province: Unit, conference: Conference) -> Survey:
    """The demo surveys (flushes; the caller commits); returns the public one."""
    public, new = _survey(
        PUBLIC_SLUG,
        "Khảo sát về học tập trực tuyến",
        province,
        introduction="Phiếu khảo sát ẩn danh, mất khoảng 3 phút. Xin cảm ơn anh/chị!",
        audience=Audience.PUBLIC,
        anonymous=True,
    )
    if new:
        districts = list(db.session.scalars(select(Unit).where(Unit.parent_id == province.id)))
        communes = list(
            db.session.scalars(select(Unit).where(Unit.parent_id.in_([d.id for d in districts])))
        )
        db.session.add_all(
            SurveyTarget(survey_id=public.id, unit_id=d.id, target=TARGET_PER_DISTRICT)
            for d in districts
            if d.kind != "Cơ quan"
        )
        _responses(public, communes or [province], random.Random(11))
    _survey(
        CONFERENCE_SLUG,
        "Ý kiến của đại biểu về hội nghị",
        province,
        audience=Audience.DELEGATES,
        conference_id=conference.id,
        anonymous=True,
    )
    db.session.flush()
    return public
