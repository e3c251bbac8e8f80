"""The survey workbook: one sheet, a row per section, question or option, in order.

Why one sheet and not three (sections, questions, options): an organizer
reads a questionnaire top to bottom, as respondents will, and an option
belongs to the question above it without repeating its code. This is the
shape of LimeSurvey's spreadsheet format, which organizers may know.

The reader finds columns by these headers (without diacritics or case),
the writer prints them, and the instructions sheet is generated from the
same list. What the rows parse into is plain data (`SheetSurvey`), so the
reader, the writer and their round trip need no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from quiz.spreadsheets import Column, Report, SheetSpec

DATA_SHEET = "Khảo sát"
INSTRUCTIONS_SHEET = "Hướng dẫn"

# Question kinds as the models store them, and how the sheet names them.
KIND_NAMES = {
    "section": "Phần",
    "single": "Một lựa chọn",
    "multiple": "Nhiều lựa chọn",
    "scale": "Thang đo",
    "grid": "Lưới",
    "number": "Số",
    "short_text": "Văn bản ngắn",
    "long_text": "Văn bản dài",
    "date": "Ngày",
    "option": "Lựa chọn",
    "row": "Hàng",
}
QUESTION_KINDS = (
    "single",
    "multiple",
    "scale",
    "grid",
    "number",
    "short_text",
    "long_text",
    "date",
)
CHOICE_KINDS = ("single", "multiple", "scale")  # answers are options: conditions, cross-tabs
WITH_OPTIONS = ("single", "multiple", "scale", "grid")
KIND_ALIASES = {
    "phan": "section", "muc": "section", "section": "section",
    "mot lua chon": "single", "chon mot": "single", "single": "single",
    "nhieu lua chon": "multiple", "chon nhieu": "multiple", "multiple": "multiple",
    "thang do": "scale", "thang diem": "scale", "scale": "scale",
    "luoi": "grid", "bang": "grid", "grid": "grid",
    "so": "number", "number": "number",
    "van ban ngan": "short_text", "tra loi ngan": "short_text", "short text": "short_text",
    "van ban dai": "long_text", "tra loi dai": "long_text", "long text": "long_text",
    "ngay": "date", "date": "date",
    "lua chon": "option", "phuong an": "option", "diem": "option", "option": "option",
    "hang": "row", "dong": "row", "row": "row",
}  # fmt: skip
YES_WORDS = ("co", "x", "yes", "true", "1", "bat buoc")
NO_WORDS = ("khong", "no", "false", "0", "")

COLUMNS: tuple[Column, ...] = (
    Column(
        "kind", "Loại", True, 40, 16,
        "Phần, Một lựa chọn, Nhiều lựa chọn, Thang đo, Lưới, Số, Văn bản ngắn, "
        "Văn bản dài, Ngày; dưới câu hỏi: Lựa chọn (phương án, điểm thang đo) và Hàng (lưới).",
        ("loai dong", "kieu", "kind", "type"),
    ),
    Column(
        "code", "Mã", False, 20, 10,
        "Câu hỏi: mã riêng (Q1, Q2...), bắt buộc, dùng trong tệp kết quả. "
        "Lựa chọn và hàng: giá trị ghi trong tệp kết quả (bỏ trống: 1, 2, 3...).",
        ("ma cau", "ma so", "gia tri", "code", "value"),
    ),
    Column(
        "text", "Nội dung", True, 2000, 60,
        "Tên phần, nội dung câu hỏi, hoặc nhãn của lựa chọn / hàng (bắt buộc).",
        ("noi dung cau hoi", "cau hoi", "nhan", "text", "label", "title"),
    ),
    Column(
        "required", "Bắt buộc", False, 20, 10,
        "Câu hỏi: Có hoặc Không (bỏ trống: Không).",
        ("bat buoc tra loi", "required"),
    ),
    Column(
        "max_choices", "Chọn tối đa", False, 10, 10,
        "Nhiều lựa chọn: số phương án được chọn nhiều nhất (bỏ trống: không giới hạn).",
        ("toi da", "so lua chon toi da", "max choices"),
    ),
    Column(
        "allow_other", "Có ô Khác", False, 20, 10,
        "Một / Nhiều lựa chọn: Có để thêm ô “Khác (ghi rõ)”.",
        ("khac", "co o khac", "allow other", "other"),
    ),
    Column(
        "min_value", "Nhỏ nhất", False, 20, 10, "Câu hỏi Số: giá trị nhỏ nhất được nhập.",
        ("gia tri nho nhat", "min", "minimum"),
    ),
    Column(
        "max_value", "Lớn nhất", False, 20, 10, "Câu hỏi Số: giá trị lớn nhất được nhập.",
        ("gia tri lon nhat", "max", "maximum"),
    ),
    Column(
        "show_if_code", "Hiện khi câu", False, 40, 12,
        "Phần hoặc câu hỏi chỉ hiện khi một câu trước đó (ghi mã, ví dụ Q3) ...",
        ("hien neu cau", "dieu kien cau", "show if question", "show if"),
    ),
    Column(
        "show_if_value", "Hiện khi trả lời", False, 500, 16,
        "... có câu trả lời này (giá trị hoặc nhãn của lựa chọn, ví dụ 1 hoặc Có).",
        ("co tra loi", "tra loi", "show if answer", "show if value"),
    ),
)  # fmt: skip

SPEC = SheetSpec(
    sheet=DATA_SHEET,
    columns=COLUMNS,
    finds_header=("kind", "text"),
    no_sheet=lambda: _l(
        "No sheet has the header row of the template (columns “Loại” and “Nội dung”). "
        "Download the template and copy your questionnaire into its sheet “%(sheet)s”.",
        sheet=DATA_SHEET,
    ),
    no_header=lambda sheet, n: _l(
        "Sheet “%(sheet)s” has no header row with the columns “Loại” and “Nội dung” "
        "in its first %(n)s rows.",
        sheet=sheet,
        n=n,
    ),
    empty=lambda: _l("The sheet has no questions."),
)
HEADER = {c.key: c.header for c in COLUMNS}


@dataclass
class SheetOption:
    value: str  # the code written in exports ("1")
    label: str
    role: str  # "option", "point" (scale and grid points) or "row" (grid rows)
    row: int = field(default=0, compare=False)


@dataclass
class SheetQuestion:
    code: str
    kind: str
    text: str
    required: bool = False
    max_choices: int | None = None
    allow_other: bool = False
    min_value: float | None = None
    max_value: float | None = None
    show_if_code: str = ""
    show_if_value: str = ""  # an option's value (labels are turned into values)
    options: list[SheetOption] = field(default_factory=list)
    row: int = field(default=0, compare=False)


@dataclass
class SheetSection:
    title: str
    show_if_code: str = ""
    show_if_value: str = ""
    questions: list[SheetQuestion] = field(default_factory=list)
    row: int = field(default=0, compare=False)


@dataclass
class SheetSurvey:
    sections: list[SheetSection] = field(default_factory=list)

    def questions(self) -> list[SheetQuestion]:
        return [q for s in self.sections for q in s.questions]


@dataclass
class SurveyReadResult(Report[object]):
    """The rows read (sections, questions, options, in order) and the survey they make."""

    survey: SheetSurvey = field(default_factory=SheetSurvey)
