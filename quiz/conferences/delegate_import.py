"""Delegate lists from Excel: read with a full report, then applied all at once or not at all.

Columns, found by their header in the first rows of any sheet (accents,
case and punctuation do not matter): Họ và tên (required), Chức vụ, Đơn
vị, Số điện thoại, Điểm cầu, Số CCCD, Năm sinh. The workbook is read by
`quiz.spreadsheets`, as for question banks and units. A row whose phone
(or citizen ID) is already on the conference's list updates that
delegate, who keeps their invitation code; other rows add delegates.
Any problem anywhere and nothing is written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from quiz.conferences.delegates import new_delegate, rename
from quiz.contest.identity import (
    InvalidField,
    check_birth_year,
    normalize_citizen_id,
    normalize_name,
    normalize_phone,
)
from quiz.contest.registration import current_year
from quiz.extensions import db
from quiz.models import Conference, Delegate
from quiz.spreadsheets import Column, Report, Row, SheetSpec, read_workbook
from quiz.text import fold
from quiz.units.tree import unit_tree

DATA_SHEET = "Đại biểu"
COLUMNS = (
    Column("full_name", "Họ và tên", True, 0, 28,
           aliases=("ho ten", "ten", "ho va ten dai bieu", "dai bieu")),
    Column("position", "Chức vụ", False, 200, 24, aliases=("chuc danh", "chuc vu don vi")),
    Column("unit", "Đơn vị", False, 200, 28,
           aliases=("co quan", "don vi cong tac", "co quan don vi")),
    Column("phone", "Số điện thoại", False, 0, 16,
           aliases=("dien thoai", "sdt", "so dt", "di dong")),
    Column("point", "Điểm cầu", False, 0, 24, aliases=("diem cau tham du",)),
    Column("citizen_id", "Số CCCD", False, 0, 16,
           aliases=("cccd", "can cuoc", "so can cuoc", "can cuoc cong dan")),
    Column("birth_year", "Năm sinh", False, 0, 10),
)  # fmt: skip
SPEC = SheetSpec(
    sheet=DATA_SHEET,
    columns=COLUMNS,
    finds_header=("full_name",),
    no_sheet=lambda: _l(
        "No sheet has the header row of the template (a column “Họ và tên”). Download "
        "the template and copy your delegates into its sheet “%(sheet)s”.",
        sheet=DATA_SHEET,
    ),
    no_header=lambda sheet, n: _l(
        "Sheet “%(sheet)s” has no header row with a column “Họ và tên” in its first %(n)s rows.",
        sheet=sheet,
        n=n,
    ),
    empty=lambda: _l("The sheet lists no delegates."),
)


@dataclass(slots=True)  # thousands of them are held at once
class DelegateRow:
    row: int
    full_name: str
    position: str
    unit_id: int | None
    unit_name: str
    phone: str | None
    citizen_id: str | None
    birth_year: int | None
    point_id: int | None


@dataclass
class DelegateList(Report[DelegateRow]):
    pass


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0


def _unit_ids_by_name() -> dict[str, int | None]:
    """Folded unit name → id; a name two units share maps to None (ambiguous)."""
    found: dict[str, int | None] = {}
    for node in unit_tree().nodes():
        if node.merged:
            continue
        for name in {fold(node.name), fold(node.full_name)}:
            found[name] = None if name in found and found[name] != node.id else node.id
    return found


def read_delegates(data: bytes, conference: Conference) -> DelegateList:
    """Every row checked; FileRefused for a file that cannot be read at all."""
    return read_workbook(data, SPEC, _Context(conference), DelegateList())


def _restore_leading_zero(fields: dict[str, str], key: str, length: int) -> None:
    """A number typed into a numeric cell loses its leading 0 (0912… becomes 912…)."""
    value = fields.get(key, "")
    if len(value) == length and value.isdigit():
        fields[key] = "0" + value


class _Context:
    """What every row is checked against, and what earlier rows used."""

    def __init__(self, conference: Conference) -> None:
        self.points = {fold(p.name): p.id for p in conference.points}
        self.units = _unit_ids_by_name()
        self.phones: dict[str, int] = {}
        self.citizen_ids: dict[str, int] = {}

    def __call__(self, row: Row) -> DelegateRow | None:
        fields = row.fields

        def checked(key: str, check):
            try:
                return check(fields[key]) if fields[key] else None
            except InvalidField as exc:
                row.problem(key, exc.message)
                return None

        _restore_leading_zero(fields, "phone", 9)
        _restore_leading_zero(fields, "citizen_id", 11)
        name = ""
        if "full_name" not in row.unsaved:  # an unsaved formula is reported already
            try:
                name = normalize_name(fields["full_name"])
            except InvalidField as exc:
                row.problem("full_name", exc.message)
        phone = checked("phone", normalize_phone)
        year = checked("birth_year", lambda v: check_birth_year(v, current_year()))
        citizen_id = checked("citizen_id", lambda v: normalize_citizen_id(v, year, None))
        self._unique("phone", phone, self.phones, row)
        self._unique("citizen_id", citizen_id, self.citizen_ids, row)
        point_id = self._point(row)
        if row.has_problems:
            return None
        unit_text = fields["unit"]
        return DelegateRow(
            row.number,
            name,
            fields["position"],
            self.units.get(fold(unit_text)) if unit_text else None,
            unit_text,
            phone,
            citizen_id,
            year,
            point_id,
        )

    def _point(self, row: Row) -> int | None:
        if not row["point"]:
            return None
        point_id = self.points.get(fold(row["point"]))
        if point_id is None:
            row.problem(
                "point",
                _l(
                    "This conference has no connection point “%(name)s”; add it first "
                    "or correct the name.",
                    name=row["point"],
                ),
            )
        return point_id

    @staticmethod
    def _unique(key: str, value, seen: dict, row: Row) -> None:
        if value is None:
            return
        if value in seen:
            row.problem(key, _l("Also on row %(row)s.", row=seen[value]))
        else:
            seen[value] = row.number


def apply_delegates(conference: Conference, rows: list[DelegateRow]) -> ImportSummary:
    """Add or update every row (flushes; the caller commits once)."""
    existing = db.session.scalars(
        select(Delegate).where(Delegate.conference_id == conference.id)
    ).all()
    by_phone = {d.phone: d for d in existing if d.phone}
    by_citizen = {d.citizen_id: d for d in existing if d.citizen_id}
    summary = ImportSummary()
    for row in rows:
        delegate = by_phone.get(row.phone) or by_citizen.get(row.citizen_id)
        if delegate is None:
            delegate = new_delegate(conference.id, row.full_name)
            db.session.add(delegate)
            summary.added += 1
        else:
            rename(delegate, row.full_name)
            summary.updated += 1
        delegate.position, delegate.unit_name, delegate.unit_id = (
            row.position,
            row.unit_name,
            row.unit_id,
        )
        delegate.phone = row.phone or delegate.phone
        delegate.citizen_id = row.citizen_id or delegate.citizen_id
        delegate.birth_year = row.birth_year or delegate.birth_year
        delegate.point_id = row.point_id
    db.session.flush()
    return summary


def template_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append([column.header for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["Lò Thị Mai", "Bí thư Chi bộ", "Xã Mẫu", "0900000001", "", "", "1985"])
    for letter, column in zip("ABCDEFG", COLUMNS, strict=True):
        sheet.column_dimensions[letter].width = column.width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
