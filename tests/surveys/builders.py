"""Surveys for tests: one of every question kind, with a condition, in two sections.

Every name here is invented.
"""

from __future__ import annotations

from datetime import timedelta

from quiz.extensions import db
from quiz.models import (
    Survey,
    SurveyOption,
    SurveyQuestion,
    SurveySection,
    Unit,
)
from quiz.timeutil import utcnow


def _options(question: SurveyQuestion, role: str, labels: list[str]) -> None:
    for i, label in enumerate(labels, start=1):
        question.options.append(SurveyOption(position=i, value=str(i), label=label, role=role))


def make_survey(
    unit: Unit,
    *,
    slug: str = "khao-sat",
    audience: str = "public",
    anonymous: bool = True,
    per_device_limit: int = 1,
    conference_id: int | None = None,
    open_now: bool = True,
) -> Survey:
    """Q1 single (Có/Không, required), Q2 multiple (max 2, other), Q3 scale, Q4 grid,
    Q5 number 0..120, Q6 short text (shown if Q1 is 'Có'), Q7 long text, Q8 date;
    section 2 (Q7, Q8) shown only if Q1 is 'Không'."""
    now = utcnow()
    survey = Survey(
        unit_id=unit.id,
        slug=slug,
        title="Khảo sát thử nghiệm",
        introduction="Xin cảm ơn bạn đã tham gia.",
        opens_at=now - timedelta(days=1) if open_now else now + timedelta(days=1),
        closes_at=now + timedelta(days=7),
        audience=audience,
        anonymous=anonymous,
        per_device_limit=per_device_limit,
        conference_id=conference_id,
        salt="muoi-thu-nghiem",
    )
    db.session.add(survey)
    db.session.flush()
    first = SurveySection(survey_id=survey.id, position=1, title="Phần 1")
    second = SurveySection(survey_id=survey.id, position=2, title="Phần 2")
    db.session.add_all([first, second])
    db.session.flush()

    def question(section, position, code, kind, text, **extra) -> SurveyQuestion:
        q = SurveyQuestion(
            survey_id=survey.id,
            section_id=section.id,
            position=position,
            code=code,
            kind=kind,
            text=text,
            **extra,
        )
        db.session.add(q)
        return q

    q1 = question(first, 1, "Q1", "single", "Bạn có đi làm không?", required=True)
    _options(q1, "option", ["Có", "Không"])
    q2 = question(
        first, 2, "Q2", "multiple", "Bạn đi làm bằng gì?", max_choices=2, allow_other=True
    )
    _options(q2, "option", ["Xe máy", "Xe buýt", "Đi bộ"])
    q3 = question(first, 3, "Q3", "scale", "Bạn hài lòng đến đâu?")
    _options(
        q3,
        "point",
        ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"],
    )
    q4 = question(first, 4, "Q4", "grid", "Đánh giá các dịch vụ")
    _options(q4, "point", ["Kém", "Được", "Tốt"])
    _options(q4, "row", ["Điện", "Nước"])
    question(first, 5, "Q5", "number", "Bạn bao nhiêu tuổi?", min_value=0, max_value=120)
    db.session.flush()
    question(
        first, 6, "Q6", "short_text", "Nơi làm việc?", show_if_question_id=q1.id, show_if_value="Có"
    )
    question(second, 1, "Q7", "long_text", "Vì sao bạn không đi làm?")
    question(second, 2, "Q8", "date", "Bạn nghỉ việc từ ngày nào?")
    second.show_if_question_id, second.show_if_value = q1.id, "Không"
    db.session.commit()
    return survey


def fields(survey: Survey) -> dict[str, dict]:
    """By code: the question's form field name and its option ids by label (rows too)."""
    out = {}
    for q in survey.questions:
        out[q.code] = {
            "name": f"q{q.id}",
            "id": q.id,
            "options": {o.label: str(o.id) for o in q.options if o.role != "row"},
            "rows": {o.label: f"q{q.id}_r{o.id}" for o in q.options if o.role == "row"},
        }
    return out
