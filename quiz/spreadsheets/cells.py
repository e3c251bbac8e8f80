"""A cell's value as the text an importer checks and stores.

Excel writes characters that XML cannot hold as `_xHHHH_` escapes: a line
break pasted from Word (vertical tab, U+000B) is stored as `_x000B_`, and
openpyxl hands the escape over as it stands. Escapes are decoded first and
control characters dropped after, so neither the escape nor the character
reaches entrants or the database (PostgreSQL refuses NUL). Every field of
our templates is one line: line breaks and tabs become spaces, other
control characters go.

openpyxl itself rewrites `_x005F_` (an escaped underscore) in shared
strings, so a literal "_x000B_" typed in a cell reads as a line break
there: a text nobody types, accepted as a known inexactness.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from quiz.text import nfc, squash

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_BREAK = re.compile(r"[\t\n\x0b\x0c\r\x1c-\x1f\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# Control characters and every white space squash() folds but " ": text without them (and
# without leading, trailing or double spaces) is kept as the same object, so a large file's
# text is not held twice in memory, and costs one search.
_SUSPECT = re.compile(r"[\x00-\x1f\x7f-\x9f\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def decode_escapes(text: str) -> str:
    """'a_x000B_b' → 'a\\x0bb': Excel's escapes for characters XML cannot hold."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def clean_text(text: str) -> str:
    """Escapes decoded, line breaks as spaces, control characters dropped, NFC,
    white space folded."""
    text = decode_escapes(text)
    if _SUSPECT.search(text) or text[:1] == " " or text[-1:] == " " or "  " in text:
        return squash(_CONTROL.sub("", _BREAK.sub(" ", text)))
    return nfc(text)


def cell_text(value) -> str:
    """A cell as text: numbers without '.0', dates as dd/mm/yyyy, then clean_text.

    A leading apostrophe before = + - @ is what our exports add to stop
    formula injection; it is taken off again so the round trip is exact.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    text = clean_text(str(value))
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text
