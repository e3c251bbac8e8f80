"""Writing the survey template and exporting a survey back to it, from the shared spec.

An exported survey reads back into the same sections, questions and
options (the round-trip test holds it to that), so an organizer can copy
last year's questionnaire, edit it in Excel and import it as a new survey.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from quiz.spreadsheets.limits import MAX_ROWS
from quiz.spreadsheets.writing import neutralise, write_header
from quiz.surveys.sheet_spec import (
    COLUMNS,
    DATA_SHEET,
    INSTRUCTIONS_SHEET,
    KIND_NAMES,
    SheetOption,
    SheetQuestion,
    SheetSection,
    SheetSurvey,
)

YES, NO = "Có", "Không"


def example_survey() -> SheetSurvey:
    """The template's example: one of each thing a questionnaire has."""

    def options(*labels: str, role: str = "option") -> list[SheetOption]:
        return [SheetOption(str(n), label, role) for n, label in enumerate(labels, start=1)]

    agree = ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng")
    return SheetSurvey(
        [
            SheetSection(
                "Thông tin chung",
                questions=[
                    SheetQuestion("Q1", "single", "Anh/chị đã tham gia học tập trực tuyến chưa?",
                                  True, options=options("Có", "Chưa")),
                    SheetQuestion("Q2", "number", "Anh/chị học trực tuyến mấy giờ mỗi tuần?",
                                  min_value=0, max_value=80),
                ],
            ),
            SheetSection(
                "Đánh giá",
                show_if_code="Q1",
                show_if_value="1",
                questions=[
                    SheetQuestion("Q3", "scale", "Mức độ hài lòng chung?", True,
                                  options=options(*agree, role="point")),
                    SheetQuestion(
                        "Q4", "multiple", "Anh/chị học qua thiết bị nào?", max_choices=2,
                        allow_other=True, options=options("Điện thoại", "Máy tính", "Ti vi"),
                    ),
                    SheetQuestion(
                        "Q5", "grid", "Đánh giá từng mặt:",
                        options=[*options("Nội dung", "Đường truyền", role="row"),
                                 *options("Kém", "Được", "Tốt", role="point")],
                    ),
                    SheetQuestion("Q6", "long_text", "Góp ý của anh/chị:",
                                  show_if_code="Q3", show_if_value="1"),
                    SheetQuestion("Q7", "date", "Ngày anh/chị học buổi gần nhất:"),
                ],
            ),
        ]
    )  # fmt: skip


def _number(value: float | None):
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else value


def sheet_rows(survey: SheetSurvey) -> list[dict]:
    """The survey as the sheet's rows (the console's table shows the same rows)."""
    rows: list[dict] = []
    for index, section in enumerate(survey.sections):
        if index or section.title or section.show_if_code:
            rows.append(
                {
                    "kind": KIND_NAMES["section"],
                    "text": section.title,
                    "show_if_code": section.show_if_code,
                    "show_if_value": section.show_if_value,
                }
            )
        for q in section.questions:
            rows.append(
                {
                    "kind": KIND_NAMES[q.kind],
                    "code": q.code,
                    "text": q.text,
                    "required": YES if q.required else "",
                    "max_choices": q.max_choices or "",
                    "allow_other": YES if q.allow_other else "",
                    "min_value": _number(q.min_value),
                    "max_value": _number(q.max_value),
                    "show_if_code": q.show_if_code,
                    "show_if_value": q.show_if_value,
                }
            )
            # Grid rows first, then the points: the order a reader of the sheet expects.
            for option in sorted(q.options, key=lambda o: o.role != "row"):
                kind = KIND_NAMES["row" if option.role == "row" else "option"]
                rows.append({"kind": kind, "code": option.value, "text": option.label})
    return rows


def _data_sheet(workbook: Workbook, survey: SheetSurvey) -> None:
    sheet = workbook.create_sheet(DATA_SHEET, 0)
    write_header(sheet, COLUMNS)
    for row in sheet_rows(survey):
        sheet.append([neutralise(row.get(c.key, "")) for c in COLUMNS])
    kinds = DataValidation(
        type="list",
        formula1='"' + ",".join(KIND_NAMES.values()) + '"',
        allow_blank=False,
        showErrorMessage=False,  # aliases ("Phan", "Lua chon") are accepted too
    )
    sheet.add_data_validation(kinds)
    kinds.add(f"A2:A{MAX_ROWS + 1}")
    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    sheet.add_data_validation(yes_no)
    for key in ("required", "allow_other"):
        letter = get_column_letter([c.key for c in COLUMNS].index(key) + 1)
        yes_no.add(f"{letter}2:{letter}{MAX_ROWS + 1}")


def _instructions(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(INSTRUCTIONS_SHEET)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 100
    sheet.append(["MẪU PHIẾU KHẢO SÁT"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    lines = [
        f"Nhập phiếu vào trang tính “{DATA_SHEET}”, mỗi dòng một phần, một câu hỏi "
        "hoặc một lựa chọn, theo thứ tự hiện cho người trả lời; giữ nguyên dòng tiêu đề.",
        "Dòng “Phần” mở một phần mới; các câu hỏi bên dưới thuộc phần đó.",
        "Ngay dưới câu Một lựa chọn, Nhiều lựa chọn, Thang đo: các dòng “Lựa chọn” "
        "(ít nhất 2). Câu Lưới: các dòng “Hàng” rồi các dòng “Lựa chọn” (các mức chung).",
        "Điều kiện: ghi mã một câu phía trên ở cột “Hiện khi câu” và giá trị hoặc nhãn "
        "của lựa chọn ở cột “Hiện khi trả lời”.",
        "Tệp được kiểm tra toàn bộ trước khi nhập: có lỗi thì không nhập dòng nào.",
    ]
    for line in lines:
        sheet.append(["", line])
    sheet.append([])
    sheet.append(["Cột", "Ý nghĩa"])
    for column in COLUMNS:
        sheet.append([column.header + (" *" if column.required else ""), column.note])


def survey_workbook(survey: SheetSurvey) -> bytes:
    """A survey in the template's layout (imports back unchanged)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _data_sheet(workbook, survey)
    _instructions(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook() -> bytes:
    return survey_workbook(example_survey())
