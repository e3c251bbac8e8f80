"""HTTP for respondents: find who is answering, show the form, save, submit, thank.

Pages are plain forms (one page, sections as fieldsets) that work without
JavaScript: "save and continue later" and "submit" are buttons of the same
form; the script only saves each answer as it is given and hides questions
whose condition does not hold. The server applies the conditions itself.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from quiz.contest.csrf import CSRF_MESSAGE, csrf_valid
from quiz.extensions import csrf
from quiz.surveys import bp
from quiz.surveys.counting import count_of, counted, loss_to_tell
from quiz.surveys.respondents import for_device
from quiz.surveys.responding import Refusal, save_draft, submit_response
from quiz.surveys.store import request_drain, store_for
from quiz.surveys.structure import SurveyInfo, survey_cache
from quiz.surveys.tokens import BadToken, RespondentToken
from quiz.surveys.who import DEVICE_COOKIE, current_respondent, survey_or_404
from quiz.timeutil import now_ms

SAVED_NOTE = "survey-note"


def _refused(info: SurveyInfo | None, message, status: int):
    return render_template("surveys/message.html", info=info, message=message), status


def _read_token(text: str) -> tuple[SurveyInfo, RespondentToken]:
    try:
        token = store_for().signer.verify(text)
    except BadToken:
        abort(404)
    info = survey_cache().get(token.survey_id)
    if info is None:
        abort(404)
    return info, token


def render_form(
    info: SurveyInfo,
    token: RespondentToken,
    answers: dict,
    problems=None,
    status=200,
    loss_at_ms: int | None = None,
):
    """The form; `loss_at_ms`: when Redis was found to have lost responses (the page says so)."""
    signed = store_for().signer.sign(token)
    page = render_template(
        "surveys/survey.html",
        info=info,
        token=signed,
        answers=answers,
        problems=problems or {},
        message=None if not problems else _("Some answers need your attention (marked below)."),
        loss_at_ms=loss_at_ms,
    )
    return page, status


@bp.get("/s/<slug>")
def survey_page(slug: str):
    info = survey_or_404(slug)
    now = now_ms()
    if now < info.opens_at_ms:
        return _refused(info, _("This survey is not open yet."), 403)
    if now >= info.closes_at_ms:
        return _refused(info, _("This survey has closed; answers are no longer accepted."), 403)
    found = current_respondent(info)
    if not isinstance(found, RespondentToken):
        return found  # the page that asks who they are first
    token = found
    store = store_for()
    count = count_of(store, info.id, token.key)
    if count.responses >= token.limit:
        return redirect(url_for("surveys.done", slug=slug), 303)
    draft = store.draft(info.id, token.key)
    return render_form(info, token, draft, loss_at_ms=loss_to_tell(count, now))


def _form_lists() -> dict[str, list[str]]:
    return {name: request.form.getlist(name) for name in request.form}


@bp.post("/s/t/<token>/save")
@csrf.exempt
def save(token: str):
    """A save from the script (JSON reply) or the "save and continue later" button."""
    info, respondent = _read_token(token)
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    if not csrf_valid():
        if wants_json:
            return jsonify(ok=False, error=str(CSRF_MESSAGE)), 400
        return _refused(info, CSRF_MESSAGE, 400)
    try:
        store, form = store_for(), _form_lists()
        counted(store, info.id, lambda: save_draft(store, info, respondent, form, now_ms()))
    except Refusal as exc:
        if wants_json:
            return jsonify(ok=False, error=str(exc.message)), exc.status
        if exc.code == "answer":
            answers = dict(store_for().draft(info.id, respondent.key))
            return render_form(info, respondent, answers, exc.problems, exc.status)
        return _refused(info, exc.message, exc.status)
    if wants_json:
        return jsonify(ok=True)
    flash(_("Your answers are saved. Come back to this page to carry on."), SAVED_NOTE)
    return redirect(url_for("surveys.survey_page", slug=info.slug), 303)


@bp.post("/s/t/<token>/submit")
@csrf.exempt
def submit(token: str):
    info, respondent = _read_token(token)
    if not csrf_valid():
        return _refused(info, CSRF_MESSAGE, 400)
    store, form, address = store_for(), _form_lists(), request.remote_addr
    try:
        sent = counted(
            store,
            info.id,
            lambda: submit_response(store, info, respondent, form, now_ms(), address),
        )
    except Refusal as exc:
        if exc.code == "incomplete" or exc.code == "answer":
            answers = {k: ",".join(v) for k, v in form.items() if k.startswith("q")}
            return render_form(info, respondent, answers, exc.problems, exc.status)
        if exc.code == "answered":
            return redirect(url_for("surveys.done", slug=info.slug), 303)
        return _refused(info, exc.message, exc.status)
    if sent.needs_drain:
        request_drain(info.id)
    return redirect(url_for("surveys.done", slug=info.slug), 303)


@bp.get("/s/<slug>/done")
def done(slug: str):
    info = survey_or_404(slug)
    again = False
    if info.audience == "public" and info.per_device_limit > 1:
        device = request.cookies.get(DEVICE_COOKIE)
        if device:
            key = for_device(info, device).key
            again = count_of(store_for(), info.id, key).responses < info.per_device_limit
    return render_template("surveys/done.html", info=info, again=again)
