"""Excel exports: asked for here, made by workers, downloaded when ready.

Who may do what:
- everyone in the console sees the exports of their units (admins: all);
- exports with personal data (names, phones, citizen IDs: attempts,
  ranking, winners) are asked for and downloaded by editors only, and each
  request and each download goes to the audit log;
- the contest or round named in a request must be in the account's scope
  (404 otherwise, as everywhere in the console); a download's export is
  scope-checked by the guard (`export_id` in the URL).
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from quiz.console import bp
from quiz.console.access import ALL_ROLES, allow, scope_unit_ids, scoped_object
from quiz.console.audit_log import record
from quiz.console.downloads import send_workbook
from quiz.extensions import db
from quiz.models import Contest, ExportFile, Round, Staff
from quiz.models.surveys import Survey
from quiz.reports.export_jobs import (
    UNFINISHED,
    create_export,
    enqueue_export,
    export_path,
    fail_abandoned,
)
from quiz.reports.export_kinds import KINDS
from quiz.timeutil import local
from quiz.web import row_id

LIST_LIMIT = 100
FORM_CONTESTS = 50

KIND_LABELS = {
    "attempts": _l("All scored attempts"),
    "ranking": _l("Final ranking"),
    "winners": _l("Published winners"),
    "participation_units": _l("Participation by unit"),
    "participation_days": _l("Participation by day"),
    "questions": _l("Question statistics"),
    "survey_responses": _l("Survey responses with codebook (Excel)"),
    "survey_csv": _l("Survey responses (CSV)"),
    "survey_people": _l("Survey responses with respondents"),
}
STATUS_LABELS = {
    "queued": _l("Waiting for a worker"),
    "running": _l("Being written"),
    "ready": _l("Ready"),
    "failed": _l("Failed"),
}


def _kinds_for(param: str) -> list[str]:
    """Kinds the account may ask for about a round or a contest, in display order."""
    return [
        kind
        for kind, spec in KINDS.items()
        if param in spec.params and (current_user.can_edit or not spec.personal_data)
    ]


def _visible_exports() -> list[ExportFile]:
    query = select(ExportFile).order_by(ExportFile.id.desc()).limit(LIST_LIMIT)
    scope = scope_unit_ids()
    if scope is not None:
        query = query.where(ExportFile.owner_unit_id.in_(scope))
    return list(db.session.scalars(query))


def _subjects(exports: list[ExportFile]) -> dict[int, str]:
    """What each export covers, as "contest title · Round n"."""
    round_ids = {e.params.get("round_id") for e in exports} - {None}
    contest_ids = {e.params.get("contest_id") for e in exports} - {None}
    rounds = {r.id: r for r in db.session.scalars(select(Round).where(Round.id.in_(round_ids)))}
    contests = {
        c.id: c for c in db.session.scalars(select(Contest).where(Contest.id.in_(contest_ids)))
    }
    survey_ids = {e.params.get("survey_id") for e in exports} - {None}
    surveys = {s.id: s for s in db.session.scalars(select(Survey).where(Survey.id.in_(survey_ids)))}
    out = {}
    for e in exports:
        round_ = rounds.get(e.params.get("round_id"))
        contest = contests.get(e.params.get("contest_id"))
        survey = surveys.get(e.params.get("survey_id"))
        if round_ is not None:
            out[e.id] = f"{round_.contest.title} · {_('Round %(n)s', n=round_.number)}"
        elif contest is not None:
            out[e.id] = contest.title
        else:
            out[e.id] = survey.title if survey is not None else ""
    return out


def _form_contests() -> list[Contest]:
    query = select(Contest).order_by(Contest.id.desc()).limit(FORM_CONTESTS)
    scope = scope_unit_ids()
    if scope is not None:
        query = query.where(Contest.owner_unit_id.in_(scope))
    return list(db.session.scalars(query))


@bp.get("/exports")
@allow(*ALL_ROLES)
def exports():
    if fail_abandoned():
        db.session.commit()
    items = _visible_exports()
    staff_ids = {e.staff_id for e in items} - {None}
    staff = {s.id: s for s in db.session.scalars(select(Staff).where(Staff.id.in_(staff_ids)))}
    return render_template(
        "console/exports.html",
        exports=items,
        subjects=_subjects(items),
        staff=staff,
        contests=_form_contests(),
        round_kinds=_kinds_for("round_id"),
        contest_kinds=_kinds_for("contest_id"),
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
        waiting=any(e.status in UNFINISHED for e in items),
        selected_round=request.args.get("round_id", type=row_id),
        selected_contest=request.args.get("contest_id", type=row_id),
    )


def _target(kind: str) -> tuple[dict, int | None, str]:
    """The export's parameters, owner unit and a label for the audit log (400/404 if wrong)."""
    spec = KINDS[kind]
    round_id = request.form.get("round_id", type=row_id)
    contest_id = request.form.get("contest_id", type=row_id)
    if round_id is not None and "round_id" in spec.params:
        round_ = scoped_object("round_id", round_id)
        return {"round_id": round_.id}, round_.contest.owner_unit_id, f"round {round_.id}"
    if contest_id is not None and "contest_id" in spec.params:
        contest = scoped_object("contest_id", contest_id)
        return {"contest_id": contest.id}, contest.owner_unit_id, f"contest {contest.id}"
    survey_id = request.form.get("survey_id", type=row_id)
    if survey_id is not None and "survey_id" in spec.params:
        survey = scoped_object("survey_id", survey_id)
        if spec.identified_only and survey.anonymous:
            abort(400)  # an anonymous survey has nobody to list
        return {"survey_id": survey.id}, survey.unit_id, f"survey {survey.id}"
    abort(400)


