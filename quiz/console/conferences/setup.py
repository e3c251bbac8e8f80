"""Console: creating a conference, its sessions, connection points and documents."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from quiz.conferences.documents import DocumentRefused, documents_of, remove, store
from quiz.conferences.forms import ConferenceForm, DocumentForm, PointForm, SessionForm
from quiz.conferences.setup import (
    SetupError,
    add_point,
    add_session,
    create_conference,
    delete_point,
    delete_session,
    update_conference,
)
from quiz.conferences.views import send_document
from quiz.console import bp
from quiz.console.access import ALL_ROLES, EDITORS, allow, in_scope, scope_unit_ids
from quiz.console.contests import unit_choices
from quiz.extensions import db
from quiz.models import Contest, Round
from quiz.timeutil import local, local_naive_to_utc

MAX_DOCUMENT_REQUEST = 21 * 1024 * 1024


def round_choices() -> list[SelectChoice]:
    query = select(Round).join(Contest).order_by(Contest.id.desc(), Round.number)
    ids = scope_unit_ids()
    if ids is not None:
        query = query.where(Contest.owner_unit_id.in_(ids))
    choices = [SelectChoice(0, _l("— none —"))]
    for r in db.session.scalars(query.limit(300)):
        choices.append(SelectChoice(r.id, f"{r.contest.title} · {r.title or r.number}"))
    return choices


def _form(conference=None) -> ConferenceForm:
    form = ConferenceForm(obj=conference)
    form.owner_unit.choices = unit_choices()
    form.round.choices = round_choices()
    if conference is not None and request.method == "GET":
        form.owner_unit.data = conference.owner_unit_id
        form.round.data = conference.round_id or 0
        form.starts_at.data = local(conference.starts_at).replace(tzinfo=None)
        form.ends_at.data = local(conference.ends_at).replace(tzinfo=None)
    return form


def _values(form: ConferenceForm) -> dict:
    if not in_scope(form.owner_unit.data):
        abort(404)
    round_id = form.round.data or None
    if round_id and round_id not in {c.value for c in form.round.choices}:
        abort(404)
    return {
        "title": form.title.data.strip(),
        "owner_unit_id": form.owner_unit.data,
        "agenda": form.agenda.data or "",
        "venue": (form.venue.data or "").strip(),
        "starts_at": local_naive_to_utc(form.starts_at.data),
        "ends_at": local_naive_to_utc(form.ends_at.data),
        "allow_walk_ins": form.allow_walk_ins.data,
        "round_id": round_id,
        "checkin_opens_minutes": form.checkin_opens_minutes.data or 0,
        "late_after_minutes": form.late_after_minutes.data or 0,
    }


@bp.route("/conferences/new", methods=["GET", "POST"])
@allow(*EDITORS)
def conference_new():
    form = _form()
    if form.validate_on_submit():
        try:
            conference = create_conference(_values(form), current_user.id)
        except SetupError as exc:
            form.ends_at.errors.append(exc.message)
        else:
            db.session.commit()
            return redirect(url_for("console.conference", conference_id=conference.id), 303)
    return render_template("console/conferences/form.html", form=form, conference=None)


@bp.route("/conferences/<int:conference_id>/edit", methods=["GET", "POST"])
@allow(*EDITORS)
def conference_edit(conference_id: int):
    form = _form(g.conference)
    if form.validate_on_submit():
        try:
            update_conference(g.conference, _values(form))
        except SetupError as exc:
            form.ends_at.errors.append(exc.message)
        else:
            db.session.commit()
            return redirect(url_for("console.conference", conference_id=conference_id), 303)
    return render_template("console/conferences/form.html", form=form, conference=g.conference)


def _point_form(bound: bool = False) -> PointForm:
    form = PointForm(prefix="point") if bound else PointForm(formdata=None, prefix="point")
    form.unit.choices = [SelectChoice(0, _l("— none —")), *unit_choices()]
    return form


def _detail(**forms):
    """The conference page; after a refused form, that form with its errors (422).

    Its three forms are prefixed ("session-title", "document-title") so that no two
    fields on the page share an id and each label names its own field."""
    status = 422 if forms else 200
    return render_template(
        "console/conferences/detail.html",
        conference=g.conference,
        session_form=forms.get("session_form") or SessionForm(formdata=None, prefix="session"),
        point_form=forms.get("point_form") or _point_form(),
        document_form=forms.get("document_form") or DocumentForm(formdata=None, prefix="document"),
        documents=documents_of(g.conference.id),
    ), status


@bp.get("/conferences/<int:conference_id>")
@allow(*ALL_ROLES)
def conference(conference_id: int):
    return _detail()


def _back(conference_id: int, anchor: str = ""):
    return redirect(url_for("console.conference", conference_id=conference_id) + anchor, 303)


def _applied(action, field) -> bool:
    """Run a set-up change; a refusal becomes the field's error and nothing is kept."""
    try:
        action()
    except SetupError as exc:
        db.session.rollback()
        field.errors = [*field.errors, exc.message]
        return False
    db.session.commit()
    return True


