"""Reading the QR of chip citizen-ID cards."""

from __future__ import annotations

from datetime import date

import pytest

from quiz.conferences.citizen_card import CardUnreadable, looks_like_card, parse_card
from tests.conferences.helpers import CARD


def test_valid_card_is_read(app):
    with app.test_request_context():
        card = parse_card(CARD)
    assert card.citizen_id == "001185000123"
    assert card.full_name == "Lò Thị Thử"
    assert card.birth_date == date(1985, 6, 15) and card.birth_year == 1985
    assert card.gender == "female"
    assert card.issued_on == date(2021, 2, 1)
    assert not hasattr(card, "address")


def test_card_without_old_id_is_read(app):
    with app.test_request_context():
        card = parse_card("001085000456||Lò Văn Thử|01011985|Nam|Xã Mẫu|02022022")
    assert card.gender == "male" and card.old_id == ""


@pytest.mark.parametrize(
    "fields",
    [
        CARD.split("|")[:6],
        CARD.split("|") + ["extra"],
        ["only one field"],
    ],
)
def test_wrong_field_count_is_refused(app, fields):
    with app.test_request_context(), pytest.raises(CardUnreadable) as refused:
        parse_card("|".join(fields))
    assert "7" in str(refused.value.message)


@pytest.mark.parametrize(
    ("index", "value"),
    [
        (0, "12345"),  # not 12 digits
        (0, "999185000123"),  # not a province code
        (0, "001085000123"),  # encodes a man, the card says Nữ
        (3, "31021985"),  # no such date
        (3, "1985-06-15"),  # not ddmmyyyy
        (3, "15061990"),  # the ID encodes 1985
        (4, "Không rõ"),  # gender
        (6, "2021"),  # issue date
        (2, ""),  # no name
    ],
)
def test_malformed_card_is_refused(app, index, value):
    fields = CARD.split("|")
    fields[index] = value
    with app.test_request_context(), pytest.raises(CardUnreadable):
        parse_card("|".join(fields))


def test_tokens_are_not_taken_for_cards():
    assert looks_like_card(CARD)
    assert not looks_like_card("1-42-ABCDEFGHIJKLMNOPQRSTUVWXYZ")
