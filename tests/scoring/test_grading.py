"""Grading maps displayed options back through the paper's order (pure functions)."""

from __future__ import annotations

from quiz.scoring.grading import grade, parse_choices, parse_prediction, time_used_ms

KEYS = {10: frozenset({2}), 11: frozenset({0, 3}), 12: frozenset({1})}
# Question 10 showed its options as C, A, B, D: displayed 0 is original 2.
PAPER = [[10, "2013"], [11, "3210"], [12, "01"]]


def test_displayed_choice_is_mapped_to_the_original_option():
    graded = grade(PAPER, {"0": "0"}, KEYS)
    assert graded.answers[0] == [2]
    assert graded.marks[0] == "1"


def test_several_correct_options_must_all_be_chosen_and_nothing_else():
    # Displayed 0 and 3 of question 11 are originals 3 and 0: exactly the key.
    assert grade(PAPER, {"1": "0,3"}, KEYS).marks[1] == "1"
    assert grade(PAPER, {"1": "0"}, KEYS).marks[1] == "0"
    assert grade(PAPER, {"1": "0,1,3"}, KEYS).marks[1] == "0"


def test_blank_and_garbage_answers_are_wrong_not_errors():
    graded = grade(PAPER, {"0": "", "1": "x,,9", "2": "7"}, KEYS)
    assert graded.correct == 0
    assert graded.answers == [[], [], []]
    assert graded.marks == "000"


def test_counts_and_prediction():
    graded = grade(PAPER, {"0": "0", "1": "0,3", "2": "1", "p": "2500"}, KEYS)
    assert (graded.correct, graded.total, graded.prediction) == (3, 3, 2500)


def test_parsers_reject_what_is_not_a_choice_or_a_number():
    assert parse_choices("2,0,2") == (0, 2)
    assert parse_choices("12") == ()
    assert parse_prediction("-5") is None
    assert parse_prediction("99999999999999") is None
    assert parse_prediction("0042") == 42


def test_time_used_is_capped_at_the_deadline():
    assert time_used_ms(1000, 5000, 9000) == 4000
    assert time_used_ms(1000, 9500, 9000) == 8000
