"""A survey's responses, one row each, with a codebook: Excel or CSV, made by workers.

The layout is what statistics packages expect of survey data: one column
per variable named by the question's code (Q1; Q4_2 for an option of a
multiple-choice question, 1 chosen / 0 not; Q5_a for a grid's row; Q1_khac
for "other, please specify"), option values as numbers where they are
numbers, and a codebook sheet giving each column's question, kind and
value labels. The Excel file and its codebook import into SPSS, R or Stata
as they are, which is why there is no .sav export (see README).

Responses are read a chunk at a time by id (keyset pages) and their answers
by the same id range, so memory holds one chunk whatever the survey's size
(`bench/surveys.py`: 100,000 responses of 30 questions).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask_babel import force_locale
from openpyxl import Workbook
from sqlalchemy import select

from quiz.contest.registration import GENDER_CHOICES, OCCUPATION_CHOICES, choice_labels
from quiz.extensions import db
from quiz.models import Entrant
from quiz.models.conferences import Delegate
from quiz.models.surveys import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from quiz.reports.xlsx import CHUNK, DATE, NO, YES, Column, Sheet, save_book, text
from quiz.units.tree import unit_tree

KIND_LABELS = {
    "single": "Một lựa chọn", "multiple": "Nhiều lựa chọn", "scale": "Thang đo",
    "grid": "Lưới", "number": "Số", "short_text": "Văn bản ngắn",
    "long_text": "Văn bản dài", "date": "Ngày",
}  # fmt: skip
FIXED = (
    Column("Mã phiếu", 10),
    Column("Đơn vị", 40),
    Column("Ngày trả lời", 12, DATE),
    Column("Nhóm tuổi", 10),
    Column("Giới tính", 10),
    Column("Nghề nghiệp", 16),
    Column("Cần xem xét", 10),
)
PEOPLE = (Column("Người trả lời", 26), Column("Số điện thoại", 13))
CODEBOOK = (
    Column("Cột", 12),
    Column("Mã câu hỏi", 10),
    Column("Câu hỏi", 60),
    Column("Loại", 14),
    Column("Giá trị", 60),
)


def _value(raw: str) -> int | str:
    """Option values that are whole numbers are written as numbers (what analysis wants)."""
    return int(raw) if raw.isdigit() and len(raw) < 10 else text(raw)


@dataclass
class _Plan:
    """Where each answer of one question goes in the row."""

    kind: str
    column: int = -1  # single, scale, number, texts, date
    values: dict[int, object] = field(default_factory=dict)  # option id → cell value
    option_columns: dict[int, int] = field(default_factory=dict)  # multiple: option → column
    row_columns: dict[int, int] = field(default_factory=dict)  # grid: row option → column
    other_column: int = -1


@dataclass
class Layout:
    columns: list[Column]
    codebook: list[list]
    plans: dict[int, _Plan]


def layout(survey: Survey, first: int) -> Layout:
    """The question columns (from position `first`), their codebook and answer plans."""
    columns: list[Column] = []
    codebook: list[list] = []
    plans: dict[int, _Plan] = {}

    def add(name: str, q: SurveyQuestion, label: str, values: str, width=12, fmt=None) -> int:
        columns.append(Column(name, width, fmt))
        codebook.append([name, q.code, text(label), KIND_LABELS.get(q.kind, q.kind), values])
        return first + len(columns) - 1

    for q in survey.questions:
        plan = plans[q.id] = _Plan(q.kind)
        points = [o for o in q.options if o.role != "row"]
        labels = "; ".join(f"{o.value} = {o.label}" for o in points)
        plan.values = {o.id: _value(o.value) for o in points}
        if q.kind in ("single", "scale"):
            plan.column = add(q.code, q, q.text, text(labels))
        elif q.kind == "multiple":
            for o in points:
                plan.option_columns[o.id] = add(
                    f"{q.code}_{o.value}", q, f"{q.text} — {o.label}", "1 = Có chọn; 0 = Không chọn"
                )
        elif q.kind == "grid":
            for row in (o for o in q.options if o.role == "row"):
                plan.row_columns[row.id] = add(
                    f"{q.code}_{row.value}", q, f"{q.text} — {row.label}", text(labels)
                )
        else:
            width = 40 if q.kind.endswith("text") else 12
            plan.column = add(q.code, q, q.text, "", width, DATE if q.kind == "date" else None)
        if q.allow_other:
            plan.other_column = add(f"{q.code}_khac", q, f"{q.text} — Khác (ghi rõ)", "", 30)
    return Layout(columns, codebook, plans)


@dataclass
class _Targets:
    """Where each answer goes in a row, looked up by the ids an answer carries.

    Option ids are unique across questions, so a chosen option alone names
    its question and cell: the three million choices of a big survey are
    read as three integers each (`_choices`) and placed by one lookup.
    Answers without an option (numbers, texts, dates, "other") are few and
    go through their question's placer.
    """

    by_option: dict[int, tuple[int, object, tuple[int, ...]]]  # → column, value, its group
    by_row: dict[int, int]  # a grid's row → its column
    points: dict[int, object]  # a grid's point → its value
    placers: dict[int, Callable]  # question id → places an answer without an option


def _targets(shape: Layout) -> _Targets:
    targets = _Targets({}, {}, {}, {})
    for question_id, plan in shape.plans.items():
        targets.placers[question_id] = _placer(plan)
        if plan.kind in ("single", "scale"):
            for option_id, value in plan.values.items():
                targets.by_option[option_id] = (plan.column, value, ())
        elif plan.kind == "multiple":
            group = tuple(plan.option_columns.values())
            for option_id, column in plan.option_columns.items():
                targets.by_option[option_id] = (column, 1, group)
        elif plan.kind == "grid":
            targets.by_row.update(plan.row_columns)
            targets.points.update(plan.values)
    return targets


def _touch(cells: list, group: tuple[int, ...]) -> None:
    """A multiple-choice question answered: its options start at 0 (not chosen).
    All are set together, so the first one tells whether this was done."""
    if group and cells[group[0]] is None:
        for column in group:
            cells[column] = 0


def _placer(plan: _Plan) -> Callable[[list, object, object, object], None]:
    """What puts an answer without an option (number, text, date, "other") in its cell."""
    column, other = plan.column, plan.other_column
    group = tuple(plan.option_columns.values())

    def other_text(cells, _number, typed, _day):
        if other >= 0 and typed is not None:
            cells[other] = text(typed)
            _touch(cells, group)

    def number(cells, value, _typed, _day):
        cells[column] = int(value) if value is not None and value.is_integer() else value

    def day(cells, _number, _typed, value):
        # SQLite's driver returns dates as ISO text; PostgreSQL's as dates.
        cells[column] = date.fromisoformat(value) if isinstance(value, str) else value

    def typed_text(cells, _number, typed, _day):
        cells[column] = text(typed)

    if plan.kind in ("single", "scale", "multiple", "grid"):
        return other_text
    return {"number": number, "date": day}.get(plan.kind, typed_text)


def _place_answers(connection, low: int, high: int, rows: dict[int, list], targets) -> None:
    """Every answer of the chunk's responses into their rows' cells.

    Answers are read by the chunk's id range alone, without a join: ids in
    that range that belong to another survey's responses are not in `rows`
    and are skipped (cheaper than having the database join each chunk).
    """
    by_option, by_row, points = targets.by_option, targets.by_row, targets.points
    for response_id, option_id, row_id in _driver_rows(connection, _choices(low, high)):
        cells = rows.get(response_id)
        if cells is None:
            continue
        if row_id is not None:
            column = by_row.get(row_id)
            if column is not None:
                cells[column] = points.get(option_id)
            continue
        target = by_option.get(option_id)
        if target is not None:
            column, value, group = target
            if group and cells[group[0]] is None:
                _touch(cells, group)
            cells[column] = value
    for response_id, question_id, number, typed, day in _driver_rows(
        connection, _values(low, high)
    ):
        cells = rows.get(response_id)
        place = targets.placers.get(question_id)
        if cells is not None and place is not None:
            place(cells, number, typed, day)


def _driver_rows(connection, query) -> list[tuple]:
    """A chunk's rows as the driver returns them: a big survey's export reads millions
    of answers, and SQLAlchemy's row objects would cost about as much again. The
    query's only parameters are integers (ids), written into the SQL."""
    sql = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(sql))
        return cursor.fetchall()
    finally:
        cursor.close()


