"""Survey exports: one row per response with a codebook, CSV, and people only where allowed."""

from __future__ import annotations

import csv
import datetime as dt
import itertools

import openpyxl
import pytest
from flask_babel import force_locale
from rq import SimpleWorker
from sqlalchemy import select

from quiz.contest.registration import GENDER_CHOICES, OCCUPATION_CHOICES
from quiz.extensions import DEFAULT_QUEUE, db, get_queue, get_redis
from quiz.models import ExportFile, Gender, Occupation
from quiz.models.surveys import SurveyAnswer, SurveyResponse
from quiz.reports import export_jobs
from quiz.reports.survey_exports import (
    write_survey_csv,
    write_survey_people,
    write_survey_responses,
)
from tests.factories import make_entrant, make_units
from tests.surveys.sheets import add_responses, make_survey


@pytest.fixture
def survey(ctx):
    units = make_units()
    survey = make_survey(units["D1"].id)
    add_responses(
        survey, [units["D1-C1"].id], 25, seed=7, gender="female", occupation="armed_forces",
        age_band="18-30",
    )  # fmt: skip
    return survey


def sheet_rows(path, title) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [tuple(r) for r in book[title].iter_rows(values_only=True)]
    book.close()
    return rows


def test_each_response_is_a_row_named_by_question_codes_with_a_codebook(survey, tmp_path):
    path = tmp_path / "out.xlsx"
    assert write_survey_responses(path, survey.id) == 25
    rows = sheet_rows(path, "Phiếu trả lời")
    header = rows[0]
    assert header[:7] == ("Mã phiếu", "Đơn vị", "Ngày trả lời", "Nhóm tuổi", "Giới tính",
                          "Nghề nghiệp", "Cần xem xét")  # fmt: skip
    assert header[7:] == ("Q1", "Q2", "Q3", "Q4_1", "Q4_2", "Q4_3", "Q4_khac", "Q5_1", "Q5_2",
                          "Q6", "Q7")  # fmt: skip
    first_id = db.session.scalar(select(SurveyResponse.id).order_by(SurveyResponse.id))
    row = dict(zip(header, rows[1], strict=True))
    answers = db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.response_id == first_id))
    by_question = {q.id: q for q in survey.questions}
    for answer in answers:
        question = by_question[answer.question_id]
        option = next((o for o in question.options if o.id == answer.option_id), None)
        if question.code in ("Q1", "Q3"):
            assert row[question.code] == int(option.value)
        elif question.code == "Q4" and option is not None:
            assert row[f"Q4_{option.value}"] == 1
        elif question.code == "Q4":
            assert row["Q4_khac"] == answer.text
        elif question.code == "Q2":
            assert row["Q2"] == answer.number
        elif question.code == "Q6":  # formula-like text stays text
            assert row["Q6"] in ("Cần thêm bài giảng", "Mạng chậm", "'=1+1")
        elif question.code == "Q7":
            assert row["Q7"].date() == answer.date
    assert sorted(row[f"Q4_{v}"] for v in "123") == [0, 1, 1]  # two devices picked of three
    assert row["Ngày trả lời"].date() == dt.date(2026, 12, 1)
    assert (row["Giới tính"], row["Nhóm tuổi"], row["Đơn vị"].startswith("Xã D1-1")) == (
        "Nữ", "18-30", True,
    )  # fmt: skip
    assert row["Nghề nghiệp"] == "Lực lượng vũ trang"  # the form's words, never the stored code
    codebook = sheet_rows(path, "Mã hóa")
    assert codebook[0] == ("Cột", "Mã câu hỏi", "Câu hỏi", "Loại", "Giá trị")
    q3 = next(line for line in codebook if line[0] == "Q3")
    assert q3[3] == "Thang đo" and q3[4].startswith("1 = Rất không hài lòng; 2 = ")
    assert [line[0] for line in codebook[1:]] == list(header[7:])


def _form_words(locale: str, choices) -> dict[str, str]:
    """How the registration form words each stored value in `locale` (its labels as the
    form renders them, read here without going through the export's code)."""
    with force_locale(locale):
        return {c.value: str(c.label) for c in choices if c.value}


