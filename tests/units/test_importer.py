"""Importing the unit tree from Excel: the problem report, all or nothing, round trips."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import openpyxl
import pytest
from sqlalchemy import select

from quiz.banks.workbook import FileRefused
from quiz.extensions import db
from quiz.models import Unit
from quiz.units.importer import apply_units
from quiz.units.operations import UnitError, merge_unit
from quiz.units.reader import read_units
from quiz.units.spec import DATA_SHEET, known_units
from quiz.units.writer import export_workbook, template_workbook
from tests.factories import make_units
from tests.units import HEADER, english, workbook


def tree() -> set[tuple]:
    """(code, name, kind, parent code, population, depth) of every unit in the database."""
    db.session.expire_all()
    units = db.session.scalars(select(Unit)).all()
    code_of = {u.id: u.code for u in units}
    return {
        (u.code, u.name, u.kind, code_of.get(u.parent_id, ""), u.population, u.depth) for u in units
    }


def problems(app, data: bytes, scope: str | None = None) -> list[tuple]:
    """(row, column, English message) of every problem found in `data`."""
    with english(app):
        result = read_units(data, known_units(), scope)
        return [(p.row, p.column, str(p.message)) for p in result.problems]


def test_the_template_reads_back_and_builds_its_example_tree(ctx):
    result = read_units(template_workbook())
    assert result.problems == []
    assert [r.code for r in result.rows] == ["T-SL", "H-DT", "X-SM", "X-BL", "CA-SL"]
    summary = apply_units(result.rows)
    db.session.commit()
    assert (summary.created, summary.updated) == (5, 0)
    assert ("X-SM", "Xã Suối Mát", "Xã", "H-DT", 7300, 2) in tree()
    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    assert book.sheetnames == [DATA_SHEET, "Hướng dẫn"]


def test_messy_but_clear_input_is_accepted(ctx):
    make_units()
    decomposed = unicodedata.normalize("NFD", "  Xã   Đồi Thông ")
    data = workbook(
        [
            ["X2", "Xã Hai", "xã", "H9", "1 200", "ghi chú"],  # its parent comes later
            [None] * 6,
            [" X1 ", decomposed, "Xã", "H9", "12.500", None],
            [],
            [101, "Đơn vị số", "Cơ quan", "P", 3000.0, None],
            ["H9", "Huyện Chín", "Huyện", "P", None, None],
        ],
        header=["ma don vi", "TÊN ĐƠN VỊ *", "Cap", "Mã  đơn vị cấp trên", "Dân số/Số đảng viên"]
        + ["Ghi chú"],
        title_row="DANH SÁCH ĐƠN VỊ TỈNH THỬ NGHIỆM",
        sheet="Sheet1",
    )
    result = read_units(data, known_units())
    assert result.problems == []
    rows = {r.code: r for r in result.rows}
    assert rows["X1"].name == "Xã Đồi Thông"
    assert unicodedata.is_normalized("NFC", rows["X1"].name)
    assert (rows["X1"].row, rows["X1"].population, rows["X2"].population) == (5, 12500, 1200)
    assert rows["101"].population == 3000
    apply_units(result.rows)
    db.session.commit()
    assert {
        ("X1", "Xã Đồi Thông", "Xã", "H9", 12500, 2),
        ("X2", "Xã Hai", "xã", "H9", 1200, 2),
        ("H9", "Huyện Chín", "Huyện", "P", None, 1),
    } <= tree()


def row(code="N1", name="Xã Mới", kind="Xã", parent="D1", population=None):
    return [code, name, kind, parent, population]


@pytest.mark.parametrize(
    ("bad", "column", "fragment"),
    [
        (row(code=None), "Mã đơn vị", "code is missing"),
        (row(name=""), "Tên đơn vị", "name is missing"),
        (row(code="D1-C1"), None, None),  # an existing code is an update, not a problem
        (row(code="OK1"), "Mã đơn vị", "also used on row 2"),
        (row(parent="NOWHERE"), "Mã đơn vị cấp trên", "NOWHERE is neither in the file"),
        (row(parent="N1"), "Mã đơn vị cấp trên", "its own parent"),
        (row(population="nhiều"), "Dân số / số đảng viên", "not a whole number"),
        (row(population=-5), "Dân số / số đảng viên", "not a whole number"),
        (row(population=12.5), "Dân số / số đảng viên", "not a whole number"),
        (row(population="12,5"), "Dân số / số đảng viên", "not a whole number"),
        (row(population=3_000_000_000), "Dân số / số đảng viên", "too large"),
        (row(code="X" * 41), "Mã đơn vị", "Too long: 41 characters, at most 40"),
        (row(name="T" * 201), "Tên đơn vị", "Too long: 201 characters, at most 200"),
        (row(kind="K" * 41), "Cấp", "Too long: 41 characters, at most 40"),
        (row(parent="P" * 41), "Mã đơn vị cấp trên", "Too long"),
    ],
)
def test_each_problem_is_reported_with_row_and_column(ctx, bad, column, fragment):
    make_units()
    found = problems(ctx, workbook([row(code="OK1"), bad]))
    if fragment is None:
        assert found == []
        return
    assert any(r == 3 and c == column and fragment in m for r, c, m in found), found


def test_every_problem_in_the_file_is_listed_at_once(ctx):
    make_units()
    found = problems(
        ctx,
        workbook(
            [
                row(code=None),
                row(code="A", parent="B"),
                row(code="B", parent="A"),
                row(code="C", population="x", parent="MISSING"),
                row(code="A", name=""),
            ]
        ),
    )
    where = sorted({(r, c) for r, c, _ in found})
    assert where == [
        (2, "Mã đơn vị"),
        (3, "Mã đơn vị cấp trên"),
        (4, "Mã đơn vị cấp trên"),
        (5, "Dân số / số đảng viên"),
        (5, "Mã đơn vị cấp trên"),
        (6, "Mã đơn vị"),
        (6, "Tên đơn vị"),
    ]
    loops = [m for r, c, m in found if "loop" in m]
    assert loops == [
        "The parent codes form a loop: A → B → A.",
        "The parent codes form a loop: B → A → B.",
    ]


def test_a_loop_through_existing_units_is_found(ctx):
    make_units()
    # P would go under one of its own communes: P → D1-C1 → D1 → P.
    found = problems(ctx, workbook([row(code="P", name="Tỉnh", parent="D1-C1")]))
    assert found == [(2, "Mã đơn vị cấp trên", "The parent codes form a loop: P → D1-C1 → D1 → P.")]
    # The same move is fine when the file also moves D1 out of P's way first.
    assert problems(ctx, workbook([row(code="P", parent="D1-C1"), row(code="D1", parent="")])) == []


def test_a_merged_unit_cannot_be_a_parent(ctx):
    units = make_units()
    merge_unit(units["D1-C1"], units["D1-C2"])
    db.session.commit()
    found = problems(ctx, workbook([row(parent="D1-C1")]))
    assert [(r, c) for r, c, _ in found] == [(2, "Mã đơn vị cấp trên")]
    assert "D1-C1 has been merged" in found[0][2]
    # Also when the merged unit is itself a row of the file (as in an exported tree).
    with_it = workbook([["D1-C1", "Xã D1-1", "Xã", "D1", None], row(code="N1", parent="D1-C1")])
    assert [(r, c) for r, c, _ in problems(ctx, with_it)] == [(3, "Mã đơn vị cấp trên")]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (workbook([], None, "Chỉ có tiêu đề", "Sheet1"), "No sheet has the header row"),
        (workbook([["x", "y"]], ["Mã", "Ghi chú"], sheet="Sheet1"), "No sheet has the header"),
        (workbook([[None] * 5]), "no units"),
    ],
)
def test_a_sheet_without_header_or_units_is_reported(ctx, data, fragment):
    found = problems(ctx, data)
    assert len(found) == 1 and found[0][:2] == (None, None) and fragment in found[0][2], found


def test_a_named_data_sheet_without_header_says_which_sheet(ctx):
    found = problems(ctx, workbook([["a", "b"]], header=["x", "y"], sheet=DATA_SHEET))
    assert found == [
        (
            None,
            None,
            "Sheet “Đơn vị” has no header row with the columns “Mã đơn vị” and “Tên đơn vị” "
            "in its first 10 rows.",
        )
    ]


def _damaged_sheet() -> bytes:
    """A workbook whose container is fine but whose sheet XML is cut short."""
    good = zipfile.ZipFile(io.BytesIO(workbook([row()])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in good.infolist():
            content = good.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                content = content[: len(content) // 2]
            archive.writestr(info, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "The file is empty."),
        (b"Ma don vi,Ten don vi\nD9,Xa chin\n", "This is not an Excel .xlsx file."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel file (.xls)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"), "password"),
        (b"PK\x03\x04 broken zip", "damaged"),
        (_damaged_sheet(), "damaged"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(ctx, data, fragment):
    with english(ctx), pytest.raises(FileRefused) as refused:
        read_units(data)
    with english(ctx):
        assert fragment in str(refused.value.message)


def test_a_formula_without_a_saved_value_is_a_problem(ctx):
    make_units()
    found = problems(ctx, workbook([["N1", '=CONCAT("Xã ", "Mới")', "Xã", "D1", None]]))
    assert [(r, c) for r, c, _ in found] == [(2, "Tên đơn vị")]
    assert "formula without a saved value" in found[0][2]


def test_existing_units_are_updated_by_code_and_moved_with_their_subtrees(ctx):
    units = make_units()
    ids = {code: u.id for code, u in units.items()}
    data = workbook(
        [
            ["D1", "Huyện Một (mới)", "Huyện", "P", 45000],  # renamed
            ["D1-C1", "Xã D1-1", "Xã", "D1", None],  # unchanged
            ["D2", "Huyện D2", "Huyện", "AG", None],  # moved with its communes
            ["D2-C3", "Xã D2-3", "Xã", "D2", 900],  # new
        ]
    )
    result = read_units(data, known_units())
    assert result.problems == []
    assert [(r.code, r.action, r.moves) for r in result.rows] == [
        ("D1", "update", False),
        ("D1-C1", "same", False),
        ("D2", "update", True),
        ("D2-C3", "new", False),
    ]
    summary = apply_units(result.rows)
    db.session.commit()
    assert (summary.created, summary.updated, summary.moved, summary.unchanged) == (1, 2, 1, 1)
    db.session.expire_all()
    assert db.session.get(Unit, ids["D1"]).population == 45000
    d2_path = f"/{ids['P']}/{ids['AG']}/{ids['D2']}/"
    assert db.session.get(Unit, ids["D2"]).path == d2_path
    assert db.session.get(Unit, ids["D2-C1"]).path == f"{d2_path}{ids['D2-C1']}/"
    assert db.session.get(Unit, ids["D2-C1"]).depth == 3
    new = db.session.scalar(select(Unit).where(Unit.code == "D2-C3"))
    assert (new.parent_id, new.depth, new.path) == (ids["D2"], 3, f"{d2_path}{new.id}/")


def test_one_bad_row_writes_nothing_and_a_failed_apply_rolls_back_whole(ctx):
    make_units()
    before = tree()
    bad = read_units(workbook([row(code="N1"), row(code="N2", parent="NOWHERE")]), known_units())
    assert not bad.ok and [r.code for r in bad.rows] == ["N1", "N2"]
    # The console applies only a clean read; a clean read applied to a tree that changed
    # meanwhile fails as a whole when the view rolls back.
    clean = read_units(workbook([row(code="N1"), row(code="N2", parent="D2")]), known_units())
    assert clean.ok
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    merge_unit(units["D2"], units["P"])
    db.session.commit()
    merged_tree = tree()
    with pytest.raises(UnitError):
        apply_units(clean.rows)
    db.session.rollback()
    assert tree() == merged_tree
    assert {c for c, *_ in before} == {c for c, *_ in tree()}


def test_export_then_import_gives_the_same_units(ctx):
    units = make_units()
    units["D1"].population = 52000
    units["AG"].name = '=HYPERLINK("http://x")'  # a cell a spreadsheet would run
    db.session.commit()
    original = tree()
    data = export_workbook()
    sheet = openpyxl.load_workbook(io.BytesIO(data))[DATA_SHEET]
    assert [c.value for c in sheet[1]] == [HEADER[0] + " *", HEADER[1] + " *", *HEADER[2:]]
    assert any(c.value == '\'=HYPERLINK("http://x")' for c in sheet["B"])
    again = read_units(data, known_units())
    assert again.problems == [] and {r.action for r in again.rows} == {"same"}
    assert apply_units(again.rows).unchanged == len(original)
    # Into an empty database: the same tree comes back.
    for unit in sorted(db.session.scalars(select(Unit)), key=lambda u: -u.depth):
        db.session.delete(unit)
        db.session.flush()
    db.session.commit()
    apply_units(read_units(data, known_units()).rows)
    db.session.commit()
    assert tree() == original


def test_a_scoped_importer_changes_only_units_below_their_own(ctx):
    units = make_units()
    scope = units["D1"].path
    ok = workbook(
        [
            ["D1", "Huyện D1", "Huyện", "P", 100],  # own unit, parent above unchanged
            ["D1-C1", "Xã D1-1", "Xã", "D1-C2", None],  # moved inside the scope
            ["N1", "Xã Mới", "Xã", "D1", None],
            ["N2", "Thôn Mới", "Thôn", "N1", None],
        ]
    )
    assert problems(ctx, ok, scope) == []
    bad = workbook(
        [
            ["D2", "Huyện D2", "Huyện", "P", None],
            ["N3", "Xã lạc", "Xã", "D2", None],
            ["N4", "Tỉnh mới", "Tỉnh", None, None],
            ["D1", "Huyện D1", "Huyện", "AG", None],
        ]
    )
    found = problems(ctx, bad, scope)
    assert [(r, c) for r, c, _ in found] == [
        (2, "Mã đơn vị"),
        (3, "Mã đơn vị cấp trên"),
        (4, "Mã đơn vị cấp trên"),
        (5, "Mã đơn vị cấp trên"),
    ]
    assert "D2 is outside your units" in found[0][2]
    assert "Only an administrator" in found[2][2]
    # An exported subtree imports back for the same organizer.
    exported = read_units(export_workbook(scope), known_units(), scope)
    assert exported.problems == []
    assert [r.code for r in exported.rows] == ["D1", "D1-C1", "D1-C2"]
    assert exported.rows[0].parent_code == "P"
