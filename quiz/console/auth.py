"""Signing staff in and out.

Tries are counted before the password is checked (quiz/console/lockout.py
says how many, per account and client, and why); the password check takes
as long for a name that does not exist. Signing out ends every session of
the account, on every device, copied cookies included.
"""

from __future__ import annotations

import math
import time

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from quiz.console import bp, lockout
from quiz.console.access import ALL_ROLES, SESSION_KEY, allow
from quiz.extensions import db
from quiz.forms import Form
from quiz.models import Staff
from quiz.models.staff import verify_password
from quiz.redirects import local_path
from quiz.timeutil import utcnow


class LoginForm(Form):
    username = StringField(
        _l("Account"), validators=[DataRequired(_l("Enter your account name.")), Length(max=60)]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=200)]
    )


def _next_page() -> str:
    return local_path(request.args.get("next"), url_for("console.dashboard"), under="/console")


def _refused(form: LoginForm, wait: int):
    minutes = math.ceil(wait / 60)
    refusal = ngettext(
        "Too many sign-in attempts for this account from here. Try again in %(num)d minute.",
        "Too many sign-in attempts for this account from here. Try again in %(num)d minutes.",
        minutes,
    )
    page = render_template("console/login.html", form=form, refusal=refusal)
    return page, 429, {"Retry-After": str(wait)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_next_page())
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("console/login.html", form=form)
    name = form.username.data.strip().lower()
    staff = db.session.scalar(select(Staff).where(func.lower(Staff.username) == name))
    client = lockout.identify(name, staff)
    wait = lockout.take(client)
    if wait is not None:
        return _refused(form, wait)
    if not verify_password(staff, form.password.data) or not staff.is_active:
        form.password.errors.append(_l("Wrong account name or password."))
        return render_template("console/login.html", form=form)
    lockout.forgive(client)
    session.clear()  # a fresh session: nothing carried over from before sign-in
    login_user(staff)
    session[SESSION_KEY] = int(time.time())
    staff.last_login_at = utcnow()
    db.session.commit()
    response = redirect(_next_page(), 303)
    lockout.remember_device(response, staff, client)
    return response


@bp.post("/logout")
@allow(*ALL_ROLES)
def logout():
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    session.clear()
    flash(_l("You have signed out."), "info")
    return redirect(url_for("console.login"), 303)
