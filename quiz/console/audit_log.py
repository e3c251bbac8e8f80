"""The audit log: sensitive actions recorded, and read by administrators.

Actions are stored under snake_case names ("noun_done": `bank_imported`,
`unit_moved`), every one of them listed in `ACTIONS` with the label the
log page shows (`tests/console/test_audit_actions.py` fails on a name
recorded anywhere in quiz/ that is not listed here, or not in this style;
a name chosen at run time comes from a module-level `*_EVENTS` table).
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from quiz.console import bp
from quiz.console.access import ADMINS, allow
from quiz.extensions import db
from quiz.models import AuditEvent
from quiz.text import drop_control
from quiz.web import row_id

PAGE = 100

ACTIONS = {
    "bank_imported": _l("Question bank imported"),
    "contest_changed": _l("Contest edited"),
    "contest_created": _l("Contest created"),
    "contest_paused": _l("Contest paused"),
    "contest_published": _l("Contest published"),
    "contest_resumed": _l("Contest resumed"),
    "contest_unpublished": _l("Contest unpublished"),
    "conference_absentees_exported": _l("Absentee list exported"),
    "conference_attendance_exported": _l("Attendance exported"),
    "conference_code_reissued": _l("Delegate code reissued"),
    "conference_delegates_imported": _l("Delegate list imported"),
    "conference_invitations_printed": _l("Invitations printed"),
    "disqualified": _l("Entrant disqualified"),
    "download_personal_data": _l("File with personal data downloaded"),
    "export_personal_data": _l("Export with personal data requested"),
    "reinstated": _l("Entrant reinstated"),
    "round_closed": _l("Round closed now"),
    "round_paused": _l("Round paused"),
    "round_resumed": _l("Round resumed"),
    "running_round_changed": _l("Running round changed"),
    "staff_changed": _l("Staff account changed"),
    "staff_created": _l("Staff account created"),
    "survey_changed": _l("Survey edited"),
    "survey_created": _l("Survey created"),
    "survey_invitations_imported": _l("Survey invitations imported"),
    "survey_invitations_printed": _l("Survey invitations printed"),
    "survey_questions_replaced": _l("Survey questions replaced"),
    "survey_responses_discarded": _l("Flagged survey responses discarded"),
    "survey_responses_kept": _l("Flagged survey responses kept"),
    "survey_targets_set": _l("Survey targets set"),
    "unit_changed": _l("Unit edited"),
    "unit_created": _l("Unit added"),
    "unit_merged": _l("Unit merged"),
    "unit_moved": _l("Unit moved"),
    "units_imported": _l("Units imported"),
    "winner_revoked": _l("Prize revoked"),
    "winners_published": _l("Winners published"),
}


@bp.app_template_filter("audit_action")
def action_label(action: str) -> str:
    """The label of an action (its stored name if it has none, so nothing is hidden)."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


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
    page = max(1, request.args.get("page", 1, type=row_id))
    action = drop_control(request.args.get("action", "")).strip()
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    events = db.session.scalars(query.offset((page - 1) * PAGE).limit(PAGE)).all()
    return render_template(
        "console/audit.html",
        events=events,
        page=page,
        action=action,
        actions=sorted(ACTIONS, key=action_label),
        more=len(events) == PAGE,
    )
