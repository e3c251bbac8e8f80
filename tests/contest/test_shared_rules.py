"""The rules the fast path and the views share, each one function without a request."""

from __future__ import annotations

import secrets

import pytest
from itsdangerous import URLSafeTimedSerializer

from quiz.catalog.rounds import ContestInfo, round_numbered
from quiz.contest.attempts import read_prediction
from quiz.contest.csrf import MAX_TOKEN_LENGTH, SALT, token_matches
from quiz.contest.session import BadEntrant, EntrantSession, entrant_in
from quiz.scoring.grading import is_late, late_before

SECRET = "csrf-secret"


def signed(raw: str, secret: str = SECRET) -> str:
    return URLSafeTimedSerializer(secret, salt=SALT).dumps(raw)


def test_a_csrf_token_matches_the_raw_value_it_signs():
    assert token_matches(SECRET, signed("abc"), "abc")
    assert not token_matches(SECRET, signed("abc"), "abd")
    assert not token_matches(SECRET, signed("abc", "other-secret"), "abc")
    assert not token_matches(SECRET, None, "abc")
    assert not token_matches(SECRET, signed("abc"), None)


def test_a_csrf_token_longer_than_the_bound_is_refused_unread():
    raw = secrets.token_hex(100)  # random: the serializer cannot compress it
    token = signed(raw)
    assert len(token) > MAX_TOKEN_LENGTH  # validly signed, but too long to be ours
    assert not token_matches(SECRET, token, raw)


def test_the_session_reader_returns_the_entrant_sign_in_wrote():
    assert entrant_in({"entrant": [7, 1990, "An"]}) == EntrantSession(7, 1990, "An")
    assert entrant_in({"entrant": ["7", "1990", "An"]}) == EntrantSession(7, 1990, "An")
    assert entrant_in({}) is None
    assert entrant_in(None) is None
    for bad in ([7, 1990], ["x", 1990, "An"], 7):
        with pytest.raises(BadEntrant):
            entrant_in({"entrant": bad})


@pytest.mark.parametrize(
    ("now", "late"), [(1_000, False), (1_000 + 500, False), (1_000 + 501, True)]
)
def test_the_late_rule_allows_the_grace_and_not_a_millisecond_more(now, late):
    assert is_late(deadline_ms=1_000, now_ms=now, grace_ms=500) is late


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1000", "1000"),
        ("1,000", "1000"),
        ("1.000", "1000"),
        (" 1 000 ", "1000"),
        ("007", "7"),
        ("-12", None),
        ("1e9", None),
        ("", None),
        ("١٢", None),  # digits, but not ASCII ones
        ("1" * 13, None),
    ],
)
def test_one_prediction_parser(typed, read):
    assert read_prediction(typed) == read


def test_the_round_lookup_finds_a_round_by_its_number_through_the_given_lookup():
    numbers = {11: 1, 12: 2}
    contest = ContestInfo(1, "thu", "T", "", "", True, False, None, (11, 12), {})

    class Info:
        def __init__(self, round_id):
            self.id, self.number = round_id, numbers[round_id]

    seen = []

    def lookup(round_id):
        seen.append(round_id)
        return Info(round_id) if round_id != 13 else None

    assert round_numbered(contest, 2, lookup).id == 12
    assert round_numbered(contest, 3, lookup) is None
    assert seen == [11, 12, 11, 12]


@pytest.mark.parametrize("deadline", [400, 499, 500, 501, 600])
def test_the_sweepers_form_of_the_late_rule_is_the_same_rule(deadline):
    assert is_late(deadline, now_ms=1_000, grace_ms=500) == (deadline < late_before(1_000, 500))
