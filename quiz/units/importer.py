"""The unit tree in Excel: reading with a full problem report, applying, template, export.

Same rules as question banks: the file is opened by the shared safe opener
(`quiz.banks.workbook`), every problem is listed by row and column, and the
import is all or nothing. Forgiving where a person would be (headers in any
case, with or without diacritics or punctuation, a title row, blank rows,
extra columns, decomposed Vietnamese, "12.500" for twelve thousand five
hundred), strict where a mistake would corrupt the tree (unknown parents,
loops, duplicate codes, units outside the importer's scope).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from itertools import zip_longest

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from quiz.banks.spec import HEADER_SEARCH_ROWS, MAX_ROWS
from quiz.banks.workbook import FileRefused, cell_text, neutralise, open_xlsx
from quiz.extensions import db
from quiz.models import Unit
from quiz.text import fold
from quiz.units.operations import (
    MAX_POPULATION,
    NewUnit,
    create_units,
    move_unit,
    tree_order,
    update_unit,
)

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


# --- reading --------------------------------------------------------------------------


def read_units(
    data: bytes, known: dict[str, KnownUnit] | None = None, scope: str | None = None
) -> UnitReadResult:
    """Parse a workbook and check it against the units in `known`.

    `scope` is the importer's unit path: rows may only create or change
    units below it (None: anywhere). Raises FileRefused for a file that
    cannot be read at all.
    """
    values_book = open_xlsx(data, data_only=True)
    formulas_book = open_xlsx(data, data_only=False)
    try:
        result = _read(values_book, formulas_book)
    except FileRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - sheets are parsed lazily; damage shows here
        raise FileRefused(_l("The file is damaged and cannot be opened.")) from exc
    finally:
        values_book.close()
        formulas_book.close()
    if result.rows:
        _check_links(result, known or {}, scope)
    if not result.problems:
        _plan(result.rows, known or {})
    return result


def _find_header(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows):
        mapping: dict[str, int] = {}
        for position, value in enumerate(row):
            text = cell_text(value)
            for column in COLUMNS:
                if text and column.key not in mapping and column.matches(text):
                    mapping[column.key] = position
                    break
        if "code" in mapping and "name" in mapping:
            return index, mapping
    return None


def _pick_sheet(workbook):
    if DATA_SHEET in workbook.sheetnames:
        return workbook[DATA_SHEET]
    for sheet in workbook.worksheets:
        if _find_header(list(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True))):
            return sheet
    return None


def _too_many_rows() -> FileRefused:
    return FileRefused(
        _l(
            "The file has more than %(n)s rows; split it into several files.",
            n=f"{MAX_ROWS:,}".replace(",", "."),
        )
    )


def _no_header(sheet_title: str | None) -> Problem:
    if sheet_title is None:
        return Problem(
            None,
            None,
            _l(
                "No sheet has the header row of the template (columns “Mã đơn vị” and "
                "“Tên đơn vị”). Download the template and copy your units into its sheet "
                "“%(sheet)s”.",
                sheet=DATA_SHEET,
            ),
        )
    return Problem(
        None,
        None,
        _l(
            "Sheet “%(sheet)s” has no header row with the columns “Mã đơn vị” and "
            "“Tên đơn vị” in its first %(n)s rows.",
            sheet=sheet_title,
            n=HEADER_SEARCH_ROWS,
        ),
    )


def _read(values_book, formulas_book) -> UnitReadResult:
    result = UnitReadResult()
    sheet = _pick_sheet(values_book)
    if sheet is None:
        result.problems.append(_no_header(None))
        return result
    result.sheet = sheet.title
    if (sheet.max_row or 0) > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise _too_many_rows()
    found = _find_header(list(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)))
    if found is None:
        result.problems.append(_no_header(sheet.title))
        return result
    header_index, mapping = found
    first = header_index + 2
    value_rows = sheet.iter_rows(min_row=first, values_only=True)
    formula_rows = formulas_book[sheet.title].iter_rows(min_row=first, values_only=True)
    seen: dict[str, int] = {}
    for offset, (values, formulas) in enumerate(zip_longest(value_rows, formula_rows)):
        if offset >= MAX_ROWS:
            raise _too_many_rows()
        row = _read_row(first + offset, values or (), formulas or (), mapping, result.problems)
        if row is not None:
            _check_duplicate(row, seen, result.problems)
            result.rows.append(row)
    if not result.rows and not result.problems:
        result.problems.append(Problem(None, None, _l("The sheet has no units.")))
    return result


def _cell(number: int, key: str, values, formulas, mapping, problems) -> str | None:
    """The cell's text; None for a formula whose value was never saved (a problem)."""
    position = mapping.get(key)
    if position is None or position >= len(values):
        return ""
    value = values[position]
    formula = formulas[position] if position < len(formulas) else None
    if value is None and isinstance(formula, str) and formula.startswith("="):
        problems.append(
            Problem(
                number,
                HEADER[key],
                _l(
                    "This cell holds a formula without a saved value; open the file "
                    "in Excel, save it, or paste the values instead of the formula."
                ),
            )
        )
        return None
    return cell_text(value)


