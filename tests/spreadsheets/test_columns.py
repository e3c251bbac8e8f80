"""Which sheet and which columns are read: the header in any sheet, a notes column never."""

from __future__ import annotations

import pytest

from quiz.banks.reader import read_bank
from tests.banks.test_import import HEADER
from tests.spreadsheets.xlsx import Sheet, xlsx

INSTRUCTIONS = Sheet("Hướng dẫn", [["Điền danh sách vào trang sau."], ["Mỗi người một dòng."]])


def test_the_header_is_found_in_any_sheet_and_the_report_names_it(importer):
    rows = [["DANH SÁCH NĂM 2025"], importer.header, importer.row(1), importer.row(2)]
    result = importer.read(xlsx(INSTRUCTIONS, Sheet("Danh sách 2025", rows)))
    assert result.problems == []
    assert (result.sheet, [r.row for r in result.rows]) == ("Danh sách 2025", [3, 4])


def test_the_templates_sheet_without_a_header_is_named_in_the_problem(importer):
    rows = [["Cột 1", "Cột 2"], ["a", "b"]]
    result = importer.read(xlsx(INSTRUCTIONS, Sheet(importer.sheet, rows)))
    assert [(p.row, p.column) for p in result.problems] == [(None, None)]
    assert f"Sheet “{importer.sheet}” has no header row" in str(result.problems[0].message)


def _bank(header: list[str], explanation_at: int, notes_at: int) -> bytes:
    row = ["Q1", "Địa lý", "Dễ", "Thủ đô của Việt Nam là?", "Huế", "Hà Nội"] + [None] * 4
    row += ["B"]
    cells = dict(enumerate(row))
    cells[explanation_at] = "Hà Nội là thủ đô."
    cells[notes_at] = "Câu này cô Lan đề xuất, cần kiểm tra lại"
    values = [cells.get(n) for n in range(len(header))]
    return xlsx(Sheet("Câu hỏi", [header, values]))


@pytest.mark.parametrize("notes", ["Ghi chú", "GHI CHÚ", "ghi chu"])
def test_a_notes_column_is_never_published_as_the_explanation(ctx, notes):
    # Only a notes column: the questions have no explanation.
    alone = read_bank(_bank([*HEADER[:11], notes], explanation_at=99, notes_at=11))
    assert alone.problems == []
    assert alone.questions[0].explanation == ""
    # A notes column before the explanation: the explanation comes from its own header.
    both = read_bank(_bank([*HEADER[:11], notes, "Giải thích"], explanation_at=12, notes_at=11))
    assert both.questions[0].explanation == "Hà Nội là thủ đô."
