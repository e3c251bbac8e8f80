"""The unit workbook: its sheets and columns, and what reading and applying hand over."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from quiz.extensions import db
from quiz.models import Unit
from quiz.text import fold

DATA_SHEET = "Đơn vị"
INSTRUCTIONS_SHEET = "Hướng dẫn"


def header_key(text: str) -> str:
    """'Dân số / Số đảng viên *' → 'dan so so dang vien': what headers are matched by."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


@dataclass(frozen=True)
class UnitColumn:
    key: str
    header: str
    required: bool
    max_length: int
    width: int
    note: str
    aliases: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        key = header_key(text)
        return key == header_key(self.header) or key in self.aliases


COLUMNS: tuple[UnitColumn, ...] = (
    UnitColumn(
        "code", "Mã đơn vị", True, 40, 16,
        "Mã riêng của đơn vị (bắt buộc). Nhập lại cùng mã sẽ cập nhật đơn vị đó.",
        ("ma", "ma dv", "code", "unit code"),
    ),
    UnitColumn(
        "name", "Tên đơn vị", True, 200, 40, "Tên đầy đủ của đơn vị (bắt buộc).",
        ("ten", "ten dv", "don vi", "name", "unit name", "unit"),
    ),
    UnitColumn(
        "kind", "Cấp", False, 40, 14,
        "Cấp hoặc loại đơn vị, ví dụ Tỉnh, Huyện, Xã, Cơ quan (không bắt buộc).",
        ("cap don vi", "cap hanh chinh", "loai", "loai don vi", "kind", "level"),
    ),
    UnitColumn(
        "parent", "Mã đơn vị cấp trên", False, 40, 20,
        "Mã của đơn vị cấp trên, có trong tệp hoặc đã có trong hệ thống. "
        "Bỏ trống: đơn vị cấp cao nhất.",
        ("ma cap tren", "cap tren", "ma don vi cha", "parent", "parent code"),
    ),
    UnitColumn(
        "population", "Dân số / số đảng viên", False, 20, 20,
        "Số nguyên từ 0 trở lên, dùng tính tỉ lệ tham gia (không bắt buộc).",
        ("dan so", "so dang vien", "so dan", "population", "members", "membership"),
    ),
)  # fmt: skip
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
HEADER = {c.key: c.header for c in COLUMNS}
_NUMBER = re.compile(r"^\d+$|^\d{1,3}([., ]\d{3})+$")


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: object  # a lazy string, rendered in the reader's language


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


@dataclass
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
class UnitReadResult:
    sheet: str = ""
    rows: list[UnitRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

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
