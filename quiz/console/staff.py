"""Staff accounts, managed by administrators."""

from __future__ import annotations

import time

from flask import g, redirect, render_template, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from sqlalchemy import select

from quiz.console import bp
from quiz.console.access import ADMINS, SESSION_KEY, allow
from quiz.console.audit_log import record
from quiz.console.contests import unit_choices
from quiz.console.forms import StaffForm
from quiz.extensions import db
from quiz.models import Staff


@bp.get("/staff")
@allow(*ADMINS)
def staff_list():
    accounts = db.session.scalars(select(Staff).order_by(Staff.username)).all()
    return render_template("console/staff.html", accounts=accounts)


def _save(form: StaffForm, staff: Staff, created: bool):
    taken = db.session.scalar(select(Staff.id).where(Staff.username == form.username.data))
    if taken is not None and taken != staff.id:
        form.username.errors.append(_l("Another account uses this name."))
        return None
    if created and not form.password.data:
        form.password.errors.append(_l("A new account needs a password."))
        return None
    staff.username, staff.full_name = form.username.data, form.full_name.data.strip()
    access_changed = staff.set_access(form.role.data, form.unit.data, form.active.data)
    if form.password.data:
        staff.set_password(form.password.data)
    db.session.add(staff)
    db.session.flush()
    record(
        "staff_created" if created else "staff_changed",
        f"staff {staff.id}",
        staff.unit_id,
        username=staff.username,
        role=staff.role,
        password_changed=bool(form.password.data),
        sessions_ended=not created and (access_changed or bool(form.password.data)),
    )
    db.session.commit()
    _stay_signed_in(staff)
    return redirect(url_for("console.staff_list"), 303)


def _stay_signed_in(staff: Staff) -> None:
    """An administrator who changed their own account keeps this session (the others end).

    Like any other session it was ended by the change; this one is where
    the change was made, so it is signed in again at the new version
    rather than thrown out mid-task.
    """
    if staff.id == current_user.id and staff.is_active:
        login_user(staff)
        session[SESSION_KEY] = int(time.time())


@bp.route("/staff/new", methods=["GET", "POST"])
@allow(*ADMINS)
def staff_new():
    form = StaffForm()
    form.unit.choices = unit_choices()
    if form.validate_on_submit():
        done = _save(form, Staff(), created=True)
        if done:
            return done
    return render_template("console/staff_form.html", form=form, account=None)


@bp.route("/staff/<int:staff_id>/edit", methods=["GET", "POST"])
@allow(*ADMINS)
def staff_edit(staff_id: int):
    form = StaffForm(obj=g.staff, active=g.staff.is_active_account, unit=g.staff.unit_id)
    form.unit.choices = unit_choices()
    if form.validate_on_submit():
        done = _save(form, g.staff, created=False)
        if done:
            return done
    return render_template("console/staff_form.html", form=form, account=g.staff)
