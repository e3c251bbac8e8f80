"""Question banks: the Excel template, upload with a full validation report, import."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from quiz.banks.importer import apply_import, existing_keys
from quiz.banks.reader import read_bank
from quiz.banks.writer import export_workbook, template_workbook
from quiz.console import bp
from quiz.console.access import EDITORS, allow, in_scope, scope_unit_ids
from quiz.console.audit_log import record
from quiz.console.contests import unit_choices
from quiz.console.downloads import send_workbook
from quiz.console.forms import BankForm, ConfirmForm, UploadForm
from quiz.console.uploads import read_upload, stash, take
from quiz.extensions import db
from quiz.models import Question, QuestionBank
from quiz.spreadsheets import FileRefused
from quiz.text import drop_control
from quiz.web import row_id

PAGE = 50


@bp.get("/banks")
@allow(*EDITORS)
def banks():
    query = (
        select(QuestionBank, func.count(Question.id))
        .outerjoin(Question, (Question.bank_id == QuestionBank.id) & Question.is_current.is_(True))
        .group_by(QuestionBank.id)
        .order_by(QuestionBank.title)
    )
    ids = scope_unit_ids()
    if ids is not None:
        query = query.where(QuestionBank.owner_unit_id.in_(ids))
    return render_template("console/banks.html", banks=db.session.execute(query).all())


@bp.route("/banks/new", methods=["GET", "POST"])
@allow(*EDITORS)
def bank_new():
    form = BankForm()
    form.owner_unit.choices = unit_choices()
    if form.validate_on_submit():
        if not in_scope(form.owner_unit.data):
            abort(404)
        if db.session.scalar(select(QuestionBank.id).where(QuestionBank.code == form.code.data)):
            form.code.errors.append(_l("Another bank uses this code."))
        else:
            bank = QuestionBank(
                code=form.code.data,
                title=form.title.data.strip(),
                owner_unit_id=form.owner_unit.data,
            )
            db.session.add(bank)
            db.session.commit()
            return redirect(url_for("console.bank_detail", bank_id=bank.id), 303)
    return render_template("console/bank_form.html", form=form)


@bp.get("/banks/<int:bank_id>")
@allow(*EDITORS)
def bank_detail(bank_id: int):
    q = drop_control(request.args.get("q", "")).strip()
    page = max(1, request.args.get("page", 1, type=row_id))
    query = select(Question).where(Question.bank_id == bank_id, Question.is_current.is_(True))
    if q:
        query = query.where(
            or_(
                Question.text.ilike(f"%{q}%"),
                Question.code.ilike(f"%{q}%"),
                Question.topic.ilike(f"%{q}%"),
            )
        )
    questions = db.session.scalars(
        query.order_by(Question.code).offset((page - 1) * PAGE).limit(PAGE + 1)
    ).all()
    topics = db.session.execute(
        select(Question.topic, func.count())
        .where(Question.bank_id == bank_id, Question.is_current.is_(True))
        .group_by(Question.topic)
        .order_by(Question.topic)
    ).all()
    return render_template(
        "console/bank.html",
        bank=g.bank,
        questions=questions[:PAGE],
        more=len(questions) > PAGE,
        page=page,
        q=q,
        topics=topics,
        form=UploadForm(),
    )


@bp.get("/banks/template.xlsx")
@allow(*EDITORS)
def bank_template():
    return send_workbook(template_workbook(), "mau-ngan-hang-cau-hoi.xlsx")


@bp.get("/banks/<int:bank_id>/export.xlsx")
@allow(*EDITORS)
def bank_export(bank_id: int):
    questions = db.session.scalars(
        select(Question)
        .where(Question.bank_id == bank_id, Question.is_current.is_(True))
        .order_by(Question.id)
    ).all()
    return send_workbook(export_workbook(questions), f"ngan-hang-{g.bank.code}.xlsx")


@bp.post("/banks/<int:bank_id>/upload")
@allow(*EDITORS)
def bank_upload(bank_id: int):
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_l("Choose an Excel file to upload."), "error")
        return redirect(url_for("console.bank_detail", bank_id=bank_id), 303)
    data = read_upload(form.file.data)
    try:
        result = read_bank(data, existing_keys(g.bank))
    except FileRefused as refused:
        return render_template(
            "console/bank_preview.html", bank=g.bank, refused=refused.message, result=None
        ), 422
    token = stash(f"bank{bank_id}", data) if result.ok else None
    status = 200 if result.ok else 422
    return render_template(
        "console/bank_preview.html",
        bank=g.bank,
        result=result,
        token=token,
        refused=None,
        form=ConfirmForm(),
    ), status


@bp.post("/banks/<int:bank_id>/import")
@allow(*EDITORS)
def bank_import(bank_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = request.form.get("token", "")
    upload = take(f"bank{bank_id}", token)
    if upload is None:
        flash(_l("The uploaded file expired; upload it again."), "error")
        return redirect(url_for("console.bank_detail", bank_id=bank_id), 303)
    result = read_bank(upload.data, existing_keys(g.bank))  # read again: the bank may have changed
    if not result.ok:
        return render_template(
            "console/bank_preview.html",
            bank=g.bank,
            result=result,
            token=None,
            refused=None,
            form=ConfirmForm(),
        ), 422
    summary = apply_import(g.bank, result.questions)
    record(
        "bank_imported",
        f"bank {bank_id}",
        g.bank.owner_unit_id,
        added=summary.added,
        updated=summary.updated,
        unchanged=summary.unchanged,
    )
    db.session.commit()
    flash(
        _l(
            "Imported: %(a)s new, %(u)s updated, %(s)s unchanged.",
            a=summary.added,
            u=summary.updated,
            s=summary.unchanged,
        ),
        "success",
    )
    return redirect(url_for("console.bank_detail", bank_id=bank_id), 303)
