"""Reading a workbook whole: every row with content goes to the importer's row parser,
or the file is refused with the reason.

The order matters: the archive is checked from its directory (limits.py)
before openpyxl parses anything; every worksheet's XML is scanned
(scan.py) so damage is found wherever it is; then the header is found and
the rows under it are read up to the last row with content, whatever the
sheet's dimension record says. Everything openpyxl raises on a bad file
becomes the one "damaged" message; what the row parser raises is a bug and
goes up as it is.
"""

from __future__ import annotations

import io
import sys
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import openpyxl

from quiz.spreadsheets.cells import cell_text
from quiz.spreadsheets.header import Header, locate_header
from quiz.spreadsheets.limits import MAX_CELL_CHARS, MAX_ROWS, check_text, check_xlsx
from quiz.spreadsheets.problems import (
    Problem,
    damaged,
    missing_columns,
    too_long,
    too_many_rows,
    unsaved_formula,
)
from quiz.spreadsheets.report import Report
from quiz.spreadsheets.scan import SheetScan, scan_sheet
from quiz.spreadsheets.spec import SheetSpec

R = TypeVar("R", bound=Report)


class Row:
    """One row with content as a row parser sees it: text by column key, and its problems."""

    def __init__(
        self, number: int, fields: dict[str, str], unsaved: set[str], lengths, spec, report
    ):
        self.number = number
        self.fields = fields
        self.unsaved = unsaved  # keys whose formula has no saved value (reported already)
        self.lengths = lengths  # keys of values cut to their limit → their full length
        self.copied = 0  # memory of the texts made for it (cleaned, cut, numbers as text)
        self._spec = spec
        self._report = report
        self._problems = 0

    def __getitem__(self, key: str) -> str:
        return self.fields[key]

    def problem(self, key: str | None, message) -> None:
        where = self._spec.header_of(key)
        self._report.problems.append(Problem(self.number, where, message, self._report.sheet))
        self._problems += 1

    @property
    def has_problems(self) -> bool:
        return self._problems > 0


def read_workbook(data: bytes, spec: SheetSpec, parse: Callable[[Row], object], report: R) -> R:
    """Fill `report` from the workbook: `parse` gets every row with content below the
    header and returns what to keep (or None). Raises FileRefused."""
    text_cost = check_xlsx(data)
    book = _guarded(lambda: _load(data))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # the part openpyxl reads for it:
            scans = {s.title: scan_sheet(archive, s._worksheet_path) for s in book.worksheets}
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # a stale <dimension> would cut the rows short
        found = locate_header(book, spec, _head)
        if isinstance(found, Problem):
            report.problems.append(found)
            return report
        report.sheet = found.sheet.title
        missing = [spec.header_of(key) for key in spec.needs if key not in found.positions]
        if missing:
            report.problems.append(Problem(found.row, None, missing_columns(missing), report.sheet))
            return report
        scan = scans[found.sheet.title]
        check_text(text_cost := text_cost + scan.inline_text)
        _read_rows(found, scan, spec, parse, report, text_cost)
    finally:
        book.close()
    if not report.rows and not report.problems:
        report.problems.append(Problem(None, None, spec.empty(), report.sheet))
    return report


def _load(data: bytes):
    with warnings.catch_warnings():  # openpyxl's remarks on a file are no use to anyone here
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)


def _guarded(make):
    try:
        return make()
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on bad files
        raise damaged() from exc


def _each(rows: Iterable) -> Iterator[tuple]:
    """The rows openpyxl parses, its errors on a damaged sheet turned into FileRefused."""
    iterator = iter(rows)
    while True:
        values = _guarded(lambda: next(iterator, None))
        if values is None:
            return
        yield values


def _head(sheet, n: int) -> list[tuple]:
    return list(_each(sheet.iter_rows(max_row=n, values_only=True)))


def _read_rows(header: Header, scan: SheetScan, spec: SheetSpec, parse, report, spent: int):
    """Rows up to the last with content; `spent`: what the text read so far costs."""
    # Far too many rows with anything in them: refused before parsing one. The exact count,
    # below, is of rows with text in the importer's columns (a numbering column people
    # fill down the sheet, or cells of spaces, do not count).
    if scan.content_rows > 2 * MAX_ROWS + header.row:
        raise too_many_rows(MAX_ROWS)
    first, last = header.row + 1, scan.last_row
    if last is not None and last < first:
        return
    counted = 0
    rows = header.sheet.iter_rows(min_row=first, max_row=last, values_only=True)
    for number, values in enumerate(_each(rows), start=first):
        row = _row(number, values, header.positions, scan, spec, report)
        if row is None:
            continue  # a blank row, or one that only carries formatting
        counted, spent = counted + 1, spent + row.copied
        if counted > MAX_ROWS:
            raise too_many_rows(MAX_ROWS)
        check_text(spent)  # cleaned copies of texts openpyxl still holds count too
        for column in spec.columns:
            if column.key in row.unsaved:
                row.problem(column.key, unsaved_formula())
            elif column.max_length and column.key in row.lengths:
                row.problem(column.key, too_long(row.lengths[column.key], column.max_length))
        item = parse(row)
        if item is not None:
            report.rows.append(item)


def _row(number: int, values: tuple, positions, scan: SheetScan, spec, report) -> Row | None:
    """The row's text by column key, None if blank. A value over its column's limit (or
    MAX_CELL_CHARS) is kept cut to it: the row cannot be imported anyway, and 20,000 rows
    of 32,767 characters must not be held, nor echoed in messages."""
    fields, unsaved, lengths, copied = {}, set(), {}, 0
    for column in spec.columns:
        position = positions.get(column.key, -1)
        value = values[position] if 0 <= position < len(values) else None
        text = cell_text(value)
        limit = column.max_length or MAX_CELL_CHARS
        if len(text) > limit:
            lengths[column.key], text = len(text), text[:limit]
        if text and text is not value:
            copied += sys.getsizeof(text)
        fields[column.key] = text
        if (number, position) in scan.unsaved:
            unsaved.add(column.key)
    if not unsaved and not any(fields.values()):
        return None
    row = Row(number, fields, unsaved, lengths, spec, report)
    row.copied = copied
    return row
