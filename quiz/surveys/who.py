"""Who is answering, by audience, and the pages that let a respondent say so.

Entrants become entrants exactly as for contests: the same forms and the
one identity rule (`quiz.contest.identity_rule`, with its per-phone budget
of tries). Delegates are whoever this browser checked in as
(`quiz.conferences.attendee`). Invitation codes come typed or from a QR
code's link; the invitation found is remembered in the signed session.
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import StringField

from quiz.conferences.attendee import current_attendee
from quiz.contest.entry_views import refusal
from quiz.contest.identity_rule import IdentityError, register_or_reidentify, reidentify
from quiz.contest.registration import RegistrationForm, ReturningForm, current_year
from quiz.contest.session import current_entrant, sign_in, sign_in_entry
from quiz.contest.starting import DEVICE_COOKIE
from quiz.contest.unit_picker import unit_choices
from quiz.extensions import db
from quiz.forms import Form
from quiz.models import Audience, Entrant, Survey, SurveyInvitation
from quiz.surveys import bp
from quiz.surveys.invitations import find_invitation
from quiz.surveys.respondents import for_delegate, for_device, for_entrant, for_invitation
from quiz.surveys.structure import SurveyInfo, survey_cache
from quiz.timeutil import now_ms

INVITATIONS_KEY = "survey_invitations"
DEVICE_COOKIE_SECONDS = 2 * 365 * 24 * 3600


class CodeForm(Form):
    code = StringField()


def _device() -> str:
    device = request.cookies.get(DEVICE_COOKIE)
    if not device or len(device) > 64:
        device = g.survey_new_device = secrets.token_hex(8)
    return device


@bp.after_request
def _mark_device(response):
    """The open link's device cookie, given with the first page (the same one contests use)."""
    new = g.pop("survey_new_device", None)
    if new and response.status_code < 400:
        response.set_cookie(
            DEVICE_COOKIE,
            new,
            max_age=DEVICE_COOKIE_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def current_respondent(info: SurveyInfo):
    """The respondent's token, or the page that asks them to identify themselves first."""
    if info.audience == Audience.REGISTERED:
        signed = current_entrant()
        entrant = db.session.get(Entrant, signed.id) if signed else None
        if entrant is None:
            return render_template("surveys/identify.html", info=info)
        return for_entrant(info, entrant, current_year())
    if info.audience == Audience.INVITED:
        invitation_id = (session.get(INVITATIONS_KEY) or {}).get(str(info.id))
        invitation = db.session.get(SurveyInvitation, invitation_id) if invitation_id else None
        if invitation is None or invitation.survey_id != info.id:
            return render_template("surveys/code.html", info=info, form=CodeForm())
        return for_invitation(info, invitation)
    if info.audience == Audience.DELEGATES:
        delegate = current_attendee(info.conference_id) if info.conference_id else None
        if delegate is None:
            message = _("This survey is for the conference's delegates: check in first.")
            return render_template("surveys/message.html", info=info, message=message), 403
        return for_delegate(info, delegate, current_year())
    return for_device(info, _device())


def _remember(info: SurveyInfo, invitation: SurveyInvitation) -> None:
    held = dict(session.get(INVITATIONS_KEY) or {})
    held[str(info.id)] = invitation.id
    session[INVITATIONS_KEY] = held
    session.permanent = True


def survey_or_404(slug: str) -> SurveyInfo:
    info = survey_cache().by_slug(slug)
    if info is None:
        abort(404)
    return info


@bp.post("/s/<slug>/code")
def enter_code(slug: str):
    """A typed invitation code; codes are unguessable, so a wrong one is simply refused."""
    info = survey_or_404(slug)
    form = CodeForm()
    invitation = find_invitation(info.id, form.code.data)
    if invitation is None:
        form.code.errors = [_("This code is not an invitation to this survey; check it and retry.")]
        return render_template("surveys/code.html", info=info, form=form), 422
    _remember(info, invitation)
    return redirect(url_for("surveys.survey_page", slug=slug), 303)


@bp.get("/s/<slug>/i/<code>")
def invitation_link(slug: str, code: str):
    """The link a printed QR code carries."""
    info = survey_or_404(slug)
    invitation = find_invitation(info.id, code)
    if invitation is None:
        form = CodeForm()
        form.code.errors = [_("This code is not an invitation to this survey; check it and retry.")]
        return render_template("surveys/code.html", info=info, form=form), 404
    _remember(info, invitation)
    return redirect(url_for("surveys.survey_page", slug=slug), 303)


@bp.route("/s/<slug>/register", methods=["GET", "POST"])
def register(slug: str):
    info = survey_or_404(slug)
    form = RegistrationForm()
    choices, unit_ids = unit_choices(info.unit_id)
    form.unit.choices = choices
    status, headers = 200, {}
    if request.method == "POST" and form.validate():
        data = form.clean(unit_ids)
        if data is not None:
            try:
                entry = register_or_reidentify(data)
                db.session.commit()
            except IdentityError as exc:
                status, headers = refusal(form, exc)
            else:
                sign_in_entry(entry)
                return redirect(url_for("surveys.survey_page", slug=slug), 303)
    return render_template("surveys/register.html", info=info, form=form), status, headers


@bp.route("/s/<slug>/login", methods=["GET", "POST"])
def login(slug: str):
    info = survey_or_404(slug)
    form = ReturningForm()
    status, headers = 200, {}
    if request.method == "POST" and form.validate():
        identity = form.clean()
        if identity is not None:
            try:
                entrant = reidentify(*identity)
            except IdentityError as exc:
                status, headers = refusal(form, exc)
            else:
                sign_in(entrant)
                return redirect(url_for("surveys.survey_page", slug=slug), 303)
    return render_template("surveys/login.html", info=info, form=form), status, headers


@bp.app_template_global()
def conference_surveys(conference_id: int) -> list[SurveyInfo]:
    """Open surveys for a conference's delegates (the attendee page offers them)."""
    ids = db.session.scalars(
        select(Survey.id).where(
            Survey.conference_id == conference_id, Survey.audience == Audience.DELEGATES
        )
    )
    cache = survey_cache()
    now = now_ms()
    return [s for s in (cache.get(i) for i in ids) if s is not None and s.is_open_at(now)]
