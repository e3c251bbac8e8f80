"""Console: a survey's invitation list from Excel, and printed invitations with QR codes.

The list is checked first and imported only when confirmed (the bytes
previewed, kept in Redis), all rows or none, like the delegate list. Each
invitation's code is derived from the app's secret (only its hash is
stored), so the cards can be printed again at any time; printing is
audited, since a card is what lets its holder answer.
"""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from quiz.conferences.qr import svg_text
from quiz.console import bp
from quiz.console.access import EDITORS, allow
from quiz.console.audit_log import record
from quiz.console.downloads import send_workbook
from quiz.console.forms import ConfirmForm, UploadForm
from quiz.console.uploads import read_upload, stash, take
from quiz.extensions import db
from quiz.models import SurveyInvitation
from quiz.spreadsheets import FileRefused
from quiz.surveys.invitations import (
    add_invitations,
    invitation_code,
    read_invitations,
    template_workbook,
)

CARDS_PER_PAGE = 100  # ten A4 sheets of ten cards
MAX_PAGE = 10_000


def _purpose(survey_id: int) -> str:
    return f"invitations{survey_id}"


def _back(survey_id: int):
    return redirect(url_for("console.survey_invitations", survey_id=survey_id), 303)


@bp.get("/surveys/<int:survey_id>/invitations")
@allow(*EDITORS)
def survey_invitations(survey_id: int):
    counts = db.session.execute(
        select(func.count(), func.count().filter(SurveyInvitation.used))
        .select_from(SurveyInvitation)
        .where(SurveyInvitation.survey_id == survey_id)
    ).one()
    return render_template(
        "console/surveys/invitations.html",
        survey=g.survey,
        total=counts[0],
        used=counts[1],
        upload=UploadForm(),
    )


@bp.get("/surveys/invitations/template.xlsx")
@allow(*EDITORS)
def survey_invitations_template():
    return send_workbook(template_workbook(), "mau-danh-sach-moi-khao-sat.xlsx")


def _preview(data: bytes, stash_it: bool):
    try:
        result = read_invitations(data)
    except FileRefused as refused:
        return render_template(
            "console/surveys/invitations_preview.html",
            survey=g.survey,
            refused=refused.message,
            result=None,
        ), 422
    token = stash(_purpose(g.survey.id), data) if result.ok and stash_it else None
    return render_template(
        "console/surveys/invitations_preview.html",
        survey=g.survey,
        result=result,
        token=token,
        refused=None,
        form=ConfirmForm(),
    ), (200 if result.ok else 422)


@bp.post("/surveys/<int:survey_id>/invitations/upload")
@allow(*EDITORS)
def survey_invitations_upload(survey_id: int):
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_l("Choose an Excel file to upload."), "error")
        return _back(survey_id)
    return _preview(read_upload(form.file.data), stash_it=True)


@bp.post("/surveys/<int:survey_id>/invitations/import")
@allow(*EDITORS)
def survey_invitations_import(survey_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = request.form.get("token", "")
    upload = take(_purpose(survey_id), token)
    if upload is None:
        flash(_l("The uploaded file expired; upload it again."), "error")
        return _back(survey_id)
    result = read_invitations(upload.data)
    if not result.ok:
        return _preview(upload.data, stash_it=False)
    added = add_invitations(current_app.config["SECRET_KEY"], g.survey, result.rows)
    record("survey_invitations_imported", f"survey {survey_id}", g.survey.unit_id, added=added)
    db.session.commit()
    flash(_l("%(n)s invitations added.", n=added), "success")
    return _back(survey_id)


@bp.get("/surveys/<int:survey_id>/invitations/print")
@allow(*EDITORS)
def survey_invitations_print(survey_id: int):
    """Print-ready A4 sheets of invitation cards with the code and its QR link."""
    page = min(max(1, request.args.get("page", 1, type=int)), MAX_PAGE)
    rows = db.session.scalars(
        select(SurveyInvitation)
        .where(SurveyInvitation.survey_id == survey_id)
        .order_by(SurveyInvitation.id)
        .offset((page - 1) * CARDS_PER_PAGE)
        .limit(CARDS_PER_PAGE + 1)
    ).all()
    secret = current_app.config["SECRET_KEY"]
    cards = []
    for invitation in rows[:CARDS_PER_PAGE]:
        code = invitation_code(secret, g.survey, invitation.id)
        link = url_for("surveys.invitation_link", slug=g.survey.slug, code=code, _external=True)
        cards.append((invitation, code, svg_text(link)))
    record(
        "survey_invitations_printed",
        f"survey {survey_id}",
        g.survey.unit_id,
        page=page,
        cards=len(cards),
    )
    db.session.commit()
    return render_template(
        "console/surveys/invitations_print.html",
        survey=g.survey,
        cards=cards,
        page=page,
        more=len(rows) > CARDS_PER_PAGE,
    )
