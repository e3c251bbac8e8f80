"""The question bank workbook: its sheets and columns, defined once.

The reader finds columns by these headers (without diacritics, case or
punctuation, so "cau hoi" and "CÂU HỎI" both match), the writer prints
them, and the template's instructions are generated from the same list.
The limits every import shares are in `quiz.spreadsheets.limits`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from quiz.spreadsheets.spec import Column, SheetSpec

DATA_SHEET = "Câu hỏi"
INSTRUCTIONS_SHEET = "Hướng dẫn"
CHOICE_LETTERS = "ABCDEF"

DIFFICULTY_NAMES = {1: "Dễ", 2: "Trung bình", 3: "Khó"}
DIFFICULTY_ALIASES = {
    "de": 1,
    "1": 1,
    "easy": 1,
    "trung binh": 2,
    "tb": 2,
    "2": 2,
    "medium": 2,
    "kho": 3,
    "3": 3,
    "hard": 3,
}


COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "Mã câu hỏi",
        False,
        40,
        14,
        "Mã riêng của câu hỏi. Nhập lại cùng mã sẽ cập nhật câu hỏi đó.",
        ("ma", "ma cau", "code"),
    ),
    Column(
        "topic",
        "Chủ đề",
        True,
        100,
        22,
        "Chủ đề dùng để rút câu hỏi theo tỉ lệ (bắt buộc).",
        ("topic", "chu de cau hoi"),
    ),
    Column(
        "difficulty",
        "Mức độ",
        False,
        20,
        12,
        "Dễ, Trung bình hoặc Khó (bỏ trống: Trung bình).",
        ("do kho", "difficulty"),
    ),
    Column(
        "text",
        "Câu hỏi",
        True,
        2000,
        60,
        "Nội dung câu hỏi (bắt buộc).",
        ("noi dung cau hoi", "question"),
    ),
    *(
        Column(
            f"choice_{letter}",
            f"Đáp án {letter}",
            False,
            500,
            30,
            "Các lựa chọn điền liên tục từ A; ít nhất 2, nhiều nhất 6.",
            (
                f"phuong an {letter.lower()}",
                f"lua chon {letter.lower()}",
                f"choice {letter.lower()}",
                letter.lower(),
            ),
        )
        for letter in CHOICE_LETTERS
    ),
    Column(
        "correct",
        "Đáp án đúng",
        True,
        40,
        14,
        "Chữ cái của đáp án đúng, ví dụ B; nhiều đáp án: A, C.",
        ("dap an dung", "correct", "correct answer", "dap an chinh xac"),
    ),
    Column(
        "explanation",
        "Giải thích",
        False,
        2000,
        40,
        "Giải thích hiển thị sau khi chấm (không bắt buộc).",
        ("explanation", "loi giai"),  # never "Ghi chú": notes are not for entrants
    ),
)

COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
CHOICE_KEYS = tuple(f"choice_{letter}" for letter in CHOICE_LETTERS)

SPEC = SheetSpec(
    sheet=DATA_SHEET,
    columns=COLUMNS,
    finds_header=("text", "correct"),
    needs=("topic", "text", "correct", "choice_A", "choice_B"),
    no_sheet=lambda: _l(
        "No sheet has the header row of the template (columns “Câu hỏi” and "
        "“Đáp án đúng”). Download the template and copy your questions into "
        "its sheet “%(sheet)s”.",
        sheet=DATA_SHEET,
    ),
    no_header=lambda sheet, n: _l(
        "Sheet “%(sheet)s” has no header row with the columns “Câu hỏi” and "
        "“Đáp án đúng” in its first %(n)s rows.",
        sheet=sheet,
        n=n,
    ),
    empty=lambda: _l("The sheet has no questions."),
)
