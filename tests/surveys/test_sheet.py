"""The survey workbook: the template, reading with every problem placed, the round trip."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import func, select

from quiz.extensions import db
from quiz.models.surveys import SurveyOption, SurveyResponse
from quiz.spreadsheets import FileRefused
from quiz.surveys.sheet_import import apply_survey_sheet, survey_to_sheet
from quiz.surveys.sheet_reader import parse_number, read_survey_sheet
from quiz.surveys.sheet_spec import SheetOption, SheetQuestion, SheetSection, SheetSurvey
from quiz.surveys.sheet_writer import example_survey, survey_workbook, template_workbook
from tests.factories import make_units
from tests.surveys.sheets import make_survey

HEADER = ["Loại", "Mã", "Nội dung", "Bắt buộc", "Chọn tối đa", "Có ô Khác", "Nhỏ nhất",
          "Lớn nhất", "Hiện khi câu", "Hiện khi trả lời", "Ghi chú"]  # fmt: skip


def workbook(rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Khảo sát"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def line(kind, code=None, text="Nội dung", **cells) -> list:
    order = ["required", "max_choices", "allow_other", "min_value", "max_value",
             "show_if_code", "show_if_value", "note"]  # fmt: skip
    return [kind, code, text, *(cells.get(key) for key in order)]


def problems(result) -> list[tuple[int | None, str | None]]:
    return sorted((p.row or 0, p.column or "") for p in result.problems)


def test_the_template_reads_back_as_its_example(ctx):
    result = read_survey_sheet(template_workbook())
    assert result.problems == []
    assert result.survey == example_survey()
    kinds = {q.kind for q in result.survey.questions()}
    assert kinds == {"single", "multiple", "scale", "grid", "number", "long_text", "date"}


def test_every_part_of_a_survey_survives_export_and_import(ctx):
    survey = SheetSurvey(
        [
            SheetSection("", questions=[SheetQuestion("A1", "short_text", "=Tên trường?")]),
            SheetSection(
                "Phần hai",
                show_if_code="A2",
                show_if_value="b",
                questions=[
                    SheetQuestion("A2", "single", "Chọn:", True, allow_other=True,
                                  options=[SheetOption("a", "-Một", "option"),
                                           SheetOption("b", "Hai", "option")]),
                    SheetQuestion("A3", "number", "Tuổi", min_value=1.5, max_value=120),
                ],
            ),
        ]
    )  # fmt: skip
    # A condition on a question of its own section is checked against earlier rows only:
    # A2 comes after the section row, so move the condition to the question instead.
    survey.sections[1].show_if_code = survey.sections[1].show_if_value = ""
    survey.sections[1].questions[1].show_if_code = "A2"
    survey.sections[1].questions[1].show_if_value = "b"
    result = read_survey_sheet(survey_workbook(survey))
    assert result.problems == []
    assert result.survey == survey


def test_a_clean_sheet_with_aliases_blank_values_and_labels_in_conditions(ctx):
    result = read_survey_sheet(
        workbook(
            [
                line("phan", text="Phần A"),
                line("mot lua chon", "Q1", "Có con dưới 5 tuổi?", required="co"),
                line("Lựa chọn", text="Có"),
                line("Lựa chọn", text="Không"),
                line("Số", "Q2", "Số con", min_value="0", max_value="1.000",
                     show_if_code="q1", show_if_value="có"),
            ]
        )
    )  # fmt: skip
    assert result.problems == []
    q1, q2 = result.survey.questions()
    assert q1.required and [(o.value, o.label) for o in q1.options] == [("1", "Có"), ("2", "Không")]
    assert (q2.show_if_code, q2.show_if_value, q2.max_value) == ("Q1", "1", 1000.0)


def test_each_problem_is_reported_at_its_row_and_column_and_nothing_is_kept(ctx):
    result = read_survey_sheet(
        workbook(
            [
                line("Lựa chọn", text="Lạc chỗ"),  # 2: no question above
                line("Một lựa chọn", "Q1", "Một?"),  # 3: only one option below
                line("Lựa chọn", text="Có"),  # 4
                line("Số", "Q1", "Trùng mã", max_choices="2"),  # 5: code, max_choices
                line("Nhiều lựa chọn", "Q3", "Chọn", max_choices="5"),  # 6: more than options
                line("Lựa chọn", "x", "X"),  # 7
                line("Lựa chọn", "x", "Y"),  # 8: value twice
                line("Hàng", text="Hàng"),  # 9: rows only in grids
                line("Văn bản ngắn", "Q4", "Vì sao?", show_if_code="Q9", show_if_value="1"),  # 10
                line("Văn bản ngắn", "Q5", "", show_if_code="Q3", show_if_value="z"),  # 11
                line("Câu đố", "Q6", "?"),  # 12: unknown kind
                line("Số", "Q7", "Tuổi", min_value="10", max_value="mười"),  # 13
            ]
        )
    )
    assert not result.ok
    assert problems(result) == [
        (2, "Loại"),
        (3, "Loại"),
        (5, "Chọn tối đa"),
        (5, "Mã"),
        (6, "Chọn tối đa"),
        (6, "Loại"),  # its second option was refused
        (8, "Mã"),
        (9, "Loại"),
        (10, "Hiện khi câu"),
        (11, "Hiện khi trả lời"),
        (11, "Nội dung"),
        (12, "Loại"),
        (13, "Lớn nhất"),
    ]
    assert all(p.sheet == "Khảo sát" for p in result.problems)


def test_a_sheet_of_sections_only_has_no_questions(ctx):
    result = read_survey_sheet(workbook([line("Phần", text="Trống")]))
    assert [(p.row, p.column) for p in result.problems] == [(None, None)]
    assert not result.ok


def test_a_damaged_file_is_refused_whole(ctx):
    with pytest.raises(FileRefused):
        read_survey_sheet(b"PK\x03\x04 not a workbook")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12.0), ("2,5", 2.5), ("2.5", 2.5), ("1.000", 1000.0), ("-3", -3.0), ("a", None)],
)
def test_numbers_are_read_as_people_type_them(raw, expected):
    assert parse_number(raw) == expected


def test_an_imported_survey_exports_back_to_the_same_sheet(ctx):
    units = make_units()
    survey = make_survey(units["D1"].id)
    assert [q.code for q in survey.questions] == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"]
    q6 = next(q for q in survey.questions if q.code == "Q6")
    q3 = next(q for q in survey.questions if q.code == "Q3")
    assert (q6.show_if_question_id, q6.show_if_value) == (q3.id, "1")
    assert survey_to_sheet(survey) == example_survey()
    again = read_survey_sheet(survey_workbook(survey_to_sheet(survey)))
    assert again.problems == [] and again.survey == example_survey()


def test_a_new_sheet_replaces_the_questionnaire_until_someone_answers(ctx):
    units = make_units()
    survey = make_survey(units["D1"].id)
    smaller = SheetSurvey([SheetSection("", questions=[SheetQuestion("X1", "date", "Ngày?")])])
    summary = apply_survey_sheet(survey, smaller)
    db.session.commit()
    assert (summary.sections, summary.questions, summary.options) == (1, 1, 0)
    assert [q.code for q in survey.questions] == ["X1"]
    assert db.session.scalar(select(func.count()).select_from(SurveyOption)) == 0
    db.session.add(SurveyResponse(survey_id=survey.id, submitted_on=dt.date(2026, 12, 1)))
    db.session.commit()
    with pytest.raises(ValueError):
        apply_survey_sheet(survey, example_survey())
