"""How much an uploaded workbook may hold, checked from the zip directory before parsing.

An .xlsx file is a zip archive of XML parts. A small file can unpack to
gigabytes (a "zip bomb"), and limits on the whole archive alone let one
part be a bomb while other parts, incompressible, keep the totals
plausible. So every part is checked on its own too: its unpacked size and
its compression ratio. Parts that openpyxl loads whole (shared strings,
styles, the workbook) get a tighter size limit than worksheets, which are
streamed a row at a time. The member count is read from the archive's end
record before `zipfile` builds its directory, so a file of a million empty
members costs nothing either.

Text is what a read holds: its cost in Python memory is added up from the
bytes (shared strings, inline strings) before a row is parsed.
The figures below keep reading any accepted file under twice the memory of
a web process at rest (bench/workbook_memory.py measures it).
"""

from __future__ import annotations

import io
import re
import struct
import sys
import zipfile

from flask_babel import lazy_gettext as _l
from openpyxl.packaging.manifest import Manifest
from openpyxl.xml.constants import SHARED_STRINGS
from openpyxl.xml.functions import fromstring

from quiz.spreadsheets.problems import FileRefused, damaged

MAX_FILE_BYTES = 10 * 1024 * 1024  # the upload limit
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024  # every part together
MAX_SHEET_BYTES = 256 * 1024 * 1024  # one worksheet: streamed, never held whole
MAX_PART_BYTES = 48 * 1024 * 1024  # any other part: loaded whole by openpyxl
MAX_TEXT_MEMORY = 56 * 1024 * 1024  # the text read, as Python holds it, copies included
MAX_COMPRESSION_RATIO = 200  # per part; deflate on real sheets gives under 60
RATIO_FLOOR_BYTES = 1024 * 1024  # smaller parts can do no harm at any ratio
MAX_MEMBERS = 1000  # a workbook of 100 sheets with drawings has about 400
MAX_ROWS = 20_000  # rows with content, below the header
MAX_CELL_CHARS = 2_000  # a cell's text is kept to its column's limit, or to this
MAX_LISTED_PROBLEMS = 1_000  # more are counted, not kept
HEADER_SEARCH_ROWS = 10  # the header row is among a sheet's first rows

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
_END_RECORD = b"PK\x05\x06"
_ZIP64_END_RECORD = b"PK\x06\x06"


def check_xlsx(data: bytes) -> int:
    """Refuse, with the reason, anything but a plain .xlsx archive within the limits.

    Returns what its shared strings will cost in memory (see check_text).
    """
    _check_format(data)
    if _member_count(data) > MAX_MEMBERS:
        raise _unpacks_too_much()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise damaged() from exc
    with archive:
        _check_parts(archive.infolist())
        cost = shared_strings_cost(archive, stop_over=MAX_TEXT_MEMORY)
    check_text(cost)
    return cost


def _check_parts(infos: list[zipfile.ZipInfo]) -> None:
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise FileRefused(_l("This is not an Excel .xlsx file."))
    if any(_too_big(info) for info in infos):
        raise _unpacks_too_much()
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
        raise _unpacks_too_much()


def is_worksheet(name: str) -> bool:
    """Worksheets are streamed; every other XML part is parsed whole."""
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _check_format(data: bytes) -> None:
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


def _member_count(data: bytes) -> int:
    """Entries in the archive, from its end record (ZIP64 too), without reading the directory."""
    at = data.rfind(_END_RECORD, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        raise damaged()
    (count,) = struct.unpack_from("<H", data, at + 10)
    if count != 0xFFFF:
        return count
    record = data.rfind(_ZIP64_END_RECORD, 0, at)
    if record < 0 or record + 40 > len(data):
        raise damaged()
    (count,) = struct.unpack_from("<Q", data, record + 32)
    return count


def _too_big(info: zipfile.ZipInfo) -> bool:
    limit = MAX_SHEET_BYTES if is_worksheet(info.filename) else MAX_PART_BYTES
    if info.file_size > limit:
        return True
    if info.file_size <= RATIO_FLOOR_BYTES:
        return False
    return info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)


_STRING_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?si>")
_CHUNK = 1 << 20


def check_text(cost: int) -> None:
    """Refuse a file whose text would take more memory than MAX_TEXT_MEMORY.

    openpyxl holds every shared string at once, and Python stores a text at
    1, 2 or 4 bytes a character after its widest one: 48 MB of XML can cost
    200 MB. The cost is added up from the bytes before anything is parsed
    (the shared strings here, a sheet's inline strings by scan.py), then the
    reader adds every text it makes (a cleaned copy, a number as text) as
    it goes.
    """
    if cost > MAX_TEXT_MEMORY:
        raise FileRefused(
            _l("The file holds more text than one import can take; split it into several files.")
        )


def shared_strings_cost(archive: zipfile.ZipFile, stop_over: int | None = None) -> int:
    """Bytes of Python memory the shared strings will take (counting stops past `stop_over`)."""
    try:
        types = Manifest.from_tree(fromstring(archive.read("[Content_Types].xml")))
        found = types.find(SHARED_STRINGS)
        if found is None:
            return 0
        cost, carry = 0, b""
        with archive.open(found.PartName[1:]) as stream:
            while chunk := stream.read(_CHUNK):
                pieces = _STRING_END.split(carry + chunk)
                carry = pieces.pop()
                cost += sum(string_cost(piece) for piece in pieces)
                if len(carry) > _CHUNK:  # one string this long: counted at its widest
                    cost, carry = cost + 4 * len(carry), b""
                if stop_over is not None and cost > stop_over:
                    break
        return cost + string_cost(carry)
    except Exception as exc:  # noqa: BLE001 - openpyxl would fail on these parts too
        raise damaged() from exc


def string_cost(piece: bytes) -> int:
    """Python memory for the text in `piece` (XML bytes), never less than it will take."""
    if b"&#" in piece:  # a character reference may make the whole text 4 bytes a character
        return 4 * len(piece) + 80
    return sys.getsizeof(piece.decode("utf-8", "replace")) + 8


def _unpacks_too_much() -> FileRefused:
    return FileRefused(
        _l("The file unpacks to far more data than an import file holds; it was refused.")
    )
