"""Survey results counted by a worker: every figure checked against a count by hand."""

from __future__ import annotations

from collections import Counter

import pytest
from rq import SimpleWorker
from sqlalchemy import select

from quiz.extensions import DEFAULT_QUEUE, db, get_queue, get_redis
from quiz.models import Unit
from quiz.models.surveys import SurveyAnswer, SurveyResponse
from quiz.reports import survey_jobs
from quiz.reports.survey_counts import counts_by_unit
from quiz.reports.survey_tally import (
    OptionInfo,
    QuestionInfo,
    cross_tab,
    merge_pairs,
    question_result,
    subtree_counts,
    unit_keeper,
)
from tests.factories import make_units
from tests.surveys.sheets import add_responses, make_survey


def infos(survey) -> dict[str, QuestionInfo]:
    return {
        q.code: QuestionInfo(
            q.id, q.code, q.kind, q.text,
            tuple(OptionInfo(o.id, o.value, o.label, o.role) for o in q.options), q.allow_other,
        )
        for q in survey.questions
    }  # fmt: skip


def by_hand(survey, unit_ids: set[int], code: str) -> Counter:
    """Answers to one question from responses of these units, option by option."""
    question = next(q for q in survey.questions if q.code == code)
    rows = db.session.execute(
        select(SurveyAnswer.row_option_id, SurveyAnswer.option_id)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyAnswer.question_id == question.id, SurveyResponse.unit_id.in_(unit_ids))
    )
    return Counter((row, option) for row, option in rows)


@pytest.fixture
def world(ctx):
    units = make_units()
    survey = make_survey(units["D1"].id)
    add_responses(survey, [units["D1-C1"].id, units["D1-C2"].id], 30, seed=3, gender="Nữ")
    add_responses(survey, [units["D2-C1"].id], 12, seed=4, gender="Nam")
    return survey, {code: u for code, u in units.items()}


def test_counts_per_unit_add_up_to_the_answers_of_the_chosen_subtree(world):
    survey, units = world
    paths = dict(db.session.execute(select(Unit.id, Unit.path)).all())
    by_unit = counts_by_unit(survey.id)
    district = subtree_counts(by_unit, unit_keeper(paths, units["D1"].path))
    assert district["responses"] == 30
    questions = infos(survey)
    d1 = {units["D1-C1"].id, units["D1-C2"].id}
    q3 = question_result(questions["Q3"], district)
    expected = by_hand(survey, d1, "Q3")
    assert [o.count for o in q3.options] == [
        expected[(None, o.id)] for o in questions["Q3"].choices
    ]
    assert q3.answered == 30 and sum(o.count for o in q3.options) == 30
    q4 = question_result(questions["Q4"], district)
    assert q4.answered == 30  # each respondent picked two devices: shares add up to 200%+
    assert q4.options[-1].value == "other"
    assert q4.options[-1].count == by_hand(survey, d1, "Q4")[(None, None)]
    grid = question_result(questions["Q5"], district).grid
    assert [row.answered for row in grid] == [30, 30]


def test_numbers_have_their_mean_over_the_subtree(world):
    survey, units = world
    paths = dict(db.session.execute(select(Unit.id, Unit.path)).all())
    q2 = next(q for q in survey.questions if q.code == "Q2")
    numbers = db.session.scalars(
        select(SurveyAnswer.number).where(SurveyAnswer.question_id == q2.id)
    ).all()
    whole = subtree_counts(counts_by_unit(survey.id), unit_keeper(paths, None))
    result = question_result(infos(survey)["Q2"], whole)
    assert result.mean == pytest.approx(sum(numbers) / len(numbers))
    assert (result.minimum, result.maximum) == (min(numbers), max(numbers))


def test_a_filter_counts_only_the_matching_responses(world):
    survey, _units = world
    women = counts_by_unit(survey.id, {"gender": "Nữ"})
    assert sum(u["responses"] for u in women.values()) == 30


def test_a_cross_tab_pairs_the_two_answers_of_each_response(world):
    survey, units = world
    paths = dict(db.session.execute(select(Unit.id, Unit.path)).all())
    questions = infos(survey)
    data = survey_jobs.build_results(survey.id, {}, (questions["Q1"].id, questions["Q3"].id))
    table = cross_tab(
        questions["Q1"], questions["Q3"], merge_pairs(data["pairs"], unit_keeper(paths, None))
    )
    assert table.total == 42
    q1_yes = table.row_totals[0]
    assert q1_yes == sum(n for (_, o), n in by_hand(survey, set(paths), "Q1").items()
                         if o == questions["Q1"].choices[0].id)  # fmt: skip


def test_the_page_asks_once_and_a_worker_fills_the_cache(world):
    survey, _units = world
    assert survey_jobs.results_for(survey.id, {}) is None
    assert survey_jobs.request_results(survey.id, {}) is True
    assert survey_jobs.request_results(survey.id, {}) is False  # already queued
    assert survey_jobs.is_queued(survey.id, {})
    SimpleWorker([get_queue(DEFAULT_QUEUE)], connection=get_redis()).work(burst=True)
    data = survey_jobs.results_for(survey.id, {})
    assert data is not None and not survey_jobs.is_queued(survey.id, {})
    assert sum(u["responses"] for u in data["units"].values()) == 42
    assert data["choices"]["gender"] == ["Nam", "Nữ"]
    assert survey_jobs.results_for(survey.id, {"gender": "Nam"}) is None  # its own variant
