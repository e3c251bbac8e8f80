"""Every row with content is read, whatever the sheet's records say; only those rows count."""

from __future__ import annotations

import functools
from datetime import date

import pytest

from quiz.spreadsheets import FileRefused
from tests.spreadsheets.xlsx import Day, Number, Sheet, formatting_rows, xlsx

LAST_ROW = 1_048_576  # Excel's last row


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_every_row_is_read_whatever_the_dimension_record_says(importer, prefix):
    # Written as another program would (shared strings; "x:" elements as .NET generators
    # write them), with a dimension record left stale at A1:F3 while the sheet holds
    # 50 rows and the columns go past F.
    rows = [importer.header] + [importer.row(n) for n in range(1, 51)]
    result = importer.read(xlsx(Sheet("Sheet1", rows, dimension="A1:F3", prefix=prefix)))
    assert result.problems == []
    assert len(result.rows) == 50
    assert (result.rows[0].row, result.rows[-1].row) == (2, 51)


def test_rows_that_only_carry_formatting_are_neither_counted_nor_refused(importer):
    # A range formatted down to Excel's last row: 30,000 styled rows without content
    # (more than the row limit) and a dimension record to row 1,048,576.
    rows = [importer.header] + [importer.row(n) for n in range(1, 6)]
    after = _formatting_down_the_sheet()
    sheet = Sheet("Sheet1", rows, dimension=f"A1:L{LAST_ROW}", after=after)
    result = importer.read(xlsx(sheet))
    assert result.problems == []
    assert [r.row for r in result.rows] == [2, 3, 4, 5, 6]


@functools.cache
def _formatting_down_the_sheet() -> str:
    return formatting_rows(7, 30_006) + formatting_rows(LAST_ROW, LAST_ROW)


def test_the_row_limit_counts_rows_with_content(importer, monkeypatch):
    monkeypatch.setattr("quiz.spreadsheets.reader.MAX_ROWS", 30)
    width = len(importer.header)
    spaced = [[*importer.header, "STT"]]
    for n in range(1, 31):  # 30 rows with content, 60 rows in all below the header
        spaced += [importer.row(n), [None] * width]
    spaces = [[" "] * width] * 10  # cells of spaces only
    numbered = [[None] * width + [n] for n in range(31, 46)]  # "STT" filled further down
    assert len(importer.read(xlsx(Sheet("Sheet1", spaced + spaces + numbered))).rows) == 30
    one_more = [*spaced, importer.row(31)]
    with pytest.raises(FileRefused) as refused:
        importer.read(xlsx(Sheet("Sheet1", one_more)))
    assert str(refused.value.message) == (
        "The file has more than 30 rows; split it into several files."
    )


def test_a_generated_file_reads_whole_with_its_floats_and_dates(ctx, english):
    """Written as report generators and Google Sheets write: numbers as floats (0900000201
    typed as a number becomes 9.00000201E8, a population 12500.0), dates as serial numbers
    with a date style, and a placeholder dimension record (A1:A1) written before the rows."""
    from quiz.banks.reader import read_bank
    from quiz.conferences.delegate_import import read_delegates
    from quiz.units.reader import read_units
    from tests.conferences.helpers import make_conference

    header = ["Họ và tên", "Chức vụ", "Đơn vị", "Số điện thoại", "Năm sinh"]
    row = ["Lò Văn Số", "", "", Number("9.00000201E8"), Number("1985.0")]
    data = xlsx(Sheet("DS", [header, row], "A1:A1"), strings="inline")
    delegates = read_delegates(data, make_conference(None))
    assert [(d.phone, d.birth_year) for d in delegates.rows] == [("0900000201", 1985)]
    rows = [["Mã đơn vị", "Tên đơn vị", "Dân số"], ["X", "Xã Một", Number("12500.0")]]
    units = read_units(xlsx(Sheet("DV", rows, "A1:A1"), strings="inline"))
    assert [u.population for u in units.rows] == [12500]
    question = ["Q1", "Lịch sử", "Dễ", "Ngày thành lập Đảng?", Day(date(1930, 2, 3)), "Khác", "A"]
    bank = read_bank(xlsx(Sheet("CH", [HEADER_7, question], "A1:A1"), strings="inline"))
    assert [q.choices for q in bank.questions] == [["03/02/1930", "Khác"]]


HEADER_7 = ["Mã câu hỏi", "Chủ đề", "Mức độ", "Câu hỏi", "Đáp án A", "Đáp án B", "Đáp án đúng"]


def test_far_too_many_rows_are_refused_before_any_is_parsed(ctx, english, monkeypatch):
    """More than twice the limit in rows with anything in them: refused from the scan alone.
    Row 12 holds a number openpyxl cannot parse, so parsing would have called it damaged."""
    from quiz.units.reader import read_units

    monkeypatch.setattr("quiz.spreadsheets.reader.MAX_ROWS", 30)
    rows = [["Mã đơn vị", "Tên đơn vị"]] + [[f"X{n}", f"Xã {n}"] for n in range(1, 62)]
    rows[11][1] = Number("không phải số")
    with pytest.raises(FileRefused) as refused:
        read_units(xlsx(Sheet("Sheet1", rows)))
    assert str(refused.value.message) == (
        "The file has more than 30 rows; split it into several files."
    )
