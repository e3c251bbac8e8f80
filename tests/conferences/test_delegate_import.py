"""Delegate lists from Excel: every problem reported with its row and column, all or nothing."""

from __future__ import annotations

import io

import openpyxl
import pytest

from quiz.banks.workbook import FileRefused
from quiz.conferences.delegate_import import apply_delegates, read_delegates, template_workbook
from quiz.extensions import db
from tests.conferences.helpers import delegates_of, make_conference

HEADER = ["Họ và tên", "Chức vụ", "Đơn vị", "Số điện thoại", "Điểm cầu"]


def workbook(rows, header=HEADER, title_rows=0) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for _ in range(title_rows):
        sheet.append(["DANH SÁCH ĐẠI BIỂU"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def conference(ctx):
    return make_conference(None)


def test_good_list_is_read_and_applied(conference):
    data = workbook(
        [
            ["Hà Văn Mới", "Trưởng phòng", "Xã Mẫu", 900000201, "Điểm cầu A"],  # number cell
            ["  Lò   Thị Hai ", "", "", "+84 900 000 202", "điểm cầu b"],
        ],
        title_rows=2,
    )
    result = read_delegates(data, conference)
    assert result.ok, result.problems
    assert [r.phone for r in result.rows] == ["0900000201", "0900000202"]
    assert result.rows[1].full_name == "Lò Thị Hai"
    assert result.rows[1].point_id == conference.points[1].id
    summary = apply_delegates(conference, result.rows)
    db.session.commit()
    assert (summary.added, summary.updated) == (2, 0)
    assert len(delegates_of(conference)) == 5


def test_listed_phone_updates_the_delegate_and_keeps_the_code(conference):
    first = delegates_of(conference)[0]
    secret = first.secret
    result = read_delegates(
        workbook([["Tên Đã Sửa", "Phó chủ tịch", "", "0900000001", ""]]), conference
    )
    summary = apply_delegates(conference, result.rows)
    db.session.commit()
    db.session.refresh(first)
    assert (summary.added, summary.updated) == (0, 1)
    assert (first.full_name, first.position, first.secret) == ("Tên Đã Sửa", "Phó chủ tịch", secret)


def problems(conference, rows, header=HEADER):
    result = read_delegates(workbook(rows, header), conference)
    assert not result.ok
    return [(p.row, p.column) for p in result.problems]


def test_bad_rows_are_all_reported_by_row_and_column(conference):
    found = problems(
        conference,
        [
            ["Hà Văn Một", "", "", "0900000301", ""],
            ["X1", "", "", "12345", "Điểm cầu Z"],
            ["Hà Văn Ba", "", "", "0900000301", ""],
            ["", "Chức vụ không tên", "", "", ""],
            ["Hà Văn Năm", "x" * 201, "", "", ""],
        ],
    )
    assert (3, "Họ và tên") in found
    assert (3, "Số điện thoại") in found
    assert (3, "Điểm cầu") in found
    assert (4, "Số điện thoại") in found  # same phone as row 2
    assert (5, "Họ và tên") in found
    assert (6, "Chức vụ") in found


def test_file_without_a_name_column_is_refused_whole(conference):
    assert problems(conference, [["a", "b"]], header=["Cột 1", "Cột 2"]) == [(None, None)]


def test_empty_list_is_a_problem(conference):
    assert problems(conference, []) == [(None, None)]


@pytest.mark.parametrize("data", [b"", b"not excel", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls"])
def test_unreadable_files_are_refused(conference, data):
    with pytest.raises(FileRefused):
        read_delegates(data, conference)


def test_template_reads_back_cleanly(conference):
    result = read_delegates(template_workbook(), conference)
    assert result.ok and result.rows[0].full_name == "Lò Thị Mai"
