"""Excel workbooks for every importer (banks, units, delegates): opening untrusted .xlsx
files safely, and the header row the templates share.

Refuses, with a message saying what to do, anything that is not a plain
.xlsx workbook: other formats, corrupt or password-protected files, files
over the size limit and decompression bombs. XML inside is parsed by
openpyxl through defusedxml (installed alongside), so entity bombs fail too.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import openpyxl
from flask_babel import lazy_gettext as _l
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from quiz.banks.spec import MAX_COMPRESSION_RATIO, MAX_FILE_BYTES, MAX_UNCOMPRESSED_BYTES
from quiz.text import squash

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")


class FileRefused(ValueError):
    """The whole file is refused; nothing was read into the database."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def check_xlsx(data: bytes) -> None:
    if not data:
        raise FileRefused(_l("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(
            _l(
                "The file is %(size)s MB; the limit is %(limit)s MB.",
                size=round(len(data) / 1e6, 1),
                limit=MAX_FILE_BYTES // 1_000_000,
            )
        )
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in data:
            raise FileRefused(
                _l(
                    "The file is protected by a password. Remove the password in Excel "
                    "(File → Info → Protect Workbook) and upload it again."
                )
            )
        raise FileRefused(
            _l("This is an old Excel file (.xls). Open it in Excel and save it as .xlsx.")
        )
    if not data.startswith(b"PK"):
        raise FileRefused(_l("This is not an Excel .xlsx file."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise FileRefused(_l("The file is damaged and cannot be opened.")) from exc
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise FileRefused(_l("This is not an Excel .xlsx file."))
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if unpacked > MAX_UNCOMPRESSED_BYTES or unpacked / packed > MAX_COMPRESSION_RATIO:
        raise FileRefused(
            _l("The file unpacks to far more data than an import file holds; it was refused.")
        )


def has_formulas(data: bytes) -> bool:
    """Whether any sheet holds a formula (most uploads hold none).

    Formulas matter only when Excel saved no value for them; looking for
    them in the raw sheets first spares a second full parse of every file.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                continue
            with archive.open(info) as sheet:
                tail = b""
                while chunk := sheet.read(1 << 20):
                    if b"<f>" in tail + chunk or b"<f " in tail + chunk:
                        return True
                    tail = chunk[-3:]
    return False


def open_xlsx(data: bytes, data_only: bool = True):
    """A read-only workbook, or FileRefused."""
    check_xlsx(data)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on bad files
        raise FileRefused(_l("The file is damaged and cannot be opened.")) from exc


def cell_text(value) -> str:
    """A cell as text: numbers without '.0', dates as dd/mm/yyyy, NFC, spaces folded.

    A leading apostrophe before = + - @ is what our exports add to stop
    formula injection; it is taken off again so the round trip is exact.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    text = squash(str(value))
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")


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