def _read_row(number: int, values, formulas, mapping, problems) -> UnitRow | None:
    """One data row, or None for a blank row; its own problems go to `problems`."""
    cells = {c.key: _cell(number, c.key, values, formulas, mapping, problems) for c in COLUMNS}
    unsaved = {key for key, text in cells.items() if text is None}  # reported already
    fields = {key: text or "" for key, text in cells.items()}
    if not any(fields.values()) and not unsaved:
        return None

    def problem(key: str, message) -> None:
        problems.append(Problem(number, HEADER[key], message))

    for column in COLUMNS:
        length = len(fields[column.key])
        if length > column.max_length:
            problem(
                column.key,
                _l(
                    "Too long: %(n)s characters, at most %(limit)s.",
                    n=length,
                    limit=column.max_length,
                ),
            )
    if not fields["code"] and "code" not in unsaved:
        problem("code", _l("The unit code is missing."))
    if not fields["name"] and "name" not in unsaved:
        problem("name", _l("The unit name is missing."))
    population = _population(fields["population"], lambda m: problem("population", m))
    return UnitRow(
        number, fields["code"], fields["name"], fields["kind"], fields["parent"], population
    )


def _population(text: str, report) -> int | None:
    """'12.500', '12,500', '12 500' and 12500 are all twelve thousand five hundred."""
    if not text:
        return None
    if not _NUMBER.match(text):
        report(
            _l(
                "“%(value)s” is not a whole number of 0 or more (population or membership).",
                value=text,
            )
        )
        return None
    number = int(re.sub(r"[., ]", "", text))
    if number > MAX_POPULATION:
        report(_l("%(value)s is too large for a population or membership.", value=text))
        return None
    return number


def _check_duplicate(row: UnitRow, seen: dict[str, int], problems) -> None:
    if not row.code:
        return
    if row.code in seen:
        problems.append(
            Problem(
                row.row,
                HEADER["code"],
                _l("Code %(code)s is also used on row %(row)s.", code=row.code, row=seen[row.code]),
            )
        )
    else:
        seen[row.code] = row.row


# --- checks across rows and against the database --------------------------------------


def _check_links(result: UnitReadResult, known: dict[str, KnownUnit], scope: str | None) -> None:
    in_file: dict[str, UnitRow] = {}
    for row in result.rows:
        if row.code:
            in_file.setdefault(row.code, row)  # a duplicate is reported already
    for row in result.rows:
        before = len(result.problems)
        _check_parent(row, in_file, known, result.problems)
        if scope is not None and len(result.problems) == before:
            _check_scope(row, in_file, known, scope, result.problems)
    _check_loops(result.rows, in_file, known, result.problems)


def _check_parent(row: UnitRow, in_file, known, problems) -> None:
    parent = row.parent_code
    if not parent:
        return

    def problem(message) -> None:
        problems.append(Problem(row.row, HEADER["parent"], message))

    if parent == row.code:
        problem(_l("A unit cannot be its own parent unit."))
    elif parent not in in_file and parent not in known:
        problem(
            _l(
                "Parent code %(code)s is neither in the file nor among the existing units.",
                code=parent,
            )
        )
    elif parent in known and known[parent].merged:  # an import cannot undo a merge
        problem(
            _l(
                "Unit %(code)s has been merged into another unit; "
                "put this unit under the unit it was merged into.",
                code=parent,
            )
        )


def _check_scope(row: UnitRow, in_file, known, scope: str, problems) -> None:
    """Rows may create or change only units below the importer's unit."""
    existing = known.get(row.code)
    if existing is not None and not existing.path.startswith(scope):
        problems.append(
            Problem(
                row.row,
                HEADER["code"],
                _l("Unit %(code)s is outside your units; you cannot change it.", code=row.code),
            )
        )
        return
    if existing is not None and (existing.parent_code or "") == row.parent_code:
        return  # stays where it is (your own unit keeps its parent above you)
    parent = row.parent_code
    if not parent:
        message = _l("Only an administrator can add or move a unit to the top level.")
    elif parent not in known or known[parent].path.startswith(scope):
        return  # a new unit from the file (placed by its own row), or one of yours
    else:
        message = _l(
            "Parent unit %(code)s is outside your units; choose a parent among your units.",
            code=parent,
        )
    problems.append(Problem(row.row, HEADER["parent"], message))


