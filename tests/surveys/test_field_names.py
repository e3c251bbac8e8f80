"""Which form field names a survey accepts, and the precise message for each it does not.

The snapshot's table of field names (`SurveyInfo.fields`) answers the valid
names; every other name that looks like a question field still gets the
message the field pattern gives.
"""

from __future__ import annotations

import pytest
from flask_babel import gettext

from quiz.surveys.answers import parse_form
from quiz.surveys.structure import load_survey
from tests.factories import make_units
from tests.surveys.builders import fields, make_survey


@pytest.fixture
def info_and_fields(ctx):
    survey = make_survey(make_units()["P"])
    return load_survey(survey), fields(survey)


def test_the_snapshot_names_every_field_a_form_may_send(info_and_fields):
    info, f = info_and_fields
    expected = {f[code]["name"] for code in ("Q1", "Q2", "Q3", "Q5", "Q6", "Q7", "Q8")}
    expected |= {f["Q2"]["name"] + "_other"} | set(f["Q4"]["rows"].values())
    assert set(info.fields) == expected


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("q999999", None, "This survey has no such question. Reload the page."),
        ("{Q1}_other", "Q1", "This question has no 'other' answer."),
        ("{Q1}_r1", "Q1", "This question has no such row."),
        ("{Q4}_r999999", "Q4", "This question has no such row."),
        ("{Q4}", "Q4", "Answer each row of the table."),
        ("{Q4}_other", "Q4", "This question has no 'other' answer."),
    ],
)
def test_a_field_the_survey_lacks_gets_its_precise_problem(info_and_fields, name, code, message):
    info, f = info_and_fields
    name = name.format(**{c: f[c]["name"] for c in f})
    answers, problems, grouped = parse_form(info, {name: ["1"], "csrf_token": ["x"]})
    question_id = f[code]["id"] if code else 0
    assert answers == {} and grouped == {}
    assert {k: str(v) for k, v in problems.items()} == {question_id: gettext(message)}


def test_a_name_written_another_way_is_read_as_the_pattern_reads_it(info_and_fields):
    info, f = info_and_fields
    padded = "q0" + f["Q5"]["name"][1:]  # q012 is question 12, as before the table
    answers, problems, grouped = parse_form(info, {padded: ["34"]})
    assert problems == {}
    assert answers == {padded: "34"} and grouped == {f["Q5"]["id"]: [(padded, "34")]}
