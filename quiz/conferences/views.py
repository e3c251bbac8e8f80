"""Public conference pages: the invitation, self check-in at the venue, documents, the quiz.

Light pages for slow phones and in-app browsers (Zalo): plain forms, no
script needed, Vietnamese first.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import abort, current_app, redirect, render_template, request, send_file, url_for

from quiz.conferences import bp
from quiz.conferences.attendee import (
    PASS_TRIES,
    count_try,
    current_attendee,
    current_pass,
    entrant_for,
    give_pass,
    is_checked_in,
    missing_for_quiz,
    quiz_round,
    remember_attendee,
    use_pass,
)
from quiz.conferences.checkin import VENUE_DEVICE, Scan, Where, record_scan
from quiz.conferences.delegates import find_by_name, new_delegate
from quiz.conferences.documents import MIME, documents_of, path_of
from quiz.conferences.forms import CodeForm, PhoneForm, PickForm, QuizEntryForm, WalkInForm
from quiz.conferences.messages import TITLES, detail
from quiz.conferences.name_pick import PickRefused, masked_phone, picked_delegate
from quiz.conferences.snapshot import conference_info
from quiz.conferences.tokens import BadToken, parse_token
from quiz.conferences.venue import CodeRefused, check_code
from quiz.contest.identity import InvalidField, normalize_name, normalize_phone
from quiz.contest.identity_rule import IdentityError
from quiz.contest.session import sign_in_entry
from quiz.extensions import db
from quiz.models import CheckInMethod, ConferenceDocument, Delegate, Occupation
from quiz.timeutil import now_ms
from quiz.web import row_id


def _info_or_404(conference_id: int):
    info = conference_info(conference_id)
    if info is None:
        abort(404)
    return info


@bp.get("/q/<token>")
@bp.get("/Q/<token>")
def invitation(token: str):
    """The delegate's own code, opened on their phone: never a check-in by itself."""
    try:
        parsed = parse_token(token)
    except BadToken:
        abort(404)
    delegate = db.session.scalar(db.select(Delegate).where(Delegate.secret == parsed.secret))
    if delegate is None or delegate.conference_id != parsed.conference_id:
        abort(404)
    info = _info_or_404(delegate.conference_id)
    if is_checked_in(delegate.id):
        remember_attendee(info.id, delegate.id)
        return redirect(url_for("conferences.attendee_home", conference_id=info.id), 303)
    return render_template("conferences/invitation.html", info=info, delegate=delegate)


def _try_code(info, code: str):
    now = now_ms()
    try:
        session_id, _slot = check_code(
            current_app.secret_key, info.id, [s.id for s in info.sessions], code, now
        )
    except CodeRefused as refused:
        return refused
    point = request.args.get("p", type=row_id)
    give_pass(info.id, session_id, point if point in info.points else None, now)
    return None


@bp.get("/d/<int:conference_id>/<code>")
def venue_code(conference_id: int, code: str):
    info = _info_or_404(conference_id)
    refused = _try_code(info, code)
    if refused is None:
        return redirect(url_for("conferences.who", conference_id=conference_id), 303)
    return render_template("conferences/code.html", info=info, form=CodeForm(), refused=refused)


@bp.route("/d/<int:conference_id>", methods=["GET", "POST"])
def venue(conference_id: int):
    info = _info_or_404(conference_id)
    form = CodeForm()
    refused = None
    if form.validate_on_submit():
        refused = _try_code(info, form.code.data or "")
        if refused is None:
            return redirect(url_for("conferences.who", conference_id=conference_id), 303)
    status = 422 if refused else 200
    return render_template("conferences/code.html", info=info, form=form, refused=refused), status


def _check_in_with_pass(info, held, delegate: Delegate):
    where = Where(point_id=held.point_id, device=VENUE_DEVICE, session_id=held.session_id)
    scan = Scan(held.nonce, CheckInMethod.VENUE_QR, delegate_id=delegate.id)
    outcome = record_scan(info, scan, where, now_ms())
    if outcome.ok or outcome.delegate is not None:
        use_pass()
        remember_attendee(info.id, delegate.id)
        db.session.commit()
    return render_template(
        "conferences/checked_in.html",
        info=info,
        outcome=outcome,
        title=TITLES[outcome.reason],
        detail=detail(outcome, info),
    )


@bp.route("/d/<int:conference_id>/who", methods=["GET", "POST"])
def who(conference_id: int):
    """By the full phone on the list, or by a name found and the last digits of its phone."""
    info = _info_or_404(conference_id)
    held = current_pass(conference_id, now_ms())
    if held is None:
        return redirect(url_for("conferences.venue", conference_id=conference_id), 303)
    form, pick = PhoneForm(), PickForm()
    q = request.args.get("q", "").strip()
    picked = request.form.get("delegate", type=row_id)
    tries, status, headers = held.tries, 200, {}
    if request.method == "POST" and form.validate():
        try:
            delegate = _chosen(conference_id, form, pick, picked)
        except PickRefused as refused:
            delegate, status, headers = None, refused.status, refused.headers
            pick.digits.errors = [refused.message]
        if delegate is not None:
            return _check_in_with_pass(info, held, delegate)
        count_try()
        tries += 1  # the page shows what is left after this wrong try
    pick.digits.data = ""  # a secret is never typed back into the page
    page = render_template(
        "conferences/who.html",
        info=info,
        form=form,
        pick=pick,
        picked=picked,
        q=q,
        matches=find_by_name(conference_id, q) if q else [],
        tries_left=PASS_TRIES - tries,
    )
    return page, status, headers


