"""Damaged and foreign files, built from a good workbook: shared by the reading, console
and command tests, so every importer and every way in is checked on the same files."""

from __future__ import annotations

import io
import zipfile

from tests.spreadsheets.xlsx import Sheet, edit_member, formatting_rows, xlsx

DAMAGED = "The file is damaged and cannot be opened."
NOT_XLSX = "This is not an Excel .xlsx file."
SHEET = "xl/worksheets/sheet1.xml"


def _cut_in_half(content: bytes) -> bytes:
    return content[: len(content) // 2]


def _cut_in_the_formatting(content: bytes) -> bytes:
    """Cut after the last row with content: reading that stops there would not notice."""
    return content[: content.rindex(b"<row r=") + 10]


def _control_character(content: bytes) -> bytes:
    """A raw U+0001 in a cell of the last row (XML cannot hold it unescaped)."""
    return content.replace(
        b"</t></is></c></row></sheetData>", b"\x01</t></is></c></row></sheetData>"
    )


def _control_character_in_the_formatting(content: bytes) -> bytes:
    """The same in the last row, which only carries formatting: reading stops before it."""
    return content.replace(b"</row></sheetData>", b"\x01</row></sheetData>")


def _not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def damaged_files(header: list[str], rows: list[list]) -> dict[str, tuple[bytes, str]]:
    """name → (file, the message it must get), for the importer whose header and rows these are."""
    good = xlsx(Sheet("Sheet1", [header, *rows]), strings="inline")
    formatted = xlsx(Sheet("Sheet1", [header, *rows], after=formatting_rows(50, 300)))
    second = xlsx(Sheet("Sheet1", [header, *rows]), Sheet("Ghi chép", [["x"]] * 40))
    return {
        "truncated sheet": (edit_member(good, SHEET, _cut_in_half), DAMAGED),
        "truncated after the data": (
            edit_member(formatted, SHEET, _cut_in_the_formatting),
            DAMAGED,
        ),
        "control character": (edit_member(good, SHEET, _control_character), DAMAGED),
        "control character after the data": (
            edit_member(formatted, SHEET, _control_character_in_the_formatting),
            DAMAGED,
        ),
        "damaged second sheet": (
            edit_member(second, "xl/worksheets/sheet2.xml", _cut_in_half),
            DAMAGED,
        ),
        "not a zip": (b"Ma;Ten\nX1;Xa mot\n", NOT_XLSX),
        "a zip that is not a workbook": (_not_a_workbook(), NOT_XLSX),
        "broken zip": (b"PK\x03\x04" + b"\0" * 200, DAMAGED),
    }
