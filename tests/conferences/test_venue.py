"""The rotating venue code: accepted up to a minute after it left the screen, never after."""

from __future__ import annotations

import pytest

from quiz.conferences.venue import (
    ALPHABET,
    GRACE_MS,
    LENGTH,
    SLOT_MS,
    CodeRefused,
    check_code,
    code_for,
    shown_code,
)

SECRET = "test-secret"
T0 = 1_900_000_000_000 - 1_900_000_000_000 % SLOT_MS  # the start of a slot


def test_code_is_six_typeable_characters_and_changes_every_slot():
    codes = [shown_code(SECRET, 1, 1, T0 + i * SLOT_MS).code for i in range(20)]
    assert all(len(c) == LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert len(set(codes)) == 20
    assert shown_code(SECRET, 1, 1, T0 + 29_999).code == codes[0]
    assert shown_code(SECRET, 1, 1, T0 + 1000).changes_in_ms == SLOT_MS - 1000


def test_code_depends_on_conference_and_session():
    slot = T0 // SLOT_MS
    assert code_for(SECRET, 1, 1, slot) != code_for(SECRET, 2, 1, slot)
    assert code_for(SECRET, 1, 1, slot) != code_for(SECRET, 1, 2, slot)


@pytest.mark.parametrize("later_ms", [0, 29_999, SLOT_MS, SLOT_MS + GRACE_MS - 1])
def test_code_accepted_until_a_minute_after_it_left_the_screen(later_ms):
    code = shown_code(SECRET, 7, 3, T0).code  # shown from T0 to T0 + 30 s
    assert check_code(SECRET, 7, [2, 3], code, T0 + later_ms) == (3, T0 // SLOT_MS)


@pytest.mark.parametrize("later_ms", [SLOT_MS + GRACE_MS, SLOT_MS + GRACE_MS + 1, 3_000_000])
def test_code_seen_more_than_a_minute_ago_is_refused_as_expired(later_ms):
    code = shown_code(SECRET, 7, 3, T0).code
    with pytest.raises(CodeRefused) as refused:
        check_code(SECRET, 7, [3], code, T0 + later_ms)
    assert refused.value.expired


def test_typed_code_forgives_case_and_spaces():
    code = shown_code(SECRET, 7, 3, T0).code
    typed = f" {code[:3].lower()} {code[3:]} "
    assert check_code(SECRET, 7, [3], typed, T0 + 5000)[0] == 3


@pytest.mark.parametrize("typed", ["", "ABC", "ZZZZZZ", "ABCDEFG"])
def test_wrong_code_is_refused_not_expired(typed):
    with pytest.raises(CodeRefused) as refused:
        check_code(SECRET, 7, [3], typed, T0)
    assert not refused.value.expired


def test_code_of_another_conference_is_refused():
    code = shown_code(SECRET, 8, 3, T0).code
    with pytest.raises(CodeRefused):
        check_code(SECRET, 7, [3], code, T0)


def test_code_from_the_future_is_refused():
    code = shown_code(SECRET, 7, 3, T0 + SLOT_MS).code
    with pytest.raises(CodeRefused):
        check_code(SECRET, 7, [3], code, T0)
