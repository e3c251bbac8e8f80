"""Checks and canonical forms for what entrants type about themselves.

Each function returns the canonical value or raises `InvalidField` with a
message precise enough to fix the input on a phone: not "invalid", but which
rule was broken and what a valid value looks like.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from quiz.text import squash


class InvalidField(ValueError):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# Vietnamese mobile numbers since the 2018 move to 10 digits.
_MOBILE = re.compile(r"^0(3[2-9]|5[25689]|7[06-9]|8[1-9]|9\d)\d{7}$")


def normalize_phone(raw: str | None) -> str:
    """'+84 912.345.678' → '0912345678'."""
    text = _PHONE_SEPARATORS.sub("", raw or "")
    if not text:
        raise InvalidField(_l("Please enter your mobile phone number."))
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) == 11:
        text = "0" + text[2:]
    if not text.isdigit() or not text.isascii():
        raise InvalidField(_l("A phone number contains only digits, e.g. 0912 345 678."))
    if len(text) != 10:
        raise InvalidField(
            _l(
                "A mobile number has 10 digits starting with 0 (e.g. 0912 345 678); "
                "you typed %(n)s.",
                n=len(text),
            )
        )
    if not _MOBILE.match(text):
        raise InvalidField(
            _l(
                "%(prefix)s is not a Vietnamese mobile prefix (03x, 05x, 07x, 08x, 09x).",
                prefix=text[:3],
            )
        )
    return text


# Province codes that open a 12-digit citizen ID (CCCD): the administrative
# codes of the 63 provinces before the 2025 merger, still printed on cards.
_PROVINCE_CODES = frozenset(
    (
        "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 "
        "033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 "
        "064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 "
        "094 095 096"
    ).split()
)


def normalize_citizen_id(raw: str | None, birth_year: int | None, gender: str | None) -> str | None:
    """A 12-digit CCCD, checked against the birth year and gender it encodes.

    Digit 4 encodes century and sex (0/1 for 1900s men/women, 2/3 for the
    2000s, ...), digits 5-6 the last two digits of the birth year.
    """
    text = re.sub(r"\s", "", raw or "")
    if not text:
        return None
    if not text.isdigit() or not text.isascii() or len(text) != 12:
        raise InvalidField(_l("A citizen ID (CCCD) has exactly 12 digits."))
    if text[:3] not in _PROVINCE_CODES:
        raise InvalidField(_l("The first three digits of the citizen ID are not a province code."))
    century_sex = int(text[3])
    if birth_year is not None:
        century = 1900 + 100 * (century_sex // 2)
        year = century + int(text[4:6])
        if year != birth_year:
            raise InvalidField(
                _l(
                    "This citizen ID belongs to someone born in %(year)s, not %(given)s.",
                    year=year,
                    given=birth_year,
                )
            )
    if gender in ("male", "female"):
        encoded = "female" if century_sex % 2 else "male"
        if encoded != gender:
            raise InvalidField(_l("This citizen ID does not match the gender you chose."))
    return text


_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*$")


def normalize_name(raw: str | None) -> str:
    """Full name, NFC, single spaces. Letters (any script) only."""
    text = squash(raw or "")
    if not text:
        raise InvalidField(_l("Please enter your full name."))
    if len(text) > 100:
        raise InvalidField(_l("A full name has at most 100 characters."))
    if not _NAME_CHARS.match(text):
        raise InvalidField(_l("A full name contains letters only, without digits or symbols."))
    if len(text.split()) < 2:
        raise InvalidField(_l("Please enter your family name and given name (e.g. Lò Thị Mai)."))
    return text


def check_birth_year(raw: str | int | None, current_year: int) -> int:
    text = str(raw or "").strip()
    if not text:
        raise InvalidField(_l("Please enter your year of birth."))
    if not text.isdigit() or len(text) != 4:
        raise InvalidField(_l("A year of birth has four digits, e.g. 1990."))
    year = int(text)
    if not 1900 <= year <= current_year:
        raise InvalidField(
            _l("The year of birth must be between 1900 and %(year)s.", year=current_year)
        )
    return year
