"""The audit log: sensitive actions recorded, and read by administrators."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from quiz.console import bp
from quiz.console.access import ADMINS, allow
from quiz.extensions import db
from quiz.models import AuditEvent

PAGE = 100


def record(action: str, target: str = "", unit_id: int | None = None, **details) -> None:
    """Add an event to the session (the view's commit writes it with the change)."""
    staff_id = current_user.id if current_user and current_user.is_authenticated else None
    db.session.add(
        AuditEvent(
            staff_id=staff_id,
            action=action,
            target=target[:120],
            unit_id=unit_id,
            details=details,
            ip=(request.remote_addr or "")[:64],
        )
    )


@bp.get("/audit")
@allow(*ADMINS)
def audit():
    page = max(1, request.args.get("page", 1, type=int))
    action = request.args.get("action", "").strip()
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    events = db.session.scalars(query.offset((page - 1) * PAGE).limit(PAGE)).all()
    return render_template(
        "console/audit.html", events=events, page=page, action=action, more=len(events) == PAGE
    )
