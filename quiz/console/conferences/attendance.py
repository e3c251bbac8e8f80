"""Console: the live attendance dashboard, the Excel exports and the period summary."""

from __future__ import annotations

from datetime import date, timedelta

from flask import g, render_template, request
from flask_login import current_user

from quiz.conferences.attendance import dashboard, period_summary
from quiz.conferences.exports import (
    absentees_workbook,
    attendance_workbook,
    summary_line,
    summary_workbook,
)
from quiz.conferences.forms import FIRST_YEAR, LAST_YEAR, PeriodForm
from quiz.conferences.messages import TITLES, device_label
from quiz.console import bp
from quiz.console.access import ALL_ROLES, EDITORS, allow
from quiz.console.audit_log import record
from quiz.console.downloads import send_workbook
from quiz.extensions import db
from quiz.timeutil import local, utcnow


@bp.get("/conferences/<int:conference_id>/attendance")
@allow(*ALL_ROLES)
def attendance(conference_id: int):
    """The dashboard; with ?part=1 only the figures, which the page fetches every 15 s."""
    template = "console/conferences/_attendance.html" if request.args.get("part") else None
    return render_template(
        template or "console/conferences/attendance.html",
        conference=g.conference,
        board=dashboard(g.conference),
        updated=utcnow(),
        reason_titles=TITLES,
        device_label=device_label,
    )


def _xlsx(data: bytes, name: str):
    response = send_workbook(data, name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/conferences/<int:conference_id>/attendance.xlsx")
@allow(*EDITORS)
def attendance_export(conference_id: int):
    data = attendance_workbook(g.conference)
    record(
        "conference_attendance_exported", f"conference {conference_id}", g.conference.owner_unit_id
    )
    db.session.commit()
    return _xlsx(data, f"diem-danh-hoi-nghi-{conference_id}.xlsx")


@bp.get("/conferences/<int:conference_id>/absentees.xlsx")
@allow(*EDITORS)
def absentees_export(conference_id: int):
    data = absentees_workbook(g.conference)
    record(
        "conference_absentees_exported", f"conference {conference_id}", g.conference.owner_unit_id
    )
    db.session.commit()
    return _xlsx(data, f"vang-mat-hoi-nghi-{conference_id}.xlsx")


def _period() -> tuple[PeriodForm, date, date]:
    form = PeriodForm(request.args)
    today = local(utcnow()).date()
    first, last = today.replace(day=1), today
    if request.args and form.validate():
        first, last = (
            min(max(d, date(FIRST_YEAR, 1, 1)), date(LAST_YEAR, 12, 31))
            for d in (form.first.data, form.last.data)
        )
    if last < first:
        first, last = last, first
    last = min(last, first + timedelta(days=3660))
    form.first.data, form.last.data = first, last
    return form, first, last


def _root() -> int | None:
    return None if current_user.is_admin else current_user.unit_id


@bp.get("/conferences/summary")
@allow(*ALL_ROLES)
def conference_summary():
    form, first, last = _period()
    rows = period_summary(first, last, _root())
    return render_template(
        "console/conferences/summary.html",
        form=form,
        rows=rows,
        first=first,
        last=last,
        line=summary_line,
    )


@bp.get("/conferences/summary.xlsx")
@allow(*ALL_ROLES)
def conference_summary_export():
    _form, first, last = _period()
    return _xlsx(
        summary_workbook(first, last, _root()),
        f"tong-hop-hoi-nghi-{first:%Y%m%d}-{last:%Y%m%d}.xlsx",
    )
