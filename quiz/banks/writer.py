"""Writing the bank template and exporting banks, from the shared column spec."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from quiz.banks.spec import (
    CHOICE_LETTERS,
    COLUMNS,
    DATA_SHEET,
    DIFFICULTY_NAMES,
    INSTRUCTIONS_SHEET,
)
from quiz.formatting import number
from quiz.spreadsheets.limits import MAX_ROWS
from quiz.spreadsheets.writing import neutralise, write_header

EXAMPLES = [
    {
        "code": "VD-001",
        "topic": "Chuyển đổi số",
        "difficulty": "Dễ",
        "text": "Chuyển đổi số quốc gia dựa trên mấy trụ cột chính?",
        "choices": ["Hai", "Ba", "Bốn", "Năm"],
        "correct": "B",
        "explanation": "Ba trụ cột: chính quyền số, kinh tế số và xã hội số.",
    },
    {
        "code": "VD-002",
        "topic": "An toàn thông tin",
        "difficulty": "Trung bình",
        "text": "Những việc nào giúp bảo vệ tài khoản trực tuyến? (chọn tất cả đáp án đúng)",
        "choices": [
            "Bật xác thực hai lớp",
            "Dùng chung một mật khẩu cho mọi tài khoản",
            "Không cung cấp mã OTP cho người khác",
        ],
        "correct": "A, C",
        "explanation": "Xác thực hai lớp và giữ bí mật mã OTP giúp chống chiếm đoạt tài khoản.",
    },
]


def _row(question: dict) -> list:
    choices = list(question["choices"]) + [""] * (len(CHOICE_LETTERS) - len(question["choices"]))
    by_key = {
        "code": question["code"],
        "topic": question["topic"],
        "difficulty": question["difficulty"],
        "text": question["text"],
        "correct": question["correct"],
        "explanation": question.get("explanation", ""),
    }
    for letter, choice in zip(CHOICE_LETTERS, choices, strict=True):
        by_key[f"choice_{letter}"] = choice
    return [neutralise(by_key[c.key]) for c in COLUMNS]


def _data_sheet(workbook: Workbook, rows: list[dict]) -> None:
    sheet = workbook.create_sheet(DATA_SHEET, 0)
    write_header(sheet, COLUMNS)
    for question in rows:
        sheet.append(_row(question))
    difficulty_col = get_column_letter([c.key for c in COLUMNS].index("difficulty") + 1)
    choice = DataValidation(
        type="list",
        formula1='"' + ",".join(DIFFICULTY_NAMES.values()) + '"',
        allow_blank=True,
        errorTitle="Mức độ",
        error="Chọn Dễ, Trung bình hoặc Khó.",
        showErrorMessage=True,
    )
    sheet.add_data_validation(choice)
    choice.add(f"{difficulty_col}2:{difficulty_col}{MAX_ROWS + 1}")


def _instructions(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(INSTRUCTIONS_SHEET)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 90
    sheet.append(["MẪU NGÂN HÀNG CÂU HỎI TRẮC NGHIỆM"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    lines = [
        f"Nhập câu hỏi vào trang tính “{DATA_SHEET}”, mỗi câu một dòng, giữ nguyên dòng tiêu đề.",
        "Cột có dấu * là bắt buộc. Mỗi câu có từ 2 đến 6 đáp án, điền liên tục từ cột Đáp án A.",
        "Đáp án đúng ghi bằng chữ cái (B); nhiều đáp án đúng ghi cách nhau bằng dấu phẩy (A, C).",
        "Hệ thống chấp nhận chữ thường (b), “B.”, “Đáp án B”; dòng trống được bỏ qua.",
        f"Tối đa {number(MAX_ROWS, 'vi')} câu mỗi tệp, tệp .xlsx không đặt mật khẩu.",
        "Nhập lại cùng mã câu hỏi sẽ cập nhật câu hỏi; "
        "câu đã dùng trong bài thi được giữ phiên bản cũ.",
    ]
    for line in lines:
        sheet.append(["", line])
    sheet.append([])
    sheet.append(["Cột", "Ý nghĩa"])
    for column in COLUMNS:
        sheet.append([column.header + (" *" if column.required else ""), column.note])


def template_workbook() -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    _data_sheet(workbook, EXAMPLES)
    _instructions(workbook)
    return _bytes(workbook)


def export_workbook(questions) -> bytes:
    """A bank's current questions in the template's layout (imports back unchanged)."""
    rows = [
        {
            "code": q.code,
            "topic": q.topic,
            "difficulty": DIFFICULTY_NAMES[q.difficulty],
            "text": q.text,
            "choices": list(q.choices),
            "correct": ", ".join(CHOICE_LETTERS[i] for i in q.correct),
            "explanation": q.explanation or "",
        }
        for q in questions
    ]
    workbook = Workbook()
    workbook.remove(workbook.active)
    _data_sheet(workbook, rows)
    _instructions(workbook)
    return _bytes(workbook)


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
