"""Writing big workbooks fast: the format every export shares.

Vietnamese headers in bold on a frozen first row, sensible column widths,
numbers as numbers, times as real Excel datetimes in Viet Nam's local time
(Excel has no time zones: the header and the "Thông tin" sheet say which),
and every text cell passed through `neutralise`, so a name typed as
"=HYPERLINK(...)" stays text.

Speed: openpyxl builds an ElementTree element per cell, about 4,500 rows of
fifteen cells a second here, close to four minutes for a million rows. So
`Sheet` writes the data rows itself, as the same `<row><c>` XML text,
into the worksheet stream openpyxl opened; openpyxl still makes the
workbook, the styles, the widths, the header and the zip (at zlib level 3,
not 6: compressing is the other big cost). Should openpyxl's internals ever
change shape (another version, lxml installed), `Sheet` falls back to plain
`append`: slower, same file. The tests compare both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from math import isfinite
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from quiz.banks.workbook import neutralise
from quiz.timeutil import LOCAL_TZ, utcnow

CHUNK = 5000
DATETIME = "dd/mm/yyyy hh:mm:ss"
DATE = "dd/mm/yyyy"
SECONDS = "0.000"
PERCENT = "0.0%"
INDEX = "0.00"
ZONE = "giờ Việt Nam, UTC+7"
YES, NO = "Có", "Không"
PRIZE_NAMES = {
    "first": "Giải Nhất",
    "second": "Giải Nhì",
    "third": "Giải Ba",
    "consolation": "Giải Khuyến khích",
}
MAX_TEXT = 32_767  # Excel's limit for one cell
ZIP_LEVEL = 3


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    number_format: str | None = None


# --- the streaming sheet -------------------------------------------------------


def text(value) -> str | None:
    """A text cell: characters XML cannot carry dropped, formulas neutralised."""
    if value is None:
        return None
    value = str(value)
    if not value.isprintable():  # rare: only then pay for the regular expression
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise(value[:MAX_TEXT])


# Excel counts days from 1899-12-30 (dates of this century: no 1900 leap-year
# bug), 25,569 days before 1970. Viet Nam has kept UTC+7 without daylight
# saving since 1975, so a local time is integer arithmetic on epoch
# milliseconds, which matters a million rows at a time.
EXCEL_EPOCH = datetime(1899, 12, 30)
DAY = timedelta(days=1)
LOCAL_OFFSET_MS = int(LOCAL_TZ.utcoffset(datetime(2000, 1, 1)).total_seconds() * 1000)
DAY_MS = 86_400_000
SERIAL_SHIFT_MS = 25_569 * DAY_MS + LOCAL_OFFSET_MS


def excel_time(ms: int | None) -> float | None:
    """Epoch milliseconds as Excel's serial of the local time (shown as a date and time
    by a column formatted DATETIME; openpyxl reads it back as a naive datetime)."""
    if ms is None:
        return None
    return (ms + SERIAL_SHIFT_MS) / DAY_MS


def seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Sheet:
    """One worksheet of a write-only workbook: header first, then `append` rows."""

    def __init__(self, book: Workbook, title: str, columns: Sequence[Column]) -> None:
        self.ws = book.create_sheet(title[:31])
        self.columns = list(columns)
        self.rows = 0
        for index, column in enumerate(self.columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        self.ws.freeze_panes = "A2"
        self.ws.append([self._header(c.header) for c in self.columns])
        self._formats = [self._format_cell(c.number_format) for c in self.columns]
        self._raw = _RawRows.install(self.ws, self._formats)

    def _header(self, value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        cell.font = Font(name="Calibri", size=11, bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    def _format_cell(self, number_format: str | None) -> WriteOnlyCell | None:
        if number_format is None:
            return None
        cell = WriteOnlyCell(self.ws)
        cell.number_format = number_format
        return cell

    def append(self, values: Sequence) -> None:
        """Values are None, str (already through `text`), int, float, bool, date or
        datetime; a time may also be an `excel_time` number in a DATETIME column."""
        if self._raw is None:
            values = [self._styled(v, f) for v, f in zip(values, self._formats, strict=True)]
        self.ws.append(values)
        self.rows += 1

    def _styled(self, value, template: WriteOnlyCell | None):
        if template is None or value is None:
            return value
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = template.number_format
        return cell


class _RawRows:
    """Data rows written as XML text into openpyxl's own worksheet stream.

    Installed after the header row, it replaces, for this worksheet only,
    the two steps openpyxl's row generator runs per row: turning values into
    cells and serialising them. The XML is what openpyxl writes for the same
    values (inline strings, numbers, booleans; dates as serials with a style).
    """

    def __init__(self, styles: list[int | None]) -> None:
        # Per column, the constant pieces around the row number and the value.
        self.heads = [f'<c r="{get_column_letter(i)}' for i in range(1, len(styles) + 1)]
        ends = ['"' + (f' s="{s}"' if s else "") for s in styles]
        self.numbers = [f"{end}><v>" for end in ends]  # t="n" is the default
        self.texts = [f'{end} t="inlineStr"><is><t' for end in ends]
        self.booleans = [f'{end} t="b"><v>' for end in ends]
        self.write: Callable[[str], object] | None = None

    @classmethod
    def install(cls, ws, formats: list[WriteOnlyCell | None]) -> _RawRows | None:
        from openpyxl.xml.functions import xmlfile

        writer = getattr(ws, "_writer", None)
        if (
            not xmlfile.__module__.startswith("et_xmlfile")
            or writer is None
            or not callable(getattr(writer, "write_row", None))
            or not callable(getattr(ws, "_values_to_row", None))
        ):
            return None
        raw = cls([f.style_id if f is not None else None for f in formats])
        ws._values_to_row = lambda values, row_idx: values
        writer.write_row = raw.write_row
        return raw

    def write_row(self, xf, values, row_idx: int) -> None:
        if self.write is None:
            self.write = xf._file  # the text writer of et_xmlfile (checked by `install`)
        r = str(row_idx)
        parts = ['<row r="', r, '">']
        add = parts.extend
        for head, number, texts, boolean, value in zip(
            self.heads, self.numbers, self.texts, self.booleans, values, strict=True
        ):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                if value[:1].isspace() or value[-1:].isspace():
                    add((head, r, texts, ' xml:space="preserve">', _escape(value), "</t></is></c>"))
                else:
                    add((head, r, texts, ">", _escape(value), "</t></is></c>"))
            elif kind is int or (kind is float and isfinite(value)):
                add((head, r, number, repr(value), "</v></c>"))
            elif kind is datetime:
                add((head, r, number, repr((value - EXCEL_EPOCH) / DAY), "</v></c>"))
            elif kind is date:
                add((head, r, number, str((value - EXCEL_EPOCH.date()).days), "</v></c>"))
            elif kind is bool:
                add((head, r, boolean, "1" if value else "0", "</v></c>"))
            elif kind is not float:  # NaN and infinities: left empty, as Excel has none
                raise TypeError(f"cannot export a {kind.__name__} cell")
        parts.append("</row>")
        self.write("".join(parts))


def about_sheet(book: Workbook, facts: Iterable[tuple[str, object]]) -> None:
    """A second sheet saying what the file holds and in which time zone."""
    sheet = Sheet(book, "Thông tin", [Column("Mục", 28), Column("Giá trị", 60)])
    for label, value in facts:
        sheet.append([label, text(value) if isinstance(value, str) else value])


def save_book(
    book: Workbook, path: Path | str, sheet: Sheet, facts: list[tuple[str, object]]
) -> int:
    facts = [
        *facts,
        (f"Xuất lúc ({ZONE})", f"{utcnow().astimezone(LOCAL_TZ):%d/%m/%Y %H:%M:%S}"),
        ("Múi giờ của mọi thời điểm", f"Asia/Ho_Chi_Minh ({ZONE})"),
        ("Số dòng dữ liệu", sheet.rows),
    ]
    about_sheet(book, facts)
    # openpyxl's `save_workbook`, at a faster zlib level than its default 6:
    # half the time spent compressing a big sheet, for a file about 15% larger.
    book.properties.modified = utcnow().replace(tzinfo=None)
    with ZipFile(str(path), "w", ZIP_DEFLATED, allowZip64=True, compresslevel=ZIP_LEVEL) as zf:
        ExcelWriter(book, zf).save()
    return sheet.rows
