"""Surveys for the template, results and export tests: made directly in the database."""

from __future__ import annotations

import datetime as dt
import random

from quiz.extensions import db
from quiz.models.surveys import Survey, SurveyAnswer, SurveyResponse
from quiz.surveys.sheet_import import apply_survey_sheet
from quiz.surveys.sheet_writer import example_survey


def make_survey(unit_id: int, slug: str = "khao-sat", anonymous: bool = True) -> Survey:
    """The template's example questionnaire, open for a month."""
    now = dt.datetime.now(dt.UTC)
    survey = Survey(
        unit_id=unit_id,
        slug=slug,
        title=f"Khảo sát {slug}",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        anonymous=anonymous,
        salt="muoi-thu-nghiem",
    )
    db.session.add(survey)
    db.session.flush()
    apply_survey_sheet(survey, example_survey())
    db.session.commit()
    return survey


def add_responses(survey: Survey, unit_ids: list[int], n: int, seed: int = 1, **fields) -> None:
    """`n` random responses from these units, every question of the example answered."""
    rng = random.Random(seed)
    by_code = {q.code: q for q in survey.questions}
    for k in range(n):
        response = SurveyResponse(
            survey_id=survey.id,
            unit_id=unit_ids[k % len(unit_ids)],
            submitted_on=dt.date(2026, 12, 1),
            **fields,
        )
        db.session.add(response)
        db.session.flush()
        db.session.add_all(answers(by_code, response.id, rng))
    db.session.commit()


def _choices(question, role="option"):
    return [o for o in question.options if o.role == role]


def answers(by_code: dict, response_id: int, rng: random.Random) -> list[SurveyAnswer]:
    def answer(code, **values):
        return SurveyAnswer(response_id=response_id, question_id=by_code[code].id, **values)

    q1, q3, q4, q5 = (by_code[c] for c in ("Q1", "Q3", "Q4", "Q5"))
    out = [
        answer("Q1", option_id=rng.choice(_choices(q1)).id),
        answer("Q2", number=float(rng.randint(0, 20))),
        answer("Q3", option_id=rng.choice(_choices(q3, "point")).id),
        *(answer("Q4", option_id=o.id) for o in rng.sample(_choices(q4), 2)),
        *(
            answer("Q5", row_option_id=row.id, option_id=rng.choice(_choices(q5, "point")).id)
            for row in _choices(q5, "row")
        ),
        answer("Q6", text=rng.choice(["Cần thêm bài giảng", "Mạng chậm", "=1+1"])),
        answer("Q7", date=dt.date(2026, 11, rng.randint(1, 30))),
    ]
    if rng.random() < 0.2:
        out.append(answer("Q4", text="Máy tính bảng"))
    return out