def _choices(low: int, high: int):
    """(response id, option id, row id) of every chosen option of responses low..high."""
    a = SurveyAnswer
    return select(a.response_id, a.option_id, a.row_option_id).where(
        a.response_id.between(low, high), a.option_id.is_not(None)
    )


def _values(low: int, high: int):
    """(response id, question id, number, text, date) of the answers without an option."""
    a = SurveyAnswer
    return select(a.response_id, a.question_id, a.number, a.text, a.date).where(
        a.response_id.between(low, high), a.option_id.is_(None)
    )


def form_words() -> tuple[dict[str, str], dict[str, str]]:
    """Genders and occupations as the registration form words them in Vietnamese, the
    language of every export: the file is read by people (and its CSV by packages that
    take labels as they are), never by the stored codes."""
    with force_locale("vi"):
        return choice_labels(GENDER_CHOICES), choice_labels(OCCUPATION_CHOICES)


def response_rows(survey: Survey, shape: Layout, people: bool = False) -> Iterator[list]:
    """Each response of the survey as a row, in id order, a chunk at a time."""
    units = {n.id: text(n.full_name) for n in unit_tree().nodes()}
    genders, occupations = form_words()
    width = len(FIXED) + (len(PEOPLE) if people else 0) + len(shape.columns)
    connection = db.session.connection()
    targets = _targets(shape)
    last = 0
    while True:
        chunk = connection.execute(
            select(SurveyResponse).where(
                SurveyResponse.survey_id == survey.id, SurveyResponse.id > last
            ).order_by(SurveyResponse.id).limit(CHUNK)
        ).all()  # fmt: skip
        if not chunk:
            return
        rows = {}
        for r in chunk:
            cells = [None] * width
            cells[:7] = [r.id, units.get(r.unit_id), r.submitted_on, text(r.age_band),
                         text(genders.get(r.gender, r.gender)),
                         text(occupations.get(r.occupation, r.occupation)),
                         YES if r.flagged else NO]  # fmt: skip
            rows[r.id] = cells
        if people:
            _people(chunk, rows)
        last = chunk[-1].id
        _place_answers(connection, chunk[0].id, last, rows, targets)
        yield from rows.values()


