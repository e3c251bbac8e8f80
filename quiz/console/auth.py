"""Signing staff in and out. Failed sign-ins are throttled per account name."""

from __future__ import annotations

import time

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from quiz import throttle
from quiz.console import bp
from quiz.console.access import ALL_ROLES, SESSION_KEY, allow
from quiz.extensions import db
from quiz.models import Staff
from quiz.timeutil import utcnow

LOGIN_LIMIT = "5 per 15 minutes"


class LoginForm(FlaskForm):
    username = StringField(
        _l("Account"), validators=[DataRequired(_l("Enter your account name.")), Length(max=60)]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=200)]
    )


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return url_for("console.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("console.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        name = form.username.data.strip().lower()
        if not throttle.allowed(LOGIN_LIMIT, "staff-login", name):
            abort(429)
        staff = db.session.scalar(select(Staff).where(func.lower(Staff.username) == name))
        if staff is None or not staff.check_password(form.password.data) or not staff.is_active:
            throttle.count(LOGIN_LIMIT, "staff-login", name)
            form.password.errors.append(_l("Wrong account name or password."))
        else:
            session.clear()  # a fresh session: nothing carried over from before sign-in
            login_user(staff)
            session[SESSION_KEY] = int(time.time())
            staff.last_login_at = utcnow()
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")), 303)
    return render_template("console/login.html", form=form)


@bp.post("/logout")
@allow(*ALL_ROLES)
def logout():
    logout_user()
    session.clear()
    flash(_l("You have signed out."), "info")
    return redirect(url_for("console.login"), 303)
