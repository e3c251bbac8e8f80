"""Text normal forms shared by search, duplicate detection and validation."""

from __future__ import annotations

import hashlib
import re
import unicodedata


def nfc(text: str) -> str:
    """Vietnamese typed on some keyboards arrives decomposed; we store NFC."""
    return unicodedata.normalize("NFC", text)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def drop_control(text: str) -> str:
    """Text without control characters (NUL above all, which PostgreSQL refuses);
    line breaks and tabs are kept."""
    return _CONTROL.sub("", text)


def squash(text: str) -> str:
    """NFC with runs of white space folded to one space, ends trimmed."""
    return " ".join(nfc(text).split())


def fold(text: str) -> str:
    """Lower case without diacritics, for search: 'Đồng Văn' → 'dong van'."""
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def text_key(text: str) -> str:
    """Identity of a question's text: same after NFC, case and space folding."""
    return hashlib.sha256(squash(text).casefold().encode()).hexdigest()
