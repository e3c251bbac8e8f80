"""Cell text as entrants and the database get it: escapes decoded, control characters gone."""

from __future__ import annotations

import pytest

from tests.spreadsheets.xlsx import Sheet, xlsx

# A line break pasted from Word (vertical tab) and a Windows line end, as Excel escapes
# them, a control character Excel escapes too, and NUL (PostgreSQL refuses it).
WRITTEN = "Dòng một_x000B_dòng hai_x000D_\nba_x0001_ bốn_x0000_"
READ = "Dòng một dòng hai ba bốn"


@pytest.mark.parametrize("strings", ["shared", "inline"])
def test_excel_escapes_are_decoded_then_control_characters_dropped(importer, strings):
    row = importer.row(1)
    row[importer.text_column] = WRITTEN
    result = importer.read(xlsx(Sheet("Sheet1", [importer.header, row]), strings=strings))
    assert result.problems == []
    assert importer.text_of(result.rows[0]) == READ


def test_an_escaped_underscore_keeps_the_text_that_looks_like_an_escape(importer):
    """_x005F_ is Excel's escape for "_": "_x005F_x000B_" is the text "_x000B_" itself.
    (Inline strings: openpyxl rewrites this escape itself in shared strings.)"""
    row = importer.row(1)
    row[importer.text_column] = "Mã _x005F_x000B_ giữ nguyên"
    result = importer.read(xlsx(Sheet("Sheet1", [importer.header, row]), strings="inline"))
    assert importer.text_of(result.rows[0]) == "Mã _x000B_ giữ nguyên"