@bp.post("/exports")
@allow(*ALL_ROLES)
def request_export():
    kind = request.form.get("kind", "")
    if kind not in KINDS:
        abort(400)
    params, owner, subject = _target(kind)
    if KINDS[kind].personal_data and not current_user.can_edit:
        abort(403)
    export = create_export(kind, params, current_user, owner)
    if export.personal_data:
        record(
            "export_personal_data",
            f"export {export.id}: {kind} of {subject}",
            owner,
            kind=kind,
            export_id=export.id,
            **params,
        )
    db.session.commit()
    enqueue_export(export.id)
    flash(_l("The export is being prepared; it appears below when it is ready."), "success")
    return redirect(url_for("console.exports"), 303)


def download_name(export: ExportFile) -> str:
    """A name people recognise in their downloads folder, in Vietnamese."""
    label = KINDS[export.kind].file_label if export.kind in KINDS else export.kind
    round_ = db.session.get(Round, export.params.get("round_id") or 0)
    contest = db.session.get(Contest, export.params.get("contest_id") or 0)
    survey = db.session.get(Survey, export.params.get("survey_id") or 0)
    if round_ is not None:
        subject = f"{round_.contest.slug} - Vòng {round_.number}"
    elif contest is not None:
        subject = contest.slug
    else:
        subject = survey.slug if survey is not None else ""
    stamp = local(export.created_at).strftime("%Y%m%d") if export.created_at else ""
    parts = [label, subject, f"{stamp}-{export.id}"]
    extension = KINDS[export.kind].extension if export.kind in KINDS else "xlsx"
    return " - ".join(p for p in parts if p) + "." + extension


@bp.get("/exports/<int:export_id>/download")
@allow(*ALL_ROLES)
def export_download(export_id: int):
    export: ExportFile = g.export
    if export.personal_data and not current_user.can_edit:
        abort(403)
    path = export_path(export)
    if path is None:
        abort(404)
    if export.personal_data:
        record(
            "download_personal_data",
            f"export {export.id}: {export.kind}",
            export.owner_unit_id,
            kind=export.kind,
            export_id=export.id,
            rows=export.rows,
            **export.params,
        )
        db.session.commit()
    return send_workbook(path, download_name(export))
