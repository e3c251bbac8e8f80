"""Unit tree tests, and two helpers shared by them and the console's unit tests."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import openpyxl
from flask import Flask, session

HEADER = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Dân số / số đảng viên"]


def workbook(rows, header=HEADER, title_row=None, sheet="Đơn vị") -> bytes:
    """An .xlsx with an optional title row, a header row and the given rows."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    if title_row:
        ws.append([title_row])
    if header:
        ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@contextmanager
def english(app: Flask) -> Iterator[None]:
    """A request in English, so lazy messages render as their English msgids."""
    with app.test_request_context():
        session["lang"] = "en"
        yield
