"""The unit workbook: its sheets and columns, and what reading and applying hand over."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from quiz.extensions import db
from quiz.models import Unit
from quiz.spreadsheets import Column, Problem, Report, SheetSpec

__all__ = ["COLUMNS", "DATA_SHEET", "SPEC", "KnownUnit", "Problem", "UnitReadResult", "UnitRow"]

DATA_SHEET = "Đơn vị"
INSTRUCTIONS_SHEET = "Hướng dẫn"


COLUMNS: tuple[Column, ...] = (
    Column(
        "code", "Mã đơn vị", True, 40, 16,
        "Mã riêng của đơn vị (bắt buộc). Nhập lại cùng mã sẽ cập nhật đơn vị đó.",
        ("ma", "ma dv", "code", "unit code"),
    ),
    Column(
        "name", "Tên đơn vị", True, 200, 40, "Tên đầy đủ của đơn vị (bắt buộc).",
        ("ten", "ten dv", "don vi", "name", "unit name", "unit"),
    ),
    Column(
        "kind", "Cấp", False, 40, 14,
        "Cấp hoặc loại đơn vị, ví dụ Tỉnh, Huyện, Xã, Cơ quan (không bắt buộc).",
        ("cap don vi", "cap hanh chinh", "loai", "loai don vi", "kind", "level"),
    ),
    Column(
        "parent", "Mã đơn vị cấp trên", False, 40, 20,
        "Mã của đơn vị cấp trên, có trong tệp hoặc đã có trong hệ thống. "
        "Bỏ trống: đơn vị cấp cao nhất.",
        ("ma cap tren", "cap tren", "ma don vi cha", "parent", "parent code"),
    ),
    Column(
        "population", "Dân số / số đảng viên", False, 20, 20,
        "Số nguyên từ 0 trở lên, dùng tính tỉ lệ tham gia (không bắt buộc).",
        ("dan so", "so dang vien", "so dan", "population", "members", "membership"),
    ),
)  # fmt: skip
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
HEADER = {c.key: c.header for c in COLUMNS}
_NUMBER = re.compile(r"^\d+$|^\d{1,3}([., ]\d{3})+$")
SPEC = SheetSpec(
    sheet=DATA_SHEET,
    columns=COLUMNS,
    finds_header=("code", "name"),
    no_sheet=lambda: _l(
        "No sheet has the header row of the template (columns “Mã đơn vị” and "
        "“Tên đơn vị”). Download the template and copy your units into its sheet "
        "“%(sheet)s”.",
        sheet=DATA_SHEET,
    ),
    no_header=lambda sheet, n: _l(
        "Sheet “%(sheet)s” has no header row with the columns “Mã đơn vị” and "
        "“Tên đơn vị” in its first %(n)s rows.",
        sheet=sheet,
        n=n,
    ),
    empty=lambda: _l("The sheet has no units."),
)


@dataclass(frozen=True)
class KnownUnit:
    """What the reader needs to know about a unit already in the database."""

    code: str
    name: str
    kind: str
    population: int | None
    parent_code: str | None
    path: str
    merged: bool


@dataclass(slots=True)  # thousands of them are held at once
class UnitRow:
    row: int
    code: str
    name: str
    kind: str
    parent_code: str
    population: int | None
    action: str = "new"  # "new", "update" or "same"
    moves: bool = False


@dataclass
class UnitReadResult(Report[UnitRow]):
    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


@dataclass(frozen=True)
class UnitImportSummary:
    created: int
    updated: int
    moved: int
    unchanged: int


def known_units() -> dict[str, KnownUnit]:
    """Every unit in the database by code (a province's tree is a few thousand rows)."""
    units = db.session.scalars(select(Unit)).all()
    code_of = {u.id: u.code for u in units}
    return {
        u.code: KnownUnit(
            u.code,
            u.name,
            u.kind,
            u.population,
            code_of.get(u.parent_id) if u.parent_id else None,
            u.path,
            u.merged_into_id is not None,
        )
        for u in units
    }
