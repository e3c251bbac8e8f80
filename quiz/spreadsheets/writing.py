"""What the templates and exports share when writing: the header row, and neutralised cells."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_header(sheet, columns) -> None:
    """The templates' header row: each column's header (" *" when required), styled,
    sized to the column's width, and kept in view while scrolling."""
    sheet.append([c.header + (" *" if c.required else "") for c in columns])
    for position, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=position)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    sheet.freeze_panes = "A2"
