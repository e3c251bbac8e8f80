"""Staff accounts, managed by administrators."""

from __future__ import annotations

from flask import g, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from quiz.console import bp
from quiz.console.access import ADMINS, allow
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
    staff.role, staff.unit_id = form.role.data, form.unit.data
    staff.is_active_account = form.active.data
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
    )
    db.session.commit()
    return redirect(url_for("console.staff_list"), 303)


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
