"""Importing a question bank from the Excel template (the command-line import)."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from quiz.banks.importer import apply_import, existing_keys
from quiz.banks.reader import parse_correct, read_bank
from quiz.banks.workbook import FileRefused
from quiz.banks.writer import export_workbook, template_workbook
from quiz.extensions import db
from quiz.models import Question, QuestionBank

ROOT = Path(__file__).resolve().parents[2]
HEADER = [
    "Mã câu hỏi",
    "Chủ đề",
    "Mức độ",
    "Câu hỏi",
    "Đáp án A",
    "Đáp án B",
    "Đáp án C",
    "Đáp án D",
    "Đáp án E",
    "Đáp án F",
    "Đáp án đúng",
    "Giải thích",
]


def workbook(rows, header=HEADER, title_row=None, sheet="Câu hỏi") -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    if title_row:
        ws.append([title_row])
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(
    code="Q1", text="Thủ đô của Việt Nam là?", correct="B", choices=("Huế", "Hà Nội", "Đà Nẵng")
):
    cells = list(choices) + [None] * (6 - len(choices))
    return [code, "Địa lý", "Dễ", text, *cells, correct, "Hà Nội là thủ đô."]


def test_the_sample_bank_reads_without_a_single_problem():
    result = read_bank((ROOT / "question_banks" / "sample_bank.xlsx").read_bytes())
    assert result.problems == []
    assert len(result.questions) >= 60
    assert {q.topic for q in result.questions} >= {"Chuyển đổi số", "An toàn thông tin"}
    assert any(len(q.correct) > 1 for q in result.questions)


def test_the_template_reads_back_its_two_examples():
    result = read_bank(template_workbook())
    assert result.problems == []
    assert [q.code for q in result.questions] == ["VD-001", "VD-002"]
    assert result.questions[1].correct == [0, 2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("B", [1]),
        ("b", [1]),
        ("B.", [1]),
        ("Đáp án B", [1]),
        (" c ", [2]),
        ("A, C", [0, 2]),
        ("a;c", [0, 2]),
        ("AC", [0, 2]),
        ("A và C", [0, 2]),
        ("2", [1]),
    ],
)
def test_correct_answers_are_read_forgivingly(raw, expected):
    assert parse_correct(raw, 4) == (expected, None)


def test_messy_but_clear_input_is_accepted():
    decomposed = unicodedata.normalize("NFD", "  Thủ   đô của Việt Nam là?  ")
    data = workbook(
        [row(text=decomposed, correct="đáp án b"), [None] * 12, row("Q2", "Sông dài nhất?", "a")],
        header=HEADER + ["Ghi chú riêng"],
        title_row="NGÂN HÀNG CÂU HỎI MẪU",
    )
    result = read_bank(data)
    assert result.problems == []
    first = result.questions[0]
    assert first.text == "Thủ đô của Việt Nam là?"
    assert unicodedata.is_normalized("NFC", first.text)
    assert first.correct == [1]


@pytest.mark.parametrize(
    ("bad_row", "column", "fragment"),
    [
        (row(text=""), "Câu hỏi", "missing"),
        (row(choices=("Chỉ một",), correct="A"), "Đáp án B", "at least two"),
        (row(correct="E"), "Đáp án đúng", "not among the options"),
        (row(correct="Z"), "Đáp án đúng", "not an option letter"),
        (row(choices=("Huế", None, "Đà Nẵng"), correct="A"), "Đáp án B", "without gaps"),
    ],
)
def test_each_problem_is_reported_with_row_and_column(app, bad_row, column, fragment):
    with app.test_request_context(headers={"Cookie": "quiz_session="}):
        from flask import session

        session["lang"] = "en"
        result = read_bank(workbook([row("OK1", "Câu hợp lệ?"), bad_row]))
        messages = [(p.row, p.column, str(p.message)) for p in result.problems]
    assert any(r == 3 and c == column and fragment in m for r, c, m in messages), messages


def test_duplicates_in_the_file_and_against_the_bank_are_reported(ctx):
    data = workbook([row("Q1"), row("Q2", text="thủ đô của  việt nam là?")])
    assert any(p.row == 3 and p.column == "Câu hỏi" for p in read_bank(data).problems)
    bank = QuestionBank(code="B", title="B")
    apply_import(bank, read_bank(workbook([row("Q1")])).questions)
    db.session.commit()
    again = read_bank(workbook([row("Q9")]), existing_keys(bank))
    assert any("Q1" in str(p.message) for p in again.problems)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"plain text, not a workbook", "not an Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"), "password"),
        (b"PK\x03\x04 broken zip", "damaged"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(app, data, fragment):
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        with pytest.raises(FileRefused) as refused:
            read_bank(data)
        assert fragment in str(refused.value.message)


def test_a_decompression_bomb_is_refused(app):
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 50_000_000)
    with app.test_request_context(), pytest.raises(FileRefused):
        read_bank(out.getvalue())


def test_import_is_all_or_nothing_and_reimport_versions_changed_questions(ctx):
    bank = QuestionBank(code="B", title="B")
    apply_import(bank, read_bank(workbook([row("Q1"), row("Q2", "Câu hai?")])).questions)
    db.session.commit()
    assert bank.revision == 1
    changed = read_bank(
        workbook([row("Q1", correct="C"), row("Q2", "Câu hai?")]), existing_keys(bank)
    )
    assert changed.problems == []
    summary = apply_import(bank, changed.questions)
    db.session.commit()
    assert (summary.added, summary.updated, summary.unchanged) == (0, 1, 1)
    versions = db.session.execute(
        select(Question.code, Question.version, Question.is_current, Question.correct).order_by(
            Question.code, Question.version
        )
    ).all()
    assert versions == [("Q1", 1, False, [1]), ("Q1", 2, True, [2]), ("Q2", 1, True, [1])]


def test_export_then_import_gives_the_same_questions(ctx):
    original = read_bank((ROOT / "question_banks" / "sample_bank.xlsx").read_bytes()).questions
    bank = QuestionBank(code="S", title="S")
    apply_import(bank, original)
    db.session.commit()
    current = db.session.scalars(select(Question).order_by(Question.id)).all()
    again = read_bank(export_workbook(current), existing_keys(bank))
    assert again.problems == []
    assert [
        (q.code, q.text, q.choices, q.correct, q.topic, q.difficulty, q.explanation)
        for q in again.questions
    ] == [
        (q.code, q.text, q.choices, q.correct, q.topic, q.difficulty, q.explanation)
        for q in original
    ]


def test_cells_that_would_be_formulas_are_neutralised_on_export(ctx):
    bank = QuestionBank(code="F", title="F")
    # Typed in Excel as '=… (a literal), which the reader takes without the apostrophe.
    typed = read_bank(workbook([row("Q1", text='\'=HYPERLINK("http://x")?')]))
    assert typed.questions[0].text == '=HYPERLINK("http://x")?'
    apply_import(bank, typed.questions)
    db.session.commit()
    data = export_workbook(db.session.scalars(select(Question)).all())
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Câu hỏi"]
    cell = sheet.cell(row=2, column=4)
    assert cell.data_type == "s" and cell.value.startswith("'=")
    assert read_bank(data).questions[0].text == '=HYPERLINK("http://x")?'


def test_command_line_import_reports_problems_and_writes_nothing(app, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([row("Q1"), row("Q2", text="")]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-bank", str(bad), "--bank", "CLI"])
    assert result.exit_code != 0
    # In Vietnamese, as every command speaks: "row 3 · Câu hỏi: …", "nothing was imported".
    assert "Dòng 3 · Câu hỏi:" in result.output
    assert "chưa có dữ liệu nào được nhập" in result.output
    good = ROOT / "question_banks" / "sample_bank.xlsx"
    result = runner.invoke(args=["import-bank", str(good), "--bank", "CLI", "--title", "Mẫu"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(QuestionBank.title)) == "Mẫu"
        assert db.session.query(Question).count() >= 60


def test_a_formula_without_a_saved_value_is_a_problem(app):
    # openpyxl writes formulas without a cached value, as some tools do.
    data = workbook(
        [
            row("Q1"),
            ["Q2", "Địa lý", "Dễ", '=A1&"?"', "Có", "Không", None, None, None, None, "A", ""],
        ]
    )
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        result = read_bank(data)
        problems = [(p.row, p.column, str(p.message)) for p in result.problems]
    assert problems and problems[0][:2] == (3, "Câu hỏi")
    assert "formula without a saved value" in problems[0][2]
