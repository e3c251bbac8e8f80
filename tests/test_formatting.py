"""One number and time format: Vietnamese 1.234.567,5, English 1,234,567.5, "—" when absent."""

from __future__ import annotations

import pytest
from flask import session
from flask_babel import refresh

from quiz import formatting
from quiz.formatting import (
    NOT_APPLICABLE,
    decimal,
    duration,
    filesize,
    number,
    percent,
    prediction_error,
)
from quiz.scoring.ranking import MAX_VALUE


@pytest.mark.parametrize(("locale", "expected"), [("vi", "1.234.567,5"), ("en", "1,234,567.5")])
def test_numbers_use_the_language_separators(locale, expected):
    assert number(1234567.5, locale) == expected


@pytest.mark.parametrize(
    ("ms", "vi", "en"),
    [
        (0, "0:00,000", "0:00.000"),
        (65_250, "1:05,250", "1:05.250"),
        (59_999, "0:59,999", "0:59.999"),
        (3_723_004, "1:02:03,004", "1:02:03.004"),
    ],
)
def test_a_time_used_is_shown_to_the_millisecond(ms, vi, en):
    assert duration(ms, "vi") == vi
    assert duration(ms, "en") == en


def test_times_ranked_apart_never_look_the_same():
    """The ranking compares milliseconds, so one millisecond apart shows apart."""
    assert duration(41_000, "vi") != duration(41_001, "vi")
    assert duration(3_600_000, "vi") != duration(3_600_001, "vi")


def test_decimals_and_percentages_follow_the_language():
    assert decimal(1234.5, 2, "vi") == "1.234,50"
    assert decimal(1234.5, 2, "en") == "1,234.50"
    assert percent(0.253, "vi") == "25,3%"
    assert percent(0.253, "en") == "25.3%"


@pytest.mark.parametrize(
    ("size", "vi", "en"),
    [(10, "1 KB", "1 KB"), (350_000, "342 KB", "342 KB"), (2_516_582, "2,4 MB", "2.4 MB")],
)
def test_a_file_size_is_never_zero_megabytes(size, vi, en):
    assert filesize(size, "vi") == vi
    assert filesize(size, "en") == en


@pytest.mark.parametrize("name", sorted(formatting.FILTERS))
def test_a_figure_that_does_not_apply_is_a_dash(name):
    assert formatting.FILTERS[name](None) == NOT_APPLICABLE == "—"


def test_pages_use_the_request_language(app):
    render = app.jinja_env.from_string(
        "{{ n|number }} {{ ms|duration }} {{ share|percent }} {{ missing|number }}"
    )
    figures = {"n": 1234567, "ms": 65250, "share": 0.5, "missing": None}
    with app.test_request_context("/"):
        assert render.render(figures) == "1.234.567 1:05,250 50,0% —"
    with app.test_request_context("/"):
        session["lang"] = "en"
        refresh()  # the locale is cached for the request; the person just switched
        assert render.render(figures) == "1,234,567 1:05.250 50.0% —"


def test_outside_a_request_figures_are_vietnamese(app):
    with app.app_context():
        assert number(1234567) == "1.234.567"
    assert duration(1500) == "0:01,500"


@pytest.mark.parametrize(
    ("error", "reference", "shown"),
    [(12, 500, "12"), (0, 500, "0"), (0, None, "—"), (MAX_VALUE, 500, "—"), (None, 500, "—")],
)
def test_a_prediction_error_shows_only_where_the_round_has_one(app, error, reference, shown):
    with app.app_context():
        assert prediction_error(error, reference) == shown
