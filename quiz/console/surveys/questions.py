"""Console: a survey's questionnaire, built in a table or from the Excel template.

The table on the page is the template's sheet, row for row (sections,
questions, options, grid rows, conditions), and it is checked by the same
reader (`read_survey_rows`), so the console and Excel accept exactly the
same questionnaires and report problems by row and column the same way.
An upload is checked first and imported only when confirmed (the very
bytes previewed, kept in Redis); both replace the whole questionnaire, all
or nothing, and only while nobody has answered.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from quiz.console import bp
from quiz.console.access import EDITORS, allow
from quiz.console.audit_log import record
from quiz.console.downloads import send_workbook
from quiz.console.forms import ConfirmForm, UploadForm
from quiz.console.uploads import read_upload, stash, take
from quiz.extensions import db
from quiz.spreadsheets import FileRefused
from quiz.surveys.sheet_import import apply_survey_sheet, has_responses, survey_to_sheet
from quiz.surveys.sheet_reader import read_survey_rows, read_survey_sheet
from quiz.surveys.sheet_spec import COLUMNS, KIND_NAMES, SurveyReadResult
from quiz.surveys.sheet_writer import sheet_rows, survey_workbook, template_workbook
from quiz.surveys.structure import clear_surveys

BLANK_LINES = 10
MAX_LINES = 1000
ANSWERED = _l("People have answered this survey: its questions can no longer change.")


def _purpose(survey_id: int) -> str:
    return f"survey{survey_id}"


def _lines_from_form() -> list[dict[str, str]]:
    count = min(max(0, request.form.get("lines", 0, type=int)), MAX_LINES)
    return [
        {c.key: request.form.get(f"r{n}-{c.key}", "") for c in COLUMNS} for n in range(1, count + 1)
    ]


def _page(
    lines: list[dict], result: SurveyReadResult | None = None, status: int = 200, extra=BLANK_LINES
):
    lines = [*lines, *({} for _ in range(max(0, extra)))]
    by_cell = {}
    if result is not None:
        for problem in result.problems:
            by_cell.setdefault((problem.row, problem.column), []).append(problem.message)
    return render_template(
        "console/surveys/questions.html",
        survey=g.survey,
        lines=lines,
        columns=COLUMNS,
        kinds=KIND_NAMES,
        result=result,
        by_cell=by_cell,
        answered=has_responses(g.survey.id),
        form=ConfirmForm(),
        upload=UploadForm(),
    ), status


@bp.get("/surveys/<int:survey_id>/questions")
@allow(*EDITORS)
def survey_questions(survey_id: int):
    return _page(
        [{k: str(v) for k, v in row.items()} for row in sheet_rows(survey_to_sheet(g.survey))]
    )


def _replace(result: SurveyReadResult, how: str) -> None:
    summary = apply_survey_sheet(g.survey, result.survey)
    record(
        "survey_questions_replaced",
        f"survey {g.survey.id}",
        g.survey.unit_id,
        how=how,
        sections=summary.sections,
        questions=summary.questions,
    )
    db.session.commit()
    clear_surveys()
    flash(
        _l("Saved: %(s)s sections, %(q)s questions.", s=summary.sections, q=summary.questions),
        "success",
    )


@bp.post("/surveys/<int:survey_id>/questions")
@allow(*EDITORS)
def survey_questions_save(survey_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    lines = _lines_from_form()
    if "more" in request.form:  # more empty rows, keeping what was typed (nothing saved)
        return _page(lines, extra=BLANK_LINES * 4)
    if has_responses(survey_id):
        flash(ANSWERED, "error")
        return _page(lines, status=409)
    result = read_survey_rows(lines)
    if not result.ok:
        return _page(lines, result, 422)
    _replace(result, "table")
    return redirect(url_for("console.survey_questions", survey_id=survey_id), 303)


@bp.get("/surveys/<int:survey_id>/questions.xlsx")
@allow(*EDITORS)
def survey_questions_download(survey_id: int):
    sheet = survey_workbook(survey_to_sheet(g.survey))
    return send_workbook(sheet, f"khao-sat-{g.survey.slug}.xlsx")


@bp.get("/surveys/template.xlsx")
@allow(*EDITORS)
def survey_template():
    return send_workbook(template_workbook(), "mau-phieu-khao-sat.xlsx")


def _preview(data: bytes, stash_it: bool):
    try:
        result = read_survey_sheet(data)
    except FileRefused as refused:
        return render_template(
            "console/surveys/import_preview.html",
            survey=g.survey,
            kinds=KIND_NAMES,
            refused=refused.message,
            result=None,
        ), 422
    token = stash(_purpose(g.survey.id), data) if result.ok and stash_it else None
    return render_template(
        "console/surveys/import_preview.html",
        survey=g.survey,
        kinds=KIND_NAMES,
        result=result,
        token=token,
        refused=None,
        form=ConfirmForm(),
        answered=has_responses(g.survey.id),
    ), (200 if result.ok else 422)


@bp.post("/surveys/<int:survey_id>/questions/upload")
@allow(*EDITORS)
def survey_questions_upload(survey_id: int):
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_l("Choose an Excel file to upload."), "error")
        return redirect(url_for("console.survey_questions", survey_id=survey_id), 303)
    return _preview(read_upload(form.file.data), stash_it=True)


@bp.post("/surveys/<int:survey_id>/questions/import")
@allow(*EDITORS)
def survey_questions_import(survey_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = request.form.get("token", "")
    upload = take(_purpose(survey_id), token)
    back = redirect(url_for("console.survey_questions", survey_id=survey_id), 303)
    if upload is None:
        flash(_l("The uploaded file expired; upload it again."), "error")
        return back
    if has_responses(survey_id):
        flash(ANSWERED, "error")
        return back
    result = read_survey_sheet(upload.data)
    if not result.ok:
        return _preview(upload.data, stash_it=False)
    _replace(result, "excel")
    return back
