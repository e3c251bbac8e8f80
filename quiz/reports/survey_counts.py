"""A survey's answers counted per unit, in a few grouped queries (the worker's part).

One pass per kind of figure, each grouped by the response's unit: the
responses, the options chosen (grids by row), the respondents who answered
each question, and sums of numbers. A hundred thousand responses of thirty
questions are three million answer rows; the database groups them and
Python only receives a few rows per unit and option (`bench/surveys.py`).
Units merged away count under the unit they were merged into, as in the
contest statistics. `survey_tally.py` turns these counts into results.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import and_, distinct, func, select

from quiz.extensions import db
from quiz.models.surveys import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from quiz.reports.statistics import merge_targets
from quiz.reports.survey_tally import OptionInfo, QuestionInfo, cell, empty_counts, merge
from quiz.text import drop_control

FILTERS = ("age_band", "gender", "occupation")
WITH_OPTIONS = ("single", "multiple", "scale", "grid")
SEVERAL_ANSWERS = ("multiple", "grid")  # one answer row per option or grid row


def clean_filters(raw: Mapping[str, object]) -> dict[str, str]:
    """The demographic filters given (empty ones left out), as the cache keys them."""
    return {k: drop_control(str(raw[k]))[:20] for k in FILTERS if raw.get(k)}


def question_infos(survey: Survey) -> list[QuestionInfo]:
    """The survey's questions as `survey_tally` reads them, in the questionnaire's order
    (by section, then position: `Survey.questions` orders by position only)."""
    sections = {s.id: s.position for s in survey.sections}
    ordered = sorted(survey.questions, key=lambda q: (sections.get(q.section_id, 0), q.position))
    return [
        QuestionInfo(
            q.id, q.code, q.kind, q.text,
            tuple(OptionInfo(o.id, o.value, o.label, o.role) for o in q.options),
            q.allow_other,
        )
        for q in ordered
    ]  # fmt: skip


def _responses(survey_id: int, filters: Mapping[str, str]):
    """The conditions on responses: this survey, and the filters given."""
    conditions = [SurveyResponse.survey_id == survey_id]
    conditions += [getattr(SurveyResponse, k) == v for k, v in filters.items()]
    return and_(*conditions)


def _kinds(survey_id: int) -> dict[int, str]:
    rows = db.session.execute(
        select(SurveyQuestion.id, SurveyQuestion.kind).where(SurveyQuestion.survey_id == survey_id)
    )
    return dict(rows.all())


def counts_by_unit(survey_id: int, filters: Mapping[str, str] | None = None) -> dict[str, dict]:
    """{unit id as text ("0": none): counts} as `survey_tally` reads them."""
    filters = filters or {}
    where = _responses(survey_id, filters)
    kinds = _kinds(survey_id)
    merges = merge_targets()
    units: dict[str, dict] = {}

    def unit(raw: int | None) -> dict:
        key = str(merges.get(raw, raw) or 0)
        return units.setdefault(key, empty_counts())

    connection = db.session.connection()
    unit_col = SurveyResponse.unit_id
    for raw, n in connection.execute(
        select(unit_col, func.count()).where(where).group_by(unit_col)
    ):
        unit(raw)["responses"] += n
    for row in connection.execute(_grouped(where)):
        kind = kinds.get(row[1])
        if kind is not None:
            _add_group(unit(row[0]), kind, *row[1:])
    _answered_several(connection, where, kinds, unit)
    return units


def _grouped(where):
    """One pass over the answers: per unit, question, row and option, the answer rows,
    those with a text, and the numbers' count, sum, smallest and largest."""
    a, unit_col = SurveyAnswer, SurveyResponse.unit_id
    return (
        select(unit_col, a.question_id, a.row_option_id, a.option_id, func.count(),
               func.count(a.text), func.count(a.number), func.sum(a.number),
               func.min(a.number), func.max(a.number))
        .join(a, SurveyResponse.id == a.response_id)
        .where(where)
        .group_by(unit_col, a.question_id, a.row_option_id, a.option_id)
    )  # fmt: skip


def _add_group(counts: dict, kind: str, qid, row_id, option_id, n, texts, numbers, *summary):
    """One group of `_grouped` into a unit's counts."""
    key = str(qid)
    if kind not in SEVERAL_ANSWERS:  # one answer row per respondent
        counts["answered"][key] = counts["answered"].get(key, 0) + n
    if kind in WITH_OPTIONS:
        chosen = n if option_id is not None else texts  # no option: "other", if written
        if chosen:
            cells = counts["counts"].setdefault(key, {})
            place = cell(row_id, option_id)
            cells[place] = cells.get(place, 0) + chosen
    elif kind == "number" and numbers:
        total, low, high = summary
        merge(counts, {"numbers": {key: [numbers, float(total or 0), low, high]}})


def _answered_several(connection, where, kinds: dict[int, str], unit) -> None:
    """Respondents of the questions answered in several rows (several choices, grid rows):
    distinct responses."""
    several = [q for q, kind in kinds.items() if kind in SEVERAL_ANSWERS]
    if not several:
        return
    a, unit_col = SurveyAnswer, SurveyResponse.unit_id
    query = (
        select(unit_col, a.question_id, func.count(distinct(a.response_id)))
        .join(a, SurveyResponse.id == a.response_id)
        .where(where, a.question_id.in_(several))
        .group_by(unit_col, a.question_id)
    )
    for raw, qid, n in connection.execute(query):
        answered = unit(raw)["answered"]
        answered[str(qid)] = answered.get(str(qid), 0) + n


def filter_choices(survey_id: int) -> dict[str, list[str]]:
    """The values respondents gave for each filter, for the page's pickers."""
    out = {}
    for name in FILTERS:
        column = getattr(SurveyResponse, name)
        values = db.session.scalars(
            select(column).where(SurveyResponse.survey_id == survey_id, column.is_not(None))
            .group_by(column).order_by(column)
        )  # fmt: skip
        out[name] = [v for v in values if v]
    return out


def pairs_by_unit(
    survey_id: int, first_id: int, second_id: int, filters: Mapping[str, str] | None = None
) -> dict[str, dict[str, int]]:
    """{unit: {"option a:option b": respondents}} for a cross-tab of two choice questions."""
    where = _responses(survey_id, filters or {})
    a, b = SurveyAnswer.__table__.alias("a"), SurveyAnswer.__table__.alias("b")
    query = (
        select(SurveyResponse.unit_id, a.c.option_id, b.c.option_id, func.count())
        .join(a, a.c.response_id == SurveyResponse.id)
        .join(b, b.c.response_id == SurveyResponse.id)
        .where(where, a.c.question_id == first_id, b.c.question_id == second_id)
        .where(a.c.option_id.is_not(None), b.c.option_id.is_not(None))
        .group_by(SurveyResponse.unit_id, a.c.option_id, b.c.option_id)
    )
    merges = merge_targets()
    units: dict[str, dict[str, int]] = {}
    for raw, first, second, n in db.session.connection().execute(query):
        pairs = units.setdefault(str(merges.get(raw, raw) or 0), {})
        pairs[f"{first}:{second}"] = pairs.get(f"{first}:{second}", 0) + n
    return units
