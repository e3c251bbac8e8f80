"""The QR code printed on Vietnamese chip citizen-ID cards (CCCD).

Seven fields separated by '|': ID number, old ID number (often empty), full
name, date of birth (ddmmyyyy), gender ("Nam" or "Nữ"), permanent address,
date of issue (ddmmyyyy). Staff scan it to find, or register at the door, a
delegate who has no phone. The address is read but never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from quiz.contest.identity import InvalidField, normalize_citizen_id
from quiz.text import fold, squash

FIELDS = 7
GENDERS = {"nam": "male", "nu": "female"}


class CardUnreadable(ValueError):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True, slots=True)
class CitizenCard:
    citizen_id: str
    old_id: str
    full_name: str
    birth_date: date
    gender: str  # male or female
    issued_on: date

    @property
    def birth_year(self) -> int:
        return self.birth_date.year


def looks_like_card(text: str) -> bool:
    return (text or "").count("|") >= 4


def _date(text: str, what) -> date:
    text = text.strip()
    if len(text) != 8 or not text.isdigit():
        raise CardUnreadable(_l("The %(what)s on the card is not a date (ddmmyyyy).", what=what))
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError as exc:
        raise CardUnreadable(
            _l("The %(what)s on the card is not a date (ddmmyyyy).", what=what)
        ) from exc


def parse_card(text: str) -> CitizenCard:
    """The card's fields, checked; CardUnreadable with the reason otherwise."""
    raw = (text or "").strip()
    if len(raw) > 1000:
        raise CardUnreadable(_l("This is not the QR code of a citizen-ID card."))
    fields = raw.split("|")
    if len(fields) != FIELDS:
        raise CardUnreadable(
            _l(
                "A citizen-ID card's QR code has %(n)s fields; this one has %(got)s.",
                n=FIELDS,
                got=len(fields),
            )
        )
    number, old_id, name, born, gender_text, _address, issued = fields
    gender = GENDERS.get(fold(squash(gender_text)))
    if gender is None:
        raise CardUnreadable(_l("The gender on the card is neither Nam nor Nữ."))
    birth_date = _date(born, _l("date of birth"))
    try:
        citizen_id = normalize_citizen_id(number, birth_date.year, gender)
    except InvalidField as exc:
        raise CardUnreadable(exc.message) from exc
    if citizen_id is None:
        raise CardUnreadable(_l("The card's QR code has no ID number."))
    full_name = squash(name)
    if not full_name or len(full_name) > 100:
        raise CardUnreadable(_l("The card's QR code has no readable name."))
    return CitizenCard(
        citizen_id=citizen_id,
        old_id=squash(old_id)[:12],
        full_name=full_name,
        birth_date=birth_date,
        gender=gender,
        issued_on=_date(issued, _l("date of issue")),
    )
