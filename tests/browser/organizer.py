"""An organizer's hands on the console: the account, the bank file, the forms.

Fields are found by their Vietnamese labels and buttons by their names, as
a person finds them. The bank files are the app's own template (downloaded
from the console) filled in with openpyxl, as an organizer fills it in Excel.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from pathlib import Path

import openpyxl

from tests.browser.catalog import vi

USERNAME = "to-chuc-d1"
FULL_NAME = "Trần Văn Tổ Chức"
PASSWORD = "mat-khau-to-chuc-2025"
UNIT_CODE = "D1"  # Huyện D1 of tests.factories.make_units
UNIT_NAME = "Huyện D1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def create_organizer(app) -> None:
    """The account, made the way the README says: `flask create-admin --role organizer`."""
    result = app.test_cli_runner().invoke(
        args=[
            "create-admin",
            "--username",
            USERNAME,
            "--full-name",
            FULL_NAME,
            "--role",
            "organizer",
            "--unit",
            UNIT_CODE,
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output


def sign_in(page, password: str = PASSWORD) -> None:
    page.get_by_label(vi("Account")).fill(USERNAME)
    page.get_by_label(vi("Password")).fill(password)
    page.get_by_role("button", name=vi("Sign in")).click()


# --- the question bank file ---------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One question as the organizer types it in the template's columns."""

    code: str
    topic: str
    text: str
    choices: tuple[str, ...]
    correct: str = "A"
    difficulty: str = "Trung bình"
    explanation: str = ""


TOPIC_A = "Nghị quyết"
TOPIC_B = "Chuyển đổi số"


def _good(n: int, topic: str) -> Row:
    # The right answer is always the first option (A), whatever order a paper shows it in:
    # tests.scoring.simulate.play answers by that.
    return Row(
        f"NQ-{n:03d}",
        topic,
        f"Câu hỏi {n} về {topic.lower()}: đâu là phát biểu đúng?",
        tuple(f"Phương án {letter} của câu {n}" for letter in "ABCD"),
        explanation=f"Giải thích câu {n}.",
    )


# The bank as it should be: five questions on each topic.
GOOD_ROWS = [_good(n, TOPIC_A) for n in range(1, 6)] + [_good(n, TOPIC_B) for n in range(6, 11)]


def rows_with_mistakes() -> list[Row]:
    """The same bank with the slips people make, on sheet rows 3, 4, 5, 6 and 8."""
    rows = list(GOOD_ROWS)
    rows[1] = replace(rows[1], correct="")  # row 3: no right answer
    rows[2] = replace(rows[2], correct="E")  # row 4: only A to D exist
    rows[3] = replace(rows[3], difficulty="Rất khó")  # row 5
    rows[4] = replace(rows[4], choices=("Chỉ một phương án",))  # row 6
    rows[6] = replace(rows[6], text=rows[0].text)  # row 8: the same question as row 2
    return rows


def fill_template(template: Path, rows: list[Row]) -> bytes:
    """The downloaded template with its examples replaced by `rows` (header kept)."""
    book = openpyxl.load_workbook(template)
    sheet = book["Câu hỏi"]
    headers = [" ".join(str(c.value).replace("*", "").split()) for c in sheet[1]]
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        values = {
            "Mã câu hỏi": row.code,
            "Chủ đề": row.topic,
            "Mức độ": row.difficulty,
            "Câu hỏi": row.text,
            "Đáp án đúng": row.correct,
            "Giải thích": row.explanation,
        }
        for letter, choice in zip("ABCDEF", row.choices, strict=False):
            values[f"Đáp án {letter}"] = choice
        sheet.append([values.get(header) or None for header in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload_bank_file(page, path: Path) -> None:
    page.get_by_label(vi("Excel file (.xlsx)")).set_input_files(path)
    page.get_by_role("button", name=vi("Check the file")).click()


# --- forms ----------------------------------------------------------------------


def choose(page, label: str, option_text: str) -> None:
    """Pick the option of a labelled select whose visible text contains `option_text`."""
    select = page.get_by_label(label, exact=True)
    value = select.locator("option", has_text=option_text).first.get_attribute("value")
    select.select_option(value)
