"""Workbooks written part by part, the way other programs write them, for the reading tests.

openpyxl writes one kind of file (inline strings, an exact dimension
record, formulas without saved values). Excel, LibreOffice, Google Sheets
and report generators differ: shared strings, a stale dimension record or
none, numbers as floats, dates as serial numbers with a date style,
formulas with or without their value. Everything is built in memory.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass(frozen=True)
class Number:
    """A number as the program wrote it: '9.12345678E8', '1985.0'."""

    text: str


@dataclass(frozen=True)
class Day:
    """A date: a serial number in a cell styled with a date format."""

    value: date


@dataclass(frozen=True)
class Formula:
    """`saved` None: no <v> at all (generators); "": an empty <v/> (openpyxl)."""

    text: str
    saved: str | None = None
    kind: str = ""  # the cell's t attribute ("str" for a text result)


@dataclass(frozen=True)
class Sheet:
    title: str
    rows: list[list]
    dimension: str | None = "auto"  # "auto": the true range; None: no record
    after: str = ""  # raw <row> elements after the data (formatting)
    prefix: str = ""  # "x:": elements written with a namespace prefix (.NET generators)


def xlsx(*sheets: Sheet, strings: str = "shared", members: dict[str, bytes] | None = None):
    """The workbook's bytes; `strings` "shared" (Excel, LibreOffice) or "inline" (generators)."""
    table: list[str] = []
    parts = {
        f"xl/worksheets/sheet{n}.xml": _sheet(s, strings, table) for n, s in enumerate(sheets, 1)
    }
    parts |= {
        "[Content_Types].xml": _content_types(len(sheets)),
        "_rels/.rels": HEAD + f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
        f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": _workbook(sheets),
        "xl/_rels/workbook.xml.rels": _workbook_rels(len(sheets)),
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": HEAD + f'<sst xmlns="{MAIN}" count="{len(table)}" '
        f'uniqueCount="{len(table)}">'
        + "".join(f"<si><t>{escape(t)}</t></si>" for t in table)
        + "</sst>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode() if isinstance(text, str) else text)
        for name, content in (members or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


def edit_member(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The same archive with one member's bytes changed (its CRC written to match)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            archive.writestr(info, change(content) if info.filename == name else content)
    return out.getvalue()


def formatting_rows(first: int, last: int, columns: int = 6) -> str:
    """Rows that only carry a style, as Excel writes a range formatted down the sheet."""
    letters = [get_column_letter(c) for c in range(1, columns + 1)]
    return "".join(
        f'<row r="{n}" spans="1:{columns}" s="1" customFormat="1">'
        + "".join(f'<c r="{x}{n}" s="1"/>' for x in letters)
        + "</row>"
        for n in range(first, last + 1)
    )


def _cell(ref: str, value, strings: str, table: list[str]) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, Formula):
        kind = f' t="{value.kind}"' if value.kind else ""
        saved = "" if value.saved is None else f"<v>{escape(value.saved)}</v>"
        return f'<c r="{ref}"{kind}><f>{escape(value.text)}</f>{saved}</c>'
    if isinstance(value, Day):
        serial = (value.value - date(1899, 12, 30)).days
        return f'<c r="{ref}" s="1"><v>{serial}</v></c>'
    if isinstance(value, Number):
        return f'<c r="{ref}"><v>{value.text}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if strings == "inline":
        return (
            f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
        )
    table.append(value)
    return f'<c r="{ref}" t="s"><v>{len(table) - 1}</v></c>'


def _sheet(sheet: Sheet, strings: str, table: list[str]) -> str:
    body = []
    for n, row in enumerate(sheet.rows, 1):
        cells = "".join(
            _cell(f"{get_column_letter(c)}{n}", v, strings, table) for c, v in enumerate(row, 1)
        )
        body.append(f'<row r="{n}">{cells}</row>')
    dimension = sheet.dimension
    if dimension == "auto":
        width = max((len(r) for r in sheet.rows), default=1)
        dimension = f"A1:{get_column_letter(width)}{max(len(sheet.rows), 1)}"
    record = f'<dimension ref="{dimension}"/>' if dimension else ""
    xml = (
        f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">{record}'
        f"<sheetData>{''.join(body)}{sheet.after}</sheetData></worksheet>"
    )
    if sheet.prefix:
        xml = re.sub(
            r"<(/?)(worksheet|dimension|sheetData|row|c|v|is|t|f)\b", rf"<\1{sheet.prefix}\2", xml
        )
        xml = xml.replace(f'xmlns="{MAIN}"', f'xmlns:{sheet.prefix[:-1]}="{MAIN}"')
    return HEAD + xml


def _workbook(sheets) -> str:
    listed = "".join(
        f'<sheet name={quoteattr(s.title)} sheetId="{n}" r:id="rId{n}"/>'
        for n, s in enumerate(sheets, 1)
    )
    return HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{listed}</sheets></workbook>'


def _workbook_rels(count: int) -> str:
    rels = [
        f'<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    ]
    rels.append(f'<Relationship Id="rIdS" Type="{REL}/styles" Target="styles.xml"/>')
    rels.append(f'<Relationship Id="rIdT" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
    return HEAD + f'<Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>'


def _content_types(count: int) -> str:
    overrides = [
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{CT}.worksheet+xml"/>'
        for n in range(1, count + 1)
    ]
    overrides += [
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>',
        f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>',
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>',
    ]
    return (
        HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        + "".join(overrides)
        + "</Types>"
    )


STYLES = (
    HEAD + f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/>'
    '<name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/>'
    '</fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border>'
    '<left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" '
    'fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
