"""Survey results from per-unit counts: shares, means, grids, subtrees and cross-tabs."""

from __future__ import annotations

import pytest

from quiz.reports.survey_tally import (
    OptionInfo,
    QuestionInfo,
    cell,
    cross_tab,
    merge_pairs,
    question_result,
    subtree_counts,
    unit_keeper,
)

SCALE = QuestionInfo(
    1,
    "Q1",
    "scale",
    "Hài lòng?",
    tuple(OptionInfo(10 + n, str(n), f"Mức {n}", "point") for n in (1, 2, 3)),
)
MULTI = QuestionInfo(
    2, "Q2", "multiple", "Thiết bị?",
    (OptionInfo(21, "1", "Điện thoại", "option"), OptionInfo(22, "2", "Máy tính", "option")),
    allow_other=True,
)  # fmt: skip
GRID = QuestionInfo(
    3, "Q3", "grid", "Đánh giá",
    (OptionInfo(31, "a", "Nội dung", "row"), OptionInfo(32, "b", "Đường truyền", "row"),
     OptionInfo(33, "1", "Kém", "point"), OptionInfo(34, "2", "Tốt", "point")),
)  # fmt: skip
NUMBER = QuestionInfo(4, "Q4", "number", "Số giờ?")

# Province 1 > district 2 > commune 3; district 4.
PATHS = {1: "/1/", 2: "/1/2/", 3: "/1/2/3/", 4: "/1/4/"}
BY_UNIT = {
    "3": {
        "responses": 3,
        "answered": {"1": 3, "2": 2, "3": 3, "4": 2},
        "counts": {
            "1": {cell(None, 11): 1, cell(None, 13): 2},
            "2": {cell(None, 21): 2, cell(None, 22): 1, cell(None, None): 1},
            "3": {cell(31, 34): 3, cell(32, 33): 1, cell(32, 34): 1},
        },
        "numbers": {"4": [2, 10.0, 4.0, 6.0]},
    },
    "4": {
        "responses": 1,
        "answered": {"1": 1, "4": 1},
        "counts": {"1": {cell(None, 12): 1}},
        "numbers": {"4": [1, 1.0, 1.0, 1.0]},
    },
    "0": {"responses": 5, "answered": {"1": 5}, "counts": {"1": {cell(None, 11): 5}}},
}


def test_a_subtree_sums_its_units_and_leaves_out_the_others():
    counts = subtree_counts(BY_UNIT, unit_keeper(PATHS, "/1/2/"))
    assert counts["responses"] == 3
    scale = question_result(SCALE, counts)
    assert [(o.count, o.share) for o in scale.options] == [(1, 1 / 3), (0, 0.0), (2, 2 / 3)]
    assert scale.mean == pytest.approx((1 + 3 + 3) / 3)


def test_the_whole_survey_counts_responses_without_a_unit_only_for_those_who_see_all():
    assert subtree_counts(BY_UNIT, unit_keeper(PATHS, None))["responses"] == 9
    assert subtree_counts(BY_UNIT, unit_keeper(PATHS, None, allowed={1, 2, 3}))["responses"] == 3


def test_multiple_choice_shares_are_of_respondents_and_other_is_counted():
    result = question_result(MULTI, subtree_counts(BY_UNIT, unit_keeper(PATHS, None)))
    assert result.answered == 2
    assert [(o.value, o.count, o.share) for o in result.options] == [
        ("1", 2, 1.0), ("2", 1, 0.5), ("other", 1, 0.5)
    ]  # fmt: skip


def test_a_grid_gives_each_row_its_own_shares_and_mean():
    result = question_result(GRID, subtree_counts(BY_UNIT, unit_keeper(PATHS, None)))
    content, line = result.grid
    assert (content.answered, [o.count for o in content.options], content.mean) == (3, [0, 3], 2.0)
    assert (line.answered, [o.share for o in line.options], line.mean) == (2, [0.5, 0.5], 1.5)


def test_numbers_give_mean_minimum_and_maximum_over_the_subtree():
    result = question_result(NUMBER, subtree_counts(BY_UNIT, unit_keeper(PATHS, "/1/")))
    assert (result.mean, result.minimum, result.maximum) == (11 / 3, 1.0, 6.0)
    assert question_result(NUMBER, subtree_counts({}, unit_keeper(PATHS, None))).mean is None


def test_a_scale_with_words_for_values_has_no_mean():
    words = QuestionInfo(5, "Q5", "scale", "?", (OptionInfo(51, "a", "A", "point"),
                                                 OptionInfo(52, "b", "B", "point")))  # fmt: skip
    counts = {"responses": 1, "answered": {"5": 1}, "counts": {"5": {cell(None, 51): 1}}}
    assert question_result(words, counts).mean is None


def test_a_cross_tab_sums_the_chosen_units_with_totals():
    by_unit = {"3": {"11:21": 2, "13:22": 1}, "4": {"11:21": 5}}
    pairs = merge_pairs(by_unit, unit_keeper(PATHS, "/1/2/"))
    table = cross_tab(SCALE, MULTI, pairs)
    assert table.counts == [[2, 0], [0, 0], [0, 1]]
    assert (table.row_totals, table.column_totals, table.total) == ([2, 0, 1], [2, 1], 3)
