"""HTTP for becoming an entrant: registering, signing in again, signing out.

What a phone yields is decided by `quiz.contest.identity_rule`; these views
parse the form, call it, commit, and render. A refused form is shown again
with what was typed and the message next to its field.

These two forms check their CSRF token themselves (FlaskForm does, in
`validate`) rather than through CSRFProtect, whose refusal is an error page:
a session gone stale while someone typed (a phone asleep for a day, cookies
cleared) then shows the form again with what was typed and a fresh token.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from quiz.contest import bp
from quiz.contest.identity_rule import IdentityError, register_or_reidentify, reidentify
from quiz.contest.registration import RegistrationForm, ReturningForm
from quiz.contest.session import sign_in, sign_in_entry, sign_out
from quiz.contest.unit_picker import unit_choices
from quiz.contest.views import _contest_or_404
from quiz.extensions import csrf, db


def refusal(form, exc: IdentityError) -> tuple[int, dict]:
    """Put the refusal next to its field; the status and headers to answer with."""
    getattr(form, exc.field).errors.append(exc.message)
    return exc.status, exc.headers


def _stale(form) -> int:
    """400 when only the session was stale (the page says so), else 200."""
    return 400 if form.csrf_token.errors else 200


@bp.route("/c/<slug>/register", methods=["GET", "POST"])
@csrf.exempt
def register_page(slug: str):
    """A new phone registers; a known one signs in unchanged if the year is theirs."""
    contest = _contest_or_404(slug)
    form = RegistrationForm()
    choices, unit_ids = unit_choices(contest.owner_unit_id)
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
                return redirect(url_for("contest.contest_page", slug=slug), 303)
    status = status if status != 200 else _stale(form)
    return render_template("contest/register.html", contest=contest, form=form), status, headers


@bp.route("/c/<slug>/login", methods=["GET", "POST"])
@csrf.exempt
def login_page(slug: str):
    """Phone and year of birth; each try is taken from the phone's budget (years are guessed)."""
    contest = _contest_or_404(slug)
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
                return redirect(url_for("contest.contest_page", slug=slug), 303)
    status = status if status != 200 else _stale(form)
    return render_template("contest/login.html", contest=contest, form=form), status, headers


@bp.post("/c/<slug>/logout")
def logout(slug: str):
    sign_out()
    return redirect(url_for("contest.contest_page", slug=slug), 303)
