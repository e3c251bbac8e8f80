"""Delegate lists from Excel: read with a full report, then applied all at once or not at all.

Columns, found by their header in the first rows (accents and case do not
matter): Họ và tên (required), Chức vụ, Đơn vị, Số điện thoại, Điểm cầu,
Số CCCD, Năm sinh. A row whose phone (or citizen ID) is already on the
conference's list updates that delegate, who keeps their invitation code;
other rows add delegates. Any problem anywhere and nothing is written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from quiz.banks.reader import Problem
from quiz.banks.workbook import FileRefused, cell_text, open_xlsx
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
from quiz.text import fold
from quiz.units.tree import unit_tree

MAX_ROWS = 20_000
HEADER_ROWS = 10
COLUMNS = {  # key: (header in the template, other headers people use)
    "full_name": ("Họ và tên", ("ho ten", "ten", "ho va ten dai bieu", "dai bieu")),
    "position": ("Chức vụ", ("chuc danh", "chuc vu, don vi")),
    "unit": ("Đơn vị", ("co quan", "don vi cong tac", "co quan, don vi")),
    "phone": ("Số điện thoại", ("dien thoai", "sdt", "so dt", "di dong")),
    "point": ("Điểm cầu", ("diem cau tham du",)),
    "citizen_id": ("Số CCCD", ("cccd", "can cuoc", "so can cuoc", "can cuoc cong dan")),
    "birth_year": ("Năm sinh", ()),
}
LIMITS = {"position": 200, "unit": 200}


@dataclass
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
class DelegateList:
    rows: list[DelegateRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0


def _header_map(row: tuple) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for position, value in enumerate(row):
        text = fold(cell_text(value)).strip(" :*")
        for key, (header, aliases) in COLUMNS.items():
            if key not in mapping and (text == fold(header) or text in aliases):
                mapping[key] = position
    return mapping


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
    book = open_xlsx(data)
    try:
        sheet = book.worksheets[0]
        if (sheet.max_row or 0) > MAX_ROWS + HEADER_ROWS:
            raise FileRefused(_l("The file has more than %(n)s rows.", n=MAX_ROWS))
        rows = sheet.iter_rows(values_only=True)
        return _read(rows, conference)
    finally:
        book.close()


def _read(rows, conference: Conference) -> DelegateList:
    result = DelegateList()
    mapping: dict[str, int] = {}
    number = 0
    for number, values in enumerate(rows, start=1):
        mapping = _header_map(values or ())
        if "full_name" in mapping or number >= HEADER_ROWS:
            break
    if "full_name" not in mapping:
        result.problems.append(
            Problem(None, None, _l("No header row with a column “Họ và tên” in the first rows."))
        )
        return result
    context = _Context(conference)
    for offset, values in enumerate(rows, start=1):
        if offset > MAX_ROWS:
            raise FileRefused(_l("The file has more than %(n)s rows.", n=MAX_ROWS))
        fields = {
            key: cell_text(values[i]) if i < len(values) else "" for key, i in mapping.items()
        }
        if any(fields.values()):
            row = context.read_row(number + offset, fields, result.problems)
            if row is not None:
                result.rows.append(row)
    if not result.rows and not result.problems:
        result.problems.append(Problem(None, None, _l("The sheet lists no delegates.")))
    return result


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

    def read_row(self, number: int, fields: dict[str, str], problems: list) -> DelegateRow | None:
        before = len(problems)

        def problem(key: str | None, message) -> None:
            problems.append(Problem(number, COLUMNS[key][0] if key else None, message))

        def checked(key: str, check):
            try:
                return check(fields.get(key, "")) if fields.get(key) else None
            except InvalidField as exc:
                problem(key, exc.message)
                return None

        _restore_leading_zero(fields, "phone", 9)
        _restore_leading_zero(fields, "citizen_id", 11)
        name = fields.get("full_name", "")
        try:
            name = normalize_name(name)
        except InvalidField as exc:
            problem("full_name", exc.message)
        for key, limit in LIMITS.items():
            if len(fields.get(key, "")) > limit:
                problem(key, _l("Too long: at most %(limit)s characters.", limit=limit))
        phone = checked("phone", normalize_phone)
        year = checked("birth_year", lambda v: check_birth_year(v, current_year()))
        citizen_id = checked("citizen_id", lambda v: normalize_citizen_id(v, year, None))
        self._unique("phone", phone, self.phones, number, problem)
        self._unique("citizen_id", citizen_id, self.citizen_ids, number, problem)
        point_id = None
        if fields.get("point"):
            point_id = self.points.get(fold(fields["point"]))
            if point_id is None:
                problem(
                    "point",
                    _l(
                        "This conference has no connection point “%(name)s”; add it first "
                        "or correct the name.",
                        name=fields["point"],
                    ),
                )
        if len(problems) > before:
            return None
        unit_text = fields.get("unit", "")
        return DelegateRow(
            number,
            name,
            fields.get("position", ""),
            self.units.get(fold(unit_text)) if unit_text else None,
            unit_text,
            phone,
            citizen_id,
            year,
            point_id,
        )

    @staticmethod
    def _unique(key, value, seen: dict, number: int, problem) -> None:
        if value is None:
            return
        if value in seen:
            problem(key, _l("Also on row %(row)s.", row=seen[value]))
        else:
            seen[value] = number


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
    sheet.title = "Đại biểu"
    sheet.append([header for header, _aliases in COLUMNS.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["Lò Thị Mai", "Bí thư Chi bộ", "Xã Mẫu", "0900000001", "", "", "1985"])
    for letter, width in zip("ABCDEFG", (28, 24, 28, 16, 24, 16, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
