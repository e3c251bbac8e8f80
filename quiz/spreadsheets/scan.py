"""What a worksheet's XML holds, read as bytes before openpyxl parses a row of it.

openpyxl's read-only mode cannot say what a complete import needs to know:

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
- How much memory its inline strings will take once read (limits.py adds
  it to the shared strings' before any row is parsed).

Byte searches do this at about the speed of unzipping: tags are walked
only up to the last value marker of each chunk, and the rest (formatting
only) just moves the row numbering on. Comments and CDATA sections could
hide tags from it, so a sheet that has either is read to its end instead
(`last_row` None). A sheet in UTF-16, which the format allows and no
spreadsheet program writes, is refused as damaged.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field

from quiz.spreadsheets.limits import string_cost
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
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet\b")
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?worksheet>\s*$")
_TEXT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?t\b[^>]*>(.*?)</(?:[A-Za-z_][\w.-]*:)?t>", re.S)
_TEXT_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?t\b[^>/]*>")
_HIDING = (b"<![CDATA[", b"<!--")
_GAP = (b" ", b">", b"/", b"\t", b"\n", b"\r")
_UTF16 = (b"\xff\xfe", b"\xfe\xff")


@dataclass
class SheetScan:
    content_rows: int = 0
    last_row: int | None = 0  # None: unknown, read to the end
    unsaved: set[tuple[int, int]] = field(default_factory=set)  # (row, 0-based column)
    inline_text: int = 0  # bytes of Python memory its inline strings may take, at most


class _Scanner:
    """Follows rows and cells through the tags; state survives chunk boundaries."""

    def __init__(self, prefix: bytes) -> None:
        self.scan = SheetScan()
        self.row_tag = b"<" + prefix + b"row"
        self.markers = tuple(b"<" + prefix + name for name in (b"v", b"is", b"f"))
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
        """Walk the tags up to the row after the last value marker; skip the rest."""
        if any(mark in part for mark in _HIDING):
            self.exact = False
        last, end = self._last_marker(part), 0
        if last >= 0 or self.in_cell:
            after = part.find(self.row_tag, last + 1)
            end = after if after >= 0 else len(part)
            if self.in_cell or self._has_formula(part, end):
                for match in _TAG.finditer(part, 0, end):
                    self._tag(match)
            else:
                self._rows(part, end)
            if part.find(self.markers[1], 0, end) >= 0:
                self._inline_text(part, end)
        self._skip(part, end)
        self.offset += len(part)

    def _inline_text(self, part: bytes, end: int) -> None:
        """What the inline strings (<is><t>…</t></is>) will cost once read. A text cut by
        the chunk's end is counted at 4 bytes a character up to there, and its rest (which
        has no opening tag in the next chunk) not again."""
        last = 0
        for text in _TEXT.finditer(part, 0, end):
            self.scan.inline_text += string_cost(text.group(1))
            last = text.end()
        opened = _TEXT_START.search(part, last, end)
        if opened:
            self.scan.inline_text += 4 * (end - opened.start())

    def _has_formula(self, part: bytes, end: int) -> bool:
        at = part.find(self.markers[2], 0, end)
        while at >= 0:
            if _MARK.match(part, at):
                return True
            at = part.find(self.markers[2], at + 1, end)
        return False

    def _rows(self, part: bytes, end: int) -> None:
        """Rows without formulas need no cell-by-cell walk: a row has content if a value
        marker lies between its start and the next row's."""
        since = 0
        for start in _ROW_START.finditer(part, 0, end):
            if _MARK.search(part, since, start.start()):
                self._mark()
            numbered = _ROW_REF.search(start.group(1))
            self.row = int(numbered.group(1)) if numbered else self.row + 1
            self.marked, self.column = False, -1
            since = start.end()
        if _MARK.search(part, since, end):
            self._mark()

    def _last_marker(self, part: bytes) -> int:
        """Where the part's last <v>, <is> or <f> starts (-1: none), by byte searches:
        candidates like <formula1> are checked and passed over."""
        best = -1
        for marker in self.markers:
            at = len(part)
            while (at := part.rfind(marker, 0, at)) > best:
                if _MARK.match(part, at):
                    best = at
                    break
        return best

    def _skip(self, part: bytes, start: int) -> None:
        """Rows without values (formatting only): only the row numbering moves on."""
        at = part.rfind(self.row_tag, start)
        while at >= 0 and part[at + len(self.row_tag) : at + len(self.row_tag) + 1] not in _GAP:
            at = part.rfind(self.row_tag, start, at)  # <rowBreaks>, not a row
        if at < 0:
            return
        self.marked, self.column = False, -1
        numbered = _ROW_REF.search(part, at, part.find(b">", at))
        if numbered:
            self.row = int(numbered.group(1))
            return
        starts = _ROW_START.findall(part, start)  # rows without numbers: rare, counted
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
    scanner = None
    carry = tail = b""
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                if scanner is None:
                    if chunk.startswith(_UTF16):  # allowed, but no spreadsheet program writes
                        raise damaged()  # it, and none of the above could be known
                    scanner = _Scanner(_prefix(chunk))
                if len(chunk.translate(None, _CONTROL_BYTES)) != len(chunk):
                    raise damaged()  # XML cannot hold these raw
                buffer = carry + chunk
                cut = buffer.rfind(b">") + 1
                scanner.feed(buffer[:cut])
                carry = buffer[cut:]
                if len(carry) > MAX_TAG_GAP_BYTES:
                    raise damaged()
                tail = (tail + chunk)[-256:]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as exc:
        raise damaged() from exc
    if scanner is None or not _END.search(tail):
        raise damaged()  # empty, or cut short
    if not scanner.exact:
        scanner.scan.last_row = None
    return scanner.scan


def _prefix(head: bytes) -> bytes:
    """The namespace prefix of the sheet's elements: b"" mostly, b"x:" from some generators."""
    root = _ROOT.search(head)
    if root is None:
        raise damaged()
    return root.group(1) + b":" if root.group(1) else b""