def _check_loops(rows: list[UnitRow], in_file, known, problems) -> None:
    """Parent links must end at the top: a loop (A under B under A) has no top."""

    def parent_of(code: str) -> str | None:
        if code in in_file:
            return in_file[code].parent_code or None
        unit = known.get(code)
        return unit.parent_code if unit else None

    limit = len(in_file) + len(known) + 1
    for row in rows:
        if not row.code or row.parent_code == row.code or in_file.get(row.code) is not row:
            continue  # no code, its own parent, or a duplicate: reported already
        chain = [row.code]
        code = parent_of(row.code)
        while code is not None and code != row.code and len(chain) <= limit:
            chain.append(code)
            code = parent_of(code)
        if code == row.code:
            loop = " → ".join([*chain, row.code])
            problems.append(
                Problem(
                    row.row,
                    HEADER["parent"],
                    _l("The parent codes form a loop: %(loop)s.", loop=loop),
                )
            )


def _plan(rows: list[UnitRow], known: dict[str, KnownUnit]) -> None:
    """Mark each row new, updated or unchanged, and whether it moves in the tree."""
    for row in rows:
        old = known.get(row.code)
        if old is None:
            continue
        row.moves = (old.parent_code or "") != row.parent_code
        same = (old.name, old.kind, old.population) == (row.name, row.kind, row.population)
        row.action = "same" if same and not row.moves else "update"


# --- applying ---------------------------------------------------------------------------


def _levels(rows: list[UnitRow]) -> list[list[UnitRow]]:
    """Rows grouped by their depth within the file: parents' level before children's."""
    in_file = {r.code: r for r in rows}
    levels: dict[int, list[UnitRow]] = {}
    for row in rows:
        depth, code = 0, row.parent_code
        while code in in_file and depth <= len(in_file):
            depth, code = depth + 1, in_file[code].parent_code
        levels.setdefault(depth, []).append(row)
    return [levels[depth] for depth in sorted(levels)]


def apply_units(rows: list[UnitRow]) -> UnitImportSummary:
    """Write a clean read: new units created, existing ones (by code) updated or moved.

    Level by level, parents before children: new units of a level are
    created together, changed ones updated, moved ones moved with their
    subtrees. The caller commits, or rolls back on UnitError (the database
    changed since the file was checked).
    """
    by_code = {u.code: u for u in db.session.scalars(select(Unit))}
    counts = {"created": 0, "updated": 0, "moved": 0, "unchanged": 0}
    for level in _levels(rows):
        new = [r for r in level if r.code not in by_code]
        items = [
            NewUnit(r.code, r.name, r.kind, by_code.get(r.parent_code), r.population) for r in new
        ]
        for unit in create_units(items) if items else []:
            by_code[unit.code] = unit
        counts["created"] += len(new)
        new_codes = {r.code for r in new}
        for row in level:
            if row.code not in new_codes:
                _apply_existing(row, by_code, counts)
        db.session.flush()
    return UnitImportSummary(**counts)


def _apply_existing(row: UnitRow, by_code: dict[str, Unit], counts: dict[str, int]) -> None:
    unit = by_code[row.code]
    parent = by_code[row.parent_code] if row.parent_code else None
    changed = (unit.name, unit.kind, unit.population) != (row.name, row.kind, row.population)
    if changed:
        update_unit(unit, unit.code, row.name, row.kind, row.population, flush=False)
    moves = unit.parent_id != (parent.id if parent else None)
    if moves:
        move_unit(unit, parent)
        counts["moved"] += 1
    counts["updated" if changed or moves else "unchanged"] += 1


# --- writing: template and export -------------------------------------------------------

EXAMPLES = [
    ("T-SL", "Tỉnh Sơn Lâm", "Tỉnh", "", 1_250_000),
    ("H-DT", "Huyện Đồi Thông", "Huyện", "T-SL", 98_500),
    ("X-SM", "Xã Suối Mát", "Xã", "H-DT", 7_300),
    ("X-BL", "Xã Bình Lam", "Xã", "H-DT", 6_150),
    ("CA-SL", "Công an tỉnh Sơn Lâm", "Cơ quan", "T-SL", 2_400),
]
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def _data_sheet(workbook: Workbook, rows: list[tuple]) -> None:
    sheet = workbook.create_sheet(DATA_SHEET, 0)
    sheet.append([c.header + (" *" if c.required else "") for c in COLUMNS])
    for position, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=position)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    sheet.freeze_panes = "A2"
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
        f"Tối đa {MAX_ROWS:,} dòng mỗi tệp, tệp .xlsx không đặt mật khẩu.".replace(",", "."),
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