def _people(chunk, rows: dict[int, list]) -> None:
    """Identified surveys: the person behind each response, by their audience."""
    sources = (
        (Entrant, "person_entrant_id", Entrant.full_name, Entrant.phone),
        (Delegate, "person_delegate_id", Delegate.full_name, Delegate.phone),
        (SurveyInvitation, "person_invitation_id", SurveyInvitation.name, None),
    )
    for model, attribute, name, phone in sources:
        ids = {getattr(r, attribute) for r in chunk} - {None}
        if not ids:
            continue
        columns = [model.id, name] + ([phone] if phone is not None else [])
        found = {row[0]: row[1:] for row in db.session.execute(
            select(*columns).where(model.id.in_(ids)))}  # fmt: skip
        for r in chunk:
            person = found.get(getattr(r, attribute))
            if person is not None:
                rows[r.id][7] = text(person[0])
                rows[r.id][8] = text(person[1]) if len(person) > 1 else None


def _survey(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise LookupError(f"survey {survey_id} does not exist")
    return survey


def _write_book(path: Path | str, survey_id: int, people: bool) -> int:
    survey = _survey(survey_id)
    if people and survey.anonymous:
        raise PermissionError(f"survey {survey_id} is anonymous: it has no people to export")
    fixed = [*FIXED, *(PEOPLE if people else ())]
    shape = layout(survey, len(fixed))
    book = Workbook(write_only=True)
    sheet = Sheet(book, "Phiếu trả lời", [*fixed, *shape.columns])
    for row in response_rows(survey, shape, people):
        sheet.append(row)
    codebook = Sheet(book, "Mã hóa", CODEBOOK)
    for line in shape.codebook:
        codebook.append(line)
    facts = [
        ("Nội dung", "Các phiếu trả lời, mỗi phiếu một dòng; trang “Mã hóa” giải thích các cột"),
        ("Khảo sát", survey.title),
        ("Ẩn danh", YES if survey.anonymous else NO),
    ]
    return save_book(book, path, sheet, facts)


def write_survey_responses(path: Path | str, survey_id: int) -> int:
    """Every response, without any person (anonymous or not)."""
    return _write_book(path, survey_id, people=False)


def write_survey_people(path: Path | str, survey_id: int) -> int:
    """Every response of an identified survey with the person who gave it (personal data)."""
    return _write_book(path, survey_id, people=True)


def write_survey_csv(path: Path | str, survey_id: int) -> int:
    """The responses sheet as CSV (UTF-8 with a byte order mark, which Excel needs for
    Vietnamese); dates as dd/mm/yyyy. The codebook is in the Excel export."""
    survey = _survey(survey_id)
    shape = layout(survey, len(FIXED))
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([c.header for c in (*FIXED, *shape.columns)])
        for row in response_rows(survey, shape):
            writer.writerow(["" if v is None else _csv(v) for v in row])
            count += 1
    return count


def _csv(value):
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else value
