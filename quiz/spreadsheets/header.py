"""Finding the header row: in the template's data sheet, else in every sheet in turn.

People add a title above the header, rename or reorder sheets, and keep
the template's instructions sheet in front; the header row is what tells
the data apart, so it is looked for in the first rows of every sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

from quiz.spreadsheets.cells import cell_text
from quiz.spreadsheets.problems import Problem
from quiz.spreadsheets.spec import SheetSpec


@dataclass(frozen=True)
class Header:
    sheet: object  # an openpyxl read-only worksheet
    row: int  # 1-based row number of the header
    positions: dict[str, int]  # column key → 0-based position in the row


def find_header(rows, spec: SheetSpec) -> tuple[int, dict[str, int]] | None:
    """(0-based index, positions) of the first row holding every `finds_header` column."""
    for index, row in enumerate(rows):
        positions: dict[str, int] = {}
        for position, value in enumerate(row or ()):
            text = cell_text(value)
            if not text:
                continue
            for column in spec.columns:
                if column.key not in positions and column.matches(text):
                    positions[column.key] = position
                    break
        if all(key in positions for key in spec.finds_header):
            return index, positions
    return None


def locate_header(book, spec: SheetSpec, head) -> Header | Problem:
    """The template's data sheet if the workbook has it, else the first sheet with the header.

    `head(sheet)` gives a sheet's first rows (the reader guards it against
    damaged files). The problem names the sheet that was looked in.
    """
    sheets = book.worksheets
    named = [s for s in sheets if s.title == spec.sheet]
    for sheet in named or sheets:
        found = find_header(head(sheet, spec.header_rows), spec)
        if found is not None:
            return Header(sheet, found[0] + 1, found[1])
    if named:
        return Problem(None, None, spec.no_header(spec.sheet, spec.header_rows), spec.sheet)
    return Problem(None, None, spec.no_sheet())