def _committed_or_flash(action) -> None:
    try:
        action()
    except SetupError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()


@bp.post("/conferences/<int:conference_id>/sessions")
@allow(*EDITORS)
def session_add(conference_id: int):
    form = SessionForm(prefix="session")
    if form.validate_on_submit() and _applied(
        lambda: add_session(
            g.conference,
            form.title.data,
            local_naive_to_utc(form.starts_at.data),
            local_naive_to_utc(form.ends_at.data),
        ),
        form.ends_at,
    ):
        return _back(conference_id, "#sessions")
    return _detail(session_form=form)


@bp.post("/conferences/<int:conference_id>/sessions/<int:session_id>/delete")
@allow(*EDITORS)
def session_delete(conference_id: int, session_id: int):
    session = g.conference_session
    _committed_or_flash(lambda: delete_session(g.conference, session))
    return _back(conference_id, "#sessions")


@bp.post("/conferences/<int:conference_id>/points")
@allow(*EDITORS)
def point_add(conference_id: int):
    form = _point_form(bound=True)
    if not form.validate_on_submit():
        return _detail(point_form=form)
    values = {
        "name": form.name.data,
        "unit_id": form.unit.data or None,  # a choice: within the account's units
        "expected": form.expected.data or 0,
        "contact_name": (form.contact_name.data or "").strip(),
        "contact_phone": (form.contact_phone.data or "").strip(),
    }
    if not _applied(lambda: add_point(g.conference, values), form.name):
        return _detail(point_form=form)
    return _back(conference_id, "#points")


@bp.post("/conferences/<int:conference_id>/points/<int:point_id>/delete")
@allow(*EDITORS)
def point_delete(conference_id: int, point_id: int):
    point = g.point
    _committed_or_flash(lambda: delete_point(g.conference, point))
    return _back(conference_id, "#points")


@bp.url_value_preprocessor
def _allow_large_documents(endpoint: str | None, _values) -> None:
    """Documents may reach 20 MB, above the app's 16 MB request limit. Set here, before
    any before-request function (the CSRF check reads the form, which applies the limit)."""
    if endpoint == "console.document_add":
        request.max_content_length = MAX_DOCUMENT_REQUEST


@bp.post("/conferences/<int:conference_id>/documents")
@allow(*EDITORS)
def document_add(conference_id: int):
    form = DocumentForm(prefix="document")
    if not form.validate_on_submit():
        return _detail(document_form=form)
    upload = form.file.data
    try:
        store(conference_id, form.title.data, upload.filename, upload.read(), current_user.id)
    except DocumentRefused as exc:
        form.file.errors = [*form.file.errors, exc.message]
        return _detail(document_form=form)
    db.session.commit()
    return _back(conference_id, "#documents")


@bp.get("/conferences/<int:conference_id>/documents/<int:document_id>")
@allow(*ALL_ROLES)
def document_download(conference_id: int, document_id: int):
    return send_document(g.document)


@bp.post("/conferences/<int:conference_id>/documents/<int:document_id>/delete")
@allow(*EDITORS)
def document_delete(conference_id: int, document_id: int):
    remove(g.document)
    db.session.commit()
    return _back(conference_id, "#documents")