def _chosen(conference_id: int, form: PhoneForm, pick: PickForm, picked) -> Delegate | None:
    if "delegate" in request.form or "digits" in request.form:
        return picked_delegate(conference_id, picked, pick.digits.data)
    try:
        phone = normalize_phone(form.phone.data)
    except InvalidField as exc:
        form.phone.errors = [exc.message]
        return None
    delegate = db.session.scalar(
        db.select(Delegate).where(Delegate.conference_id == conference_id, Delegate.phone == phone)
    )
    if delegate is None:
        form.phone.errors = [TITLES["not_invited"]]
    return delegate


@bp.route("/d/<int:conference_id>/walk-in", methods=["GET", "POST"])
def walk_in(conference_id: int):
    info = _info_or_404(conference_id)
    held = current_pass(conference_id, now_ms())
    if held is None or not info.allow_walk_ins:
        return redirect(url_for("conferences.venue", conference_id=conference_id), 303)
    form = WalkInForm()
    if request.method == "POST" and form.validate():
        values = _walk_in_values(form)
        if values is not None:
            existing = db.session.scalar(
                db.select(Delegate).where(
                    Delegate.conference_id == conference_id, Delegate.phone == values["phone"]
                )
            )
            delegate = existing or new_delegate(conference_id, walk_in=True, **values)
            db.session.add(delegate)
            db.session.flush()
            return _check_in_with_pass(info, held, delegate)
    return render_template("conferences/walk_in.html", info=info, form=form)


def _walk_in_values(form: WalkInForm) -> dict | None:
    values = {"position": form.position.data or "", "unit_name": form.unit_name.data or ""}
    for name, check in (("full_name", normalize_name), ("phone", normalize_phone)):
        try:
            values[name] = check(getattr(form, name).data)
        except InvalidField as exc:
            getattr(form, name).errors = [exc.message]
    return values if not (form.full_name.errors or form.phone.errors) else None


@bp.get("/d/<int:conference_id>/me")
def attendee_home(conference_id: int):
    info = _info_or_404(conference_id)
    delegate = current_attendee(conference_id)
    if delegate is None:
        return redirect(url_for("conferences.venue", conference_id=conference_id), 303)
    return render_template(
        "conferences/attendee.html",
        info=info,
        delegate=delegate,
        documents=documents_of(conference_id),
        quiz=quiz_round(info.round_id),
    )


@bp.get("/d/<int:conference_id>/documents/<int:document_id>")
def attendee_document(conference_id: int, document_id: int):
    if current_attendee(conference_id) is None:
        abort(403)
    document = db.session.get(ConferenceDocument, document_id)
    if document is None or document.conference_id != conference_id:
        abort(404)
    return send_document(document)


def send_document(document: ConferenceDocument):
    response = send_file(
        path_of(document),
        mimetype=MIME[document.kind],
        as_attachment=True,
        download_name=document.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/d/<int:conference_id>/quiz", methods=["GET", "POST"])
def take_quiz(conference_id: int):
    info = _info_or_404(conference_id)
    delegate = current_attendee(conference_id)
    round_ = quiz_round(info.round_id)
    if delegate is None or round_ is None:
        return redirect(url_for("conferences.attendee_home", conference_id=conference_id), 303)
    form = QuizEntryForm()
    if request.method == "GET":
        form.occupation.data = "" if delegate.is_walk_in else Occupation.OFFICIAL.value
    missing, status, headers = missing_for_quiz(delegate), 200, {}
    if request.method == "POST" and form.validate():
        try:
            entry = entrant_for(delegate, form)
        except IdentityError as exc:
            entry, status, headers = None, exc.status, exc.headers
            field = exc.field if exc.field in missing else "birth_year"  # always on the page
            getattr(form, field).errors.append(exc.message)
        if entry is not None:
            db.session.commit()
            sign_in_entry(entry)
            return redirect(url_for("contest.contest_page", slug=round_.contest.slug), 303)
    page = render_template(
        "conferences/quiz.html",
        info=info,
        form=form,
        delegate=delegate,
        missing=missing,
        masked_phone=masked_phone(delegate.phone),
        round=round_,
    )
    return page, status, headers


_CSS = "conferences/conferences.css"


@bp.get("/conferences.css")
def stylesheet():
    """The area's stylesheet, kept with its templates (versioned URL: cached a year)."""
    source = Path(current_app.template_folder) / _CSS
    response = current_app.response_class(source.read_bytes(), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 365 * 24 * 3600
    return response


@bp.app_template_global()
def conferences_css() -> str:
    source = Path(current_app.template_folder) / _CSS
    version = hashlib.sha256(source.read_bytes()).hexdigest()[:10]
    return url_for("conferences.stylesheet", v=version)
