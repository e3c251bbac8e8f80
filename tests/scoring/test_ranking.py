"""The ranking order, counting rules and shared ranks (pure functions)."""

from __future__ import annotations

import random

import pytest

from quiz.models.contests import CountingRule
from quiz.scoring.ranking import (
    DEFAULT_ORDER,
    MAX_VALUE,
    Parts,
    Result,
    competition_ranks,
    counting_results,
    decode_key,
    encode_key,
    prediction_error,
    rank_key,
    round_standings,
    validate_order,
)


def result(
    entrant=1,
    attempt=None,
    seq=1,
    correct=5,
    total=10,
    time=60_000,
    prediction=100,
    submitted=1_000_000,
    started=900_000,
) -> Result:
    return Result(
        entrant,
        attempt or entrant * 100 + seq,
        seq,
        correct,
        total,
        time,
        prediction,
        submitted,
        started,
    )


def ranked(results, order=DEFAULT_ORDER, reference=None, rule=CountingRule.BEST):
    return [(s.rank, s.entrant_id) for s in round_standings(results, rule, order, reference)]


@pytest.mark.parametrize(
    ("better", "worse", "why"),
    [
        (dict(correct=9), dict(correct=8, time=1), "more correct answers first"),
        (dict(time=30_000), dict(time=30_001), "less time used first"),
        (dict(prediction=1005), dict(prediction=990), "smaller prediction error first"),
        (dict(submitted=5), dict(submitted=6), "earlier submission first"),
    ],
)
def test_default_order_breaks_ties_key_by_key(better, worse, why):
    a = result(entrant=1, **better)
    b = result(entrant=2, **worse)
    assert ranked([b, a], reference=1000) == [(1, 1), (2, 2)], why


def test_entrants_tied_on_every_key_share_a_rank():
    results = [
        result(entrant=1, correct=9),
        result(entrant=2),
        result(entrant=3),
        result(entrant=4, correct=1),
    ]
    assert ranked(results) == [(1, 1), (2, 2), (2, 3), (4, 4)]


def test_custom_order_changes_the_winner():
    fast_but_late = result(entrant=1, time=10_000, submitted=2_000_000)
    slow_but_early = result(entrant=2, time=50_000, submitted=1_000_000)
    order = ("correct", "submitted", "time")
    assert ranked([fast_but_late, slow_but_early], order=order)[0] == (1, 2)
    assert ranked([fast_but_late, slow_but_early])[0] == (1, 1)


def test_start_time_key_puts_earlier_start_first():
    early = result(entrant=1, started=100)
    late = result(entrant=2, started=200)
    assert ranked([late, early], order=("correct", "started")) == [(1, 1), (2, 2)]


def test_prediction_unknown_until_close_gives_nobody_an_edge():
    a = result(entrant=1, prediction=1, submitted=2)
    b = result(entrant=2, prediction=1000, submitted=1)
    assert ranked([a, b], reference=None) == [(1, 2), (2, 1)]
    assert ranked([a, b], reference=1) == [(1, 1), (2, 2)]


def test_missing_prediction_ranks_after_any_prediction():
    assert prediction_error(None, 10) == MAX_VALUE
    assert prediction_error(10**9, 0) == 10**9
    assert ranked(
        [result(entrant=1, prediction=None), result(entrant=2, prediction=10**6)], reference=0
    ) == [(1, 2), (2, 1)]


def test_encoded_keys_sort_exactly_like_the_tuples():
    rng = random.Random(7)
    order = ("correct", "time", "prediction", "submitted", "started")
    parts = [
        Parts(
            rng.randint(0, 40),
            rng.randint(0, 10**7),
            rng.choice([0, 1, 5, 10**6, MAX_VALUE]),
            rng.randint(10**12, 2 * 10**12),
            rng.randint(10**12, 2 * 10**12),
        )
        for _ in range(2000)
    ]
    by_tuple = sorted(range(len(parts)), key=lambda i: (rank_key(parts[i], order), i))
    by_bytes = sorted(
        range(len(parts)), key=lambda i: (encode_key(rank_key(parts[i], order), order), i)
    )
    assert by_tuple == by_bytes


def test_decode_key_returns_the_shown_values():
    parts = Parts(7, 61_234, 12, 1_700_000_000_000, 1_699_999_000_000)
    encoded = encode_key(rank_key(parts, DEFAULT_ORDER), DEFAULT_ORDER)
    assert decode_key(encoded, DEFAULT_ORDER) == {
        "correct": 7,
        "time": 61_234,
        "prediction": 12,
        "submitted": 1_700_000_000_000,
    }


@pytest.mark.parametrize(
    ("rule", "expected_seq"),
    [
        (CountingRule.BEST, 2),  # 8 correct beats the rest
        (CountingRule.FIRST, 1),
        (CountingRule.EARLIEST_FULL, 3),  # the only fully correct attempt
    ],
)
def test_counting_rule_picks_the_attempt_that_counts(rule, expected_seq):
    attempts = [
        result(seq=1, correct=5, submitted=10),
        result(seq=2, correct=8, total=10, submitted=20),
        result(seq=3, correct=5, total=5, submitted=30),
    ]
    chosen = counting_results(attempts, rule, DEFAULT_ORDER, None)
    assert chosen[1].seq == expected_seq


def test_earliest_full_takes_the_earliest_of_several_full_attempts():
    attempts = [
        result(seq=1, correct=10, total=10, time=90_000, submitted=50),
        result(seq=2, correct=10, total=10, time=10_000, submitted=80),
    ]
    assert counting_results(attempts, CountingRule.EARLIEST_FULL, DEFAULT_ORDER, None)[1].seq == 1
    assert counting_results(attempts, CountingRule.BEST, DEFAULT_ORDER, None)[1].seq == 2


def test_earliest_full_falls_back_to_the_best_attempt():
    attempts = [result(seq=1, correct=3), result(seq=2, correct=6), result(seq=3, correct=4)]
    assert counting_results(attempts, CountingRule.EARLIEST_FULL, DEFAULT_ORDER, None)[1].seq == 2


def test_competition_ranks_skip_after_ties():
    assert competition_ranks([("a", 1), ("a", 2), ("b", 3), ("c", 4), ("c", 5), ("d", 6)]) == [
        1,
        1,
        3,
        4,
        4,
        6,
    ]


@pytest.mark.parametrize(
    "order", [(), ("correct", "correct"), ("correct", "luck")], ids=["empty", "twice", "unknown"]
)
def test_bad_orders_are_refused(order):
    with pytest.raises(ValueError):
        validate_order(order)
