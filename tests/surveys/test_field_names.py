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


def _picked_fields(f: dict) -> list[tuple[str, str, list[str]]]:
    """(question code, field, its options' ids) of every field answered by one pick."""
    out = [(code, f[code]["name"], list(f[code]["options"].values())) for code in ("Q1", "Q3")]
    out += [("Q4", row, list(f["Q4"]["options"].values())) for row in f["Q4"]["rows"].values()]
    return out


def test_a_pick_among_the_options_is_kept_as_sent(info_and_fields):
    info, f = info_and_fields
    for code, name, options in _picked_fields(f):
        for option in options:
            answers, problems, grouped = parse_form(info, {name: [option]})
            assert problems == {} and answers == {name: option}
            assert grouped == {f[code]["id"]: [(name, option)]}


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        (["999999"], "Choose one of the options shown."),
        (["other"], "Choose one of the options shown."),  # none of these allows 'other'
        (["{first}", "{second}"], "Choose only one option."),
    ],
)
def test_a_pick_not_among_the_options_gets_its_precise_problem(info_and_fields, sent, message):
    """Single choices, scales and grid rows are read from the snapshot's table of picks;
    anything else sent for them goes the long way and gets the same messages as before."""
    info, f = info_and_fields
    for code, name, options in _picked_fields(f):
        values = [v.format(first=options[0], second=options[1]) for v in sent]
        if code == "Q4" and len(values) > 1:
            continue  # a grid row keeps its first value (the page sends one per row)
        answers, problems, grouped = parse_form(info, {name: values})
        assert answers == {} and grouped == {}, (code, values)
        assert {k: str(v) for k, v in problems.items()} == {f[code]["id"]: gettext(message)}


def test_a_pick_sent_with_blanks_goes_the_long_way_and_is_read(info_and_fields):
    info, f = info_and_fields
    for code in ("Q1", "Q3"):
        name, option = f[code]["name"], list(f[code]["options"].values())[0]
        answers, problems, _ = parse_form(info, {name: [f" {option} "]})
        assert problems == {} and answers == {name: option}
