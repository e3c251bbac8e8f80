"""Console: the delegate list, by hand or from Excel, and the printed invitations with QR codes."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import SelectChoice

from quiz.conferences.delegate_import import apply_delegates, read_delegates, template_workbook
from quiz.conferences.delegates import (
    find_by_phone_or_name,
    new_delegate,
    personal_token,
    reissue,
    search,
    unit_label,
)
from quiz.conferences.forms import DelegateForm
from quiz.conferences.qr import personal_payload, png_bytes, svg_text
from quiz.console import bp
from quiz.console.access import EDITORS, allow
from quiz.console.audit_log import record
from quiz.console.downloads import send_workbook
from quiz.console.forms import ConfirmForm, UploadForm
from quiz.console.uploads import read_upload, stash, take
from quiz.contest.identity import InvalidField, normalize_name, normalize_phone
from quiz.extensions import db
from quiz.models import CheckIn, Delegate, ScanRefusal
from quiz.spreadsheets import FileRefused
from quiz.text import drop_control, squash
from quiz.web import row_id

PAGE = 100
MAX_PAGE = 10_000
CARDS_PER_PAGE = 100  # ten A4 sheets of ten cards


def _point_choices() -> list[SelectChoice]:
    return [SelectChoice(0, _l("— none —"))] + [
        SelectChoice(p.id, p.name) for p in g.conference.points
    ]


def _delegate_form(bound: bool = False) -> DelegateForm:
    form = DelegateForm() if bound else DelegateForm(formdata=None)
    form.point.choices = _point_choices()
    return form


def _list_page(form: DelegateForm | None = None):
    """The list; after a refused hand-added delegate, the form with its errors (422)."""
    conference_id = g.conference.id
    q = squash(drop_control(request.args.get("q", "")))[:100]
    page = min(max(1, request.args.get("page", 1, type=row_id)), MAX_PAGE)
    if q:
        rows = search(conference_id, q, limit=PAGE)
    else:
        rows = db.session.scalars(
            select(Delegate)
            .where(Delegate.conference_id == conference_id)
            .order_by(Delegate.point_id, Delegate.name_key)
            .offset((page - 1) * PAGE)
            .limit(PAGE)
        ).all()
    total = db.session.scalar(
        select(func.count()).select_from(Delegate).where(Delegate.conference_id == conference_id)
    )
    return render_template(
        "console/conferences/delegates.html",
        conference=g.conference,
        delegates=rows,
        total=total,
        page=page,
        more=not q and len(rows) == PAGE,
        q=q,
        form=form or _delegate_form(),
        upload=UploadForm(formdata=None),
        unit_label=unit_label,
    ), (200 if form is None else 422)


@bp.get("/conferences/<int:conference_id>/delegates")
@allow(*EDITORS)
def delegates(conference_id: int):
    return _list_page()


def _back(conference_id: int):
    return redirect(url_for("console.delegates", conference_id=conference_id), 303)


def _checked(form: DelegateForm, name: str, check):
    """The field's value through an entrant rule, or None with the rule's message."""
    try:
        return check(getattr(form, name).data)
    except InvalidField as exc:
        getattr(form, name).errors = [*getattr(form, name).errors, exc.message]
        return None


@bp.post("/conferences/<int:conference_id>/delegates")
@allow(*EDITORS)
def delegate_add(conference_id: int):
    form = _delegate_form(bound=True)
    form.validate_on_submit()
    name = _checked(form, "full_name", normalize_name)
    phone = None
    if (form.phone.data or "").strip():
        phone = _checked(form, "phone", normalize_phone)
    if any(f.errors for f in form):
        return _list_page(form)
    if find_by_phone_or_name(conference_id, phone, name) is not None:
        field = form.phone if phone else form.full_name
        field.errors = [_l("This delegate is already on the list.")]
        return _list_page(form)
    delegate = new_delegate(
        conference_id,
        name,
        position=squash(form.position.data or ""),
        unit_name=squash(form.unit_name.data or ""),
        phone=phone,
        point_id=form.point.data or None,  # a choice: a point of this conference
    )
    db.session.add(delegate)
    db.session.commit()
    return _back(conference_id)


@bp.post("/conferences/<int:conference_id>/delegates/<int:delegate_id>/delete")
@allow(*EDITORS)
def delegate_delete(conference_id: int, delegate_id: int):
    delegate = g.delegate
    for model in (CheckIn, ScanRefusal):
        if db.session.scalar(select(model.id).where(model.delegate_id == delegate_id).limit(1)):
            flash(_l("This delegate has checked in; they stay on the list."), "error")
            return _back(conference_id)
    db.session.delete(delegate)
    db.session.commit()
    return _back(conference_id)


@bp.post("/conferences/<int:conference_id>/delegates/<int:delegate_id>/reissue")
@allow(*EDITORS)
def delegate_reissue(conference_id: int, delegate_id: int):
    delegate = g.delegate
    reissue(delegate)
    record("conference_code_reissued", f"delegate {delegate_id}", g.conference.owner_unit_id)
    db.session.commit()
    flash(_l("A new code was made; the old invitation no longer works."), "success")
    return _back(conference_id)


@bp.get("/conferences/<int:conference_id>/delegates/template.xlsx")
@allow(*EDITORS)
def delegates_template(conference_id: int):
    return send_workbook(template_workbook(), "mau-danh-sach-dai-bieu.xlsx")


@bp.post("/conferences/<int:conference_id>/delegates/upload")
@allow(*EDITORS)
def delegates_upload(conference_id: int):
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_l("Choose an Excel file to upload."), "error")
        return _back(conference_id)
    data = read_upload(form.file.data)
    return _preview(conference_id, data, stash_it=True)


def _preview(conference_id: int, data: bytes, stash_it: bool):
    try:
        result = read_delegates(data, g.conference)
    except FileRefused as refused:
        return render_template(
            "console/conferences/import_preview.html",
            conference=g.conference,
            refused=refused.message,
            result=None,
        ), 422
    token = stash(f"delegates{conference_id}", data) if result.ok and stash_it else None
    return render_template(
        "console/conferences/import_preview.html",
        conference=g.conference,
        result=result,
        token=token,
        refused=None,
        form=ConfirmForm(),
    ), (200 if result.ok else 422)


@bp.post("/conferences/<int:conference_id>/delegates/import")
@allow(*EDITORS)
def delegates_import(conference_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = request.form.get("token", "")
    upload = take(f"delegates{conference_id}", token)
    if upload is None:
        flash(_l("The uploaded file expired; upload it again."), "error")
        return _back(conference_id)
    result = read_delegates(upload.data, g.conference)  # again: the list may have changed
    if not result.ok:
        return _preview(conference_id, upload.data, stash_it=False)
    summary = apply_delegates(g.conference, result.rows)
    record(
        "conference_delegates_imported",
        f"conference {conference_id}",
        g.conference.owner_unit_id,
        added=summary.added,
        updated=summary.updated,
    )
    db.session.commit()
    flash(_l("Imported: %(a)s new, %(u)s updated.", a=summary.added, u=summary.updated), "success")
    return _back(conference_id)


def _payload(delegate: Delegate) -> str:
    return personal_payload(personal_token(delegate), request.host_url)


@bp.get("/conferences/<int:conference_id>/delegates/<int:delegate_id>/qr.<fmt>")
@allow(*EDITORS)
def delegate_qr(conference_id: int, delegate_id: int, fmt: str):
    payload = _payload(g.delegate)
    if fmt == "png":
        body, mimetype = png_bytes(payload), "image/png"
    elif fmt == "svg":
        body, mimetype = svg_text(payload), "image/svg+xml"
    else:
        abort(404)
    return body, 200, {"Content-Type": mimetype, "Cache-Control": "private, no-store"}


@bp.get("/conferences/<int:conference_id>/invitations")
@allow(*EDITORS)
def invitations(conference_id: int):
    """Print-ready A4 sheets of invitation cards, a hundred cards per page of the site."""
    page = min(max(1, request.args.get("page", 1, type=row_id)), MAX_PAGE)
    point = request.args.get("point", type=row_id)
    query = select(Delegate).where(Delegate.conference_id == conference_id)
    if point not in {p.id for p in g.conference.points}:
        point = None
    if point:
        query = query.where(Delegate.point_id == point)
    rows = db.session.scalars(
        query.order_by(Delegate.point_id, Delegate.name_key)
        .offset((page - 1) * CARDS_PER_PAGE)
        .limit(CARDS_PER_PAGE + 1)
    ).all()
    cards = [(d, svg_text(_payload(d))) for d in rows[:CARDS_PER_PAGE]]
    record(
        "conference_invitations_printed",
        f"conference {conference_id}",
        g.conference.owner_unit_id,
        page=page,
        cards=len(cards),
    )
    db.session.commit()
    return render_template(
        "console/conferences/invitations.html",
        conference=g.conference,
        cards=cards,
        page=page,
        point=point,
        more=len(rows) > CARDS_PER_PAGE,
        unit_label=unit_label,
    )
