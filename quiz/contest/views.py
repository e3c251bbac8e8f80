"""HTTP for entrants: parse, call the contest area's functions, render.

No view here does arithmetic on scores or talks to Redis directly.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qsl

from flask import Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from quiz.catalog.options import paper_options
from quiz.catalog.rounds import ContestInfo, get_contest, get_round, round_numbered
from quiz.contest import bp
from quiz.contest.attempts import (
    AttemptLost,
    Busy,
    Refusal,
    engine,
    existing_attempt,
    form_answers,
    parse_answer,
    read_token,
    save_answer,
    submit_attempt,
)
from quiz.contest.csrf import CSRF_MESSAGE, csrf_valid
from quiz.contest.display import (
    contest_totals,
    paper_items,
    prize_warnings,
    result_view,
    round_cards,
)
from quiz.contest.session import current_entrant, current_entrant_id
from quiz.contest.starting import DECLINED_START, DEVICE_COOKIE, start_attempt
from quiz.extensions import csrf, db
from quiz.timeutil import now_ms

DEVICE_COOKIE_SECONDS = 2 * 365 * 24 * 3600


@bp.after_request
def _mark_device(response):
    """A random id for this browser: many entrants from one device is worth a look."""
    if DEVICE_COOKIE not in request.cookies and response.status_code < 400:
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_hex(8),
            max_age=DEVICE_COOKIE_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def _contest_or_404(slug: str) -> ContestInfo:
    contest = get_contest(slug)
    if contest is None or not contest.published:
        abort(404)
    return contest


def _round_or_404(contest: ContestInfo, number: int):
    info = round_numbered(contest, number)
    if info is None:
        abort(404)
    return info


def _refused(refusal: Refusal, contest_slug: str | None = None):
    return (
        render_template("contest/refused.html", message=refusal.message, slug=contest_slug),
        refusal.status,
    )


@bp.get("/")
def home():
    from quiz.catalog.rounds import published_contests

    return render_template("contest/home.html", contests=published_contests())


@bp.get("/c/<slug>")
def contest_page(slug: str):
    contest = _contest_or_404(slug)
    entrant = current_entrant()
    now = now_ms()
    cards = round_cards(contest, entrant, now)
    entrants, attempts = contest_totals(contest)
    warnings = prize_warnings(contest, entrant.id) if entrant else []
    return render_template(
        "contest/contest.html",
        warnings=warnings,
        contest=contest,
        cards=cards,
        entrant=entrant,
        entrants=entrants,
        attempts=attempts,
        now_ms=now,
    )


@bp.get("/c/<slug>/stats.json")
def contest_stats(slug: str):
    contest = _contest_or_404(slug)
    entrants, attempts = contest_totals(contest)
    return jsonify(entrants=entrants, attempts=attempts)


@bp.post("/c/<slug>/r/<int:number>/start")
@csrf.exempt  # checked by check_csrf below
def start(slug: str, number: int):
    contest = _contest_or_404(slug)
    info = _round_or_404(contest, number)
    entrant = current_entrant()
    if entrant is None:
        return redirect(url_for("contest.register_page", slug=slug), 303)
    try:
        check_csrf()
        declined = request.environ.get(DECLINED_START)
        if declined is not None:
            raise declined  # the fast path's outcome for this very request
        device = request.cookies.get(DEVICE_COOKIE)
        started = start_attempt(info, entrant.id, entrant.birth_year, now_ms(), device=device)
    except Refusal as refusal:
        return _refused(refusal, slug)
    except Busy as busy:
        page = render_template(
            "contest/wait.html", contest=contest, info=info, retry_after=busy.retry_after
        )
        return page, 503, {"Retry-After": str(busy.retry_after)}
    return redirect(url_for("contest.attempt_page", token=started.token), 303)


def _small_form() -> dict[str, str]:
    """A save's two or three fields, parsed straight from the body.

    Werkzeug's general form parser costs more than the rest of the save.
    """
    if (request.content_length or 0) > 4096:
        raise Refusal("too_large", _("This request is larger than allowed."), 413)
    try:
        pairs = parse_qsl(request.get_data(cache=True, as_text=True), max_num_fields=8)
    except ValueError:
        raise Refusal("bad_request", _("This request is malformed."), 400) from None
    return dict(pairs)


def check_csrf(body_token: str | None = None) -> None:
    if not csrf_valid(body_token):
        raise Refusal("csrf", CSRF_MESSAGE, 400)


def _token_and_round(token_text: str):
    token = read_token(token_text, current_entrant_id())
    info = get_round(token.round_id)
    if info is None:
        raise Refusal("bad_token", _("This attempt link is not valid."), 404)
    return token, info


def _lost(lost: AttemptLost, info):
    """The attempt went with Redis's data: say so plainly, and offer a new one."""
    db.session.commit()  # keeps the note that its entrant found it lost
    return render_template("contest/lost.html", message=lost.message, info=info), lost.status


