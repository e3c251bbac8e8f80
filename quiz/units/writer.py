"""The unit tree as a workbook: the empty template, and the current tree (round trip)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from quiz.extensions import db
from quiz.formatting import number
from quiz.models import Unit
from quiz.spreadsheets.limits import MAX_ROWS
from quiz.spreadsheets.writing import neutralise, write_header
from quiz.units.operations import (
    tree_order,
)
from quiz.units.spec import (
    COLUMNS,
    DATA_SHEET,
    INSTRUCTIONS_SHEET,
)

# --- writing: template and export -------------------------------------------------------

EXAMPLES = [
    ("T-SL", "Tỉnh Sơn Lâm", "Tỉnh", "", 1_250_000),
    ("H-DT", "Huyện Đồi Thông", "Huyện", "T-SL", 98_500),
    ("X-SM", "Xã Suối Mát", "Xã", "H-DT", 7_300),
    ("X-BL", "Xã Bình Lam", "Xã", "H-DT", 6_150),
    ("CA-SL", "Công an tỉnh Sơn Lâm", "Cơ quan", "T-SL", 2_400),
]


def _data_sheet(workbook: Workbook, rows: list[tuple]) -> None:
    sheet = workbook.create_sheet(DATA_SHEET, 0)
    write_header(sheet, COLUMNS)
    for values in rows:
        sheet.append([neutralise(v) if v not in (None, "") else None for v in values])


def _instructions(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(INSTRUCTIONS_SHEET)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90
    sheet.append(["MẪU DANH SÁCH ĐƠN VỊ"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    lines = [
        f"Nhập đơn vị vào trang tính “{DATA_SHEET}”, mỗi đơn vị một dòng, giữ nguyên dòng tiêu đề.",
        "Cột có dấu * là bắt buộc. Cây đơn vị có thể có bao nhiêu cấp cũng được: "
        "mỗi đơn vị ghi mã đơn vị cấp trên của nó.",
        "Đơn vị cấp trên có thể nằm trong tệp (ở bất kỳ dòng nào) hoặc đã có trong hệ thống.",
        "Nhập lại cùng mã đơn vị sẽ cập nhật tên, cấp, dân số và đơn vị cấp trên của đơn vị đó.",
        "Tệp có lỗi thì không dòng nào được nhập; hệ thống liệt kê mọi lỗi theo dòng và cột.",
        f"Tối đa {number(MAX_ROWS, 'vi')} dòng mỗi tệp, tệp .xlsx không đặt mật khẩu.",
    ]
    for line in lines:
        sheet.append(["", line])
    sheet.append([])
    sheet.append(["Cột", "Ý nghĩa"])
    for column in COLUMNS:
        sheet.append([column.header + (" *" if column.required else ""), column.note])


def template_workbook() -> bytes:
    """The empty layout with example rows and the instructions sheet."""
    return _workbook(EXAMPLES)


def export_workbook(scope: str | None = None) -> bytes:
    """The units below `scope` (all if None) in the template's layout; imports back unchanged."""
    query = select(Unit)
    if scope is not None:
        query = query.where(Unit.path.startswith(scope))
    units = tree_order(list(db.session.scalars(query)))
    rows = [
        (u.code, u.name, u.kind, u.parent.code if u.parent else "", u.population) for u in units
    ]
    return _workbook(rows)


def _workbook(rows: list[tuple]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    _data_sheet(workbook, rows)
    _instructions(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
