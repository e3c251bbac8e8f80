"""What a worksheet's XML holds, read as bytes before openpyxl parses a row of it.

openpyxl's read-only mode cannot say three things a complete import needs:

- Where the rows with content end. It trusts the `<dimension>` record,
  which other programs leave stale (an import then takes the first rows
  and reports success), and without it reads every `<row>`, including the
  hundreds of thousands that only carry formatting. The scan counts the
  rows that hold a value, an inline string or a formula, and the reader
  stops after the last of them.
- Which formulas have no saved value (`<f>` without a `<v>`, as openpyxl
  and report generators write them): data-only reading gives None there.
- Whether the XML is damaged after the point where reading stops: a raw
  control character, or a part cut short before `</worksheet>`.

A regular expression over the bytes does this at disk speed: a region
without any value marker (formatting only) is skipped by counting its row
tags. Comments and CDATA sections could hide tags from it, so a sheet that
has either is read to its end instead (`last_row` None).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field

from quiz.spreadsheets.problems import damaged

CHUNK_BYTES = 1 << 20
MAX_TAG_GAP_BYTES = 4 << 20  # a cell holds at most 32,767 characters

_NAME = rb"<(/?)(?:[A-Za-z_][\w.-]*:)?"
_TAG = re.compile(_NAME + rb"(row|c|v|is|f)\b([^>]*?)(/?)>")
_MARK = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|is|f)\b")
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*?)>")
_ROW_REF = re.compile(rb"(?<![\w:.-])r\s*=\s*[\"'](\d+)[\"']")
_CELL_REF = re.compile(rb"(?<![\w:.-])r\s*=\s*[\"']([A-Za-z]{1,3})\d+[\"']")
_TYPE = re.compile(rb"(?<![\w:.-])t\s*=\s*[\"'](\w+)[\"']")
_RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?worksheet>\s*$")
_HIDING = (b"<![CDATA[", b"<!--")
_UTF16 = (b"\xff\xfe", b"\xfe\xff")


@dataclass
class SheetScan:
    content_rows: int = 0
    last_row: int | None = 0  # None: unknown, read to the end
    unsaved: set[tuple[int, int]] = field(default_factory=set)  # (row, 0-based column)


class _Scanner:
    """Follows rows and cells through the tags; state survives chunk boundaries."""

    def __init__(self) -> None:
        self.scan = SheetScan()
        self.row = 0
        self.column = -1
        self.marked = False  # the current row is counted already
        self.in_cell = False
        self.offset = 0  # absolute position of the current part
        self.exact = True
        self.cell_type = b"n"
        self.formula = self.has_value = self.value_tag = False
        self.value_at = -1

    def feed(self, part: bytes) -> None:
        if any(mark in part for mark in _HIDING):
            self.exact = False
        if not self.in_cell and not _MARK.search(part):
            self._skip(part)
        else:
            for match in _TAG.finditer(part):
                self._tag(match)
        self.offset += len(part)

    def _skip(self, part: bytes) -> None:
        """A stretch without values: only the row numbering moves on."""
        starts = _ROW_START.findall(part)
        if not starts:
            return
        self.marked, self.column = False, -1
        for back, attributes in enumerate(reversed(starts)):
            numbered = _ROW_REF.search(attributes)
            if numbered:
                self.row = int(numbered.group(1)) + back
                return
        self.row += len(starts)

    def _tag(self, match: re.Match) -> None:
        closing, name, attributes, empty = match.groups()
        if closing:
            if name == b"c":
                self._end_cell()
            elif name == b"v" and self.offset + match.start() > self.value_at:
                self.has_value = True
            return
        if name == b"row":
            numbered = _ROW_REF.search(attributes)
            self.row = int(numbered.group(1)) if numbered else self.row + 1
            self.marked, self.column = False, -1
        elif name == b"c":
            self._start_cell(attributes)
            if empty:
                self._end_cell()
        else:
            self._mark()
            if name == b"f":
                self.formula = True
            elif name == b"is":
                self.has_value = True
            elif not empty:  # <v>: a value if text follows before </v>
                self.value_at = self.offset + match.end()
                self.value_tag = True
            else:
                self.value_tag = True

    def _start_cell(self, attributes: bytes) -> None:
        ref = _CELL_REF.search(attributes)
        if ref:
            self.column = _column_index(ref.group(1))
        else:
            self.column += 1
        kind = _TYPE.search(attributes)
        self.cell_type = kind.group(1) if kind else b"n"
        self.in_cell, self.formula, self.has_value, self.value_tag = True, False, False, False
        self.value_at = -1

    def _end_cell(self) -> None:
        if self.in_cell and self.formula and not self._saved():
            self.scan.unsaved.add((self.row, self.column))
        self.in_cell = False

    def _saved(self) -> bool:
        # A formula whose result is the empty text is saved as <v></v> with t="str".
        return self.has_value or (self.value_tag and self.cell_type == b"str")

    def _mark(self) -> None:
        if not self.marked:
            self.marked = True
            self.scan.content_rows += 1
            self.scan.last_row = self.row


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + letter - 64
    return index - 1


def scan_sheet(archive: zipfile.ZipFile, name: str) -> SheetScan:
    """The sheet's content rows and unsaved formulas; FileRefused if its XML is damaged."""
    scanner = _Scanner()
    carry = tail = b""
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                if not scanner.offset and not carry and chunk.startswith(_UTF16):
                    return SheetScan(last_row=None)  # no program we know writes this
                if _RAW_CONTROL.search(chunk):
                    raise damaged()
                buffer = carry + chunk
                cut = buffer.rfind(b">") + 1
                scanner.feed(buffer[:cut])
                carry = buffer[cut:]
                if len(carry) > MAX_TAG_GAP_BYTES:
                    raise damaged()
                tail = (tail + chunk)[-256:]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as exc:
        raise damaged() from exc
    if not _END.search(tail):
        raise damaged()  # cut short
    if not scanner.exact:
        scanner.scan.last_row = None
    return scanner.scan