def _gender_and_occupation_cells(write, path, survey_id: int) -> list[tuple[str, str]]:
    write(path, survey_id)
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as source:
            rows = [tuple(line) for line in csv.reader(source)]
    else:
        rows = sheet_rows(path, "Phiếu trả lời")
    header = rows[0]
    g, o = header.index("Giới tính"), header.index("Nghề nghiệp")
    return [(row[g], row[o]) for row in rows[1:]]


@pytest.mark.parametrize(
    "write, name", [(write_survey_responses, "r.xlsx"), (write_survey_csv, "r.csv")]
)
def test_genders_and_occupations_read_as_the_registration_form_words_them_in_vietnamese(
    ctx, tmp_path, write, name
):
    units = make_units()
    survey = make_survey(units["D1"].id)
    stored = list(zip(itertools.cycle(Gender), Occupation, strict=False))  # every value once
    for k, (gender, occupation) in enumerate(stored):
        add_responses(survey, [units["D1-C1"].id], 1, seed=k, gender=gender, occupation=occupation)
    vi_genders = _form_words("vi", GENDER_CHOICES)
    vi_occupations = _form_words("vi", OCCUPATION_CHOICES)
    expected = [(vi_genders[g], vi_occupations[o]) for g, o in stored]
    assert _gender_and_occupation_cells(write, tmp_path / name, survey.id) == expected
    # The form's Vietnamese words, never a stored code nor the English they are keyed by.
    en_words = {**_form_words("en", GENDER_CHOICES), **_form_words("en", OCCUPATION_CHOICES)}
    for code, word in [*vi_genders.items(), *vi_occupations.items()]:
        assert word not in (code, en_words[code]), (code, word)


def test_the_csv_has_the_same_rows_in_utf8_with_a_byte_order_mark(survey, tmp_path):
    xlsx, text_path = tmp_path / "a.xlsx", tmp_path / "a.csv"
    write_survey_responses(xlsx, survey.id)
    assert write_survey_csv(text_path, survey.id) == 25
    assert text_path.read_bytes()[:3] == b"\xef\xbb\xbf"
    with text_path.open(encoding="utf-8-sig", newline="") as source:
        lines = list(csv.reader(source))
    assert tuple(lines[0]) == sheet_rows(xlsx, "Phiếu trả lời")[0]
    assert len(lines) == 26 and lines[1][2] == "01/12/2026"


def test_people_are_exported_only_for_identified_surveys(ctx, tmp_path):
    units = make_units()
    anonymous = make_survey(units["D1"].id, "an-danh")
    with pytest.raises(PermissionError):
        write_survey_people(tmp_path / "x.xlsx", anonymous.id)
    named = make_survey(units["D1"].id, "dinh-danh", anonymous=False)
    entrant = make_entrant(5, units["D1-C1"])
    add_responses(named, [units["D1-C1"].id], 1, person_entrant_id=entrant.id)
    write_survey_people(tmp_path / "p.xlsx", named.id)
    header, row = sheet_rows(tmp_path / "p.xlsx", "Phiếu trả lời")[:2]
    assert header[7:9] == ("Người trả lời", "Số điện thoại")
    assert row[7:9] == (entrant.full_name, entrant.phone)
    write_survey_responses(tmp_path / "r.xlsx", named.id)
    assert "Người trả lời" not in sheet_rows(tmp_path / "r.xlsx", "Phiếu trả lời")[0]


def test_a_worker_writes_the_csv_export_under_its_own_extension(survey):
    export = export_jobs.request_export("survey_csv", {"survey_id": survey.id}, None, 1)
    SimpleWorker([get_queue(DEFAULT_QUEUE)], connection=get_redis()).work(burst=True)
    done = db.session.get(ExportFile, export.id, populate_existing=True)
    assert (done.status, done.rows, done.filename) == ("ready", 25, f"{export.id}-survey_csv.csv")
    assert export_jobs.export_path(done).read_text(encoding="utf-8-sig").startswith("Mã phiếu,")