@bp.get("/a/<token>")
def attempt_page(token: str):
    try:
        tok, info = _token_and_round(token)
    except Refusal as refusal:
        return _refused(refusal)
    try:
        return _paper_page(token, tok, info)
    except AttemptLost as lost:
        return _lost(lost, info)


def _paper_page(token: str, tok, info):
    buffer = engine().buffer
    if buffer.receipt(tok.attempt_id) is not None:
        return redirect(url_for("contest.result_page", token=token), 303)
    attempt = existing_attempt(tok)
    if attempt.scored:
        return redirect(url_for("contest.result_page", token=token), 303)
    now = now_ms()
    if engine().late(tok, now):
        submit_attempt(tok, {}, now)
        return redirect(url_for("contest.result_page", token=token, late=1), 303)
    saved = buffer.saved_answers(tok.attempt_id)
    page = render_template(
        "contest/attempt.html",
        token=token,
        info=info,
        items=paper_items(attempt.paper, saved),
        prediction=saved.get("p", ""),
        remaining_ms=max(0, tok.deadline_ms - now),
        timed=info.time_limit_seconds is not None,
        deadline_ms=tok.deadline_ms,
    )
    # Never kept by the browser: "back" after the submit asks again and gets the result.
    return page, 200, {"Cache-Control": "no-store"}


SAVED = b'{"ok":true}\n'


@bp.post("/a/<token>/save")
@csrf.exempt  # checked by check_csrf below: same tokens, verified once per process
def save(token: str):
    """The busiest request: one Redis call, no database, a fixed reply."""
    try:
        fields = _small_form()
        check_csrf(fields.get("csrf_token"))
        tok, _info = _token_and_round(token)
        # Tokens signed before they carried the options per question: the paper has them.
        options = None if tok.options else paper_options(existing_attempt(tok).paper)
        field, value = parse_answer(tok, fields.get("q"), fields.get("c"), fields.get("p"), options)
        save_answer(tok, field, value, now_ms())
    except Refusal as refusal:
        if isinstance(refusal, AttemptLost):
            db.session.commit()  # keeps the note that its entrant found it lost
        return jsonify(error=str(refusal.message), code=refusal.code), refusal.status
    return Response(SAVED, mimetype="application/json")  # a new object: never shared


@bp.post("/a/<token>/submit")
@csrf.exempt  # checked by check_csrf below
def submit(token: str):
    try:
        check_csrf()
        tok, info = _token_and_round(token)
    except Refusal as refusal:
        return _refused(refusal)
    answers = form_answers(request.form.to_dict(flat=False), tok)
    try:
        _receipt, late = submit_attempt(tok, answers, now_ms())
    except AttemptLost as lost:
        return _lost(lost, info)
    return redirect(url_for("contest.result_page", token=token, late=int(late) or None), 303)


@bp.get("/a/<token>/result")
def result_page(token: str):
    try:
        tok, info = _token_and_round(token)
    except Refusal as refusal:
        return _refused(refusal)
    view = result_view(tok, info)
    if not view.received:
        return redirect(url_for("contest.attempt_page", token=token), 303)
    return render_template(
        "contest/result.html",
        token=token,
        info=info,
        view=view,
        late=request.args.get("late") == "1",
    )


@bp.get("/a/<token>/status")
def status(token: str):
    try:
        tok, info = _token_and_round(token)
    except Refusal as refusal:
        return jsonify(error=str(refusal.message), code=refusal.code), refusal.status
    view = result_view(tok, info)
    return jsonify(received=view.received, scored=view.scored)
