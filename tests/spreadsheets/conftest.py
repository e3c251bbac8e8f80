"""The three importers behind one face, so each reading rule is tested on all of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import session

from quiz.banks.reader import read_bank
from quiz.conferences.delegate_import import read_delegates
from quiz.units.reader import read_units
from tests.banks.test_import import HEADER as BANK_HEADER
from tests.conferences.helpers import make_conference
from tests.units import HEADER as UNIT_HEADER

NAMES = ["Lò Thị Mai", "Hà Văn Tùng", "Vi Thị Lan", "Đinh Văn Sơn", "Lường Thị Hoa"]


@dataclass(frozen=True)
class Importer:
    name: str
    sheet: str  # the template's data sheet
    header: list[str]
    row: Callable[[int], list]  # a good row, different for each n
    text_column: int  # a free-text column, by position
    text_of: Callable[[object], str]  # that column's text in a read row
    read: Callable[[bytes], object]


def _bank_row(n: int) -> list:
    return [f"Q{n}", "Địa lý", "Dễ", f"Câu hỏi số {n}?", "Có", "Không"] + [None] * 4 + ["A", ""]


def _unit_row(n: int) -> list:
    return [f"U{n}", f"Xã Số {n}", "Xã", None, None]


def _delegate_row(n: int) -> list:
    return [NAMES[n % len(NAMES)], f"Chức vụ {n}", "", None, None]


@pytest.fixture
def english(app):
    """A request in English, so lazy messages render as their English msgids."""
    with app.test_request_context():
        session["lang"] = "en"
        yield


@pytest.fixture(params=["banks", "units", "delegates"])
def importer(request, ctx, english) -> Importer:
    if request.param == "banks":
        return Importer("banks", "Câu hỏi", BANK_HEADER, _bank_row, 3, lambda q: q.text, read_bank)
    if request.param == "units":
        return Importer("units", "Đơn vị", UNIT_HEADER, _unit_row, 1, lambda u: u.name, read_units)
    conference = make_conference(None)
    return Importer(
        "delegates",
        "Đại biểu",
        ["Họ và tên", "Chức vụ", "Đơn vị", "Số điện thoại", "Điểm cầu"],
        _delegate_row,
        1,
        lambda d: d.position,
        lambda data: read_delegates(data, conference),
    )
