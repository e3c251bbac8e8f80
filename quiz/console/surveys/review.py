"""Console: an open link's flagged responses (bursts from one address), kept or discarded."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from quiz.console import bp
from quiz.console.access import EDITORS, allow
from quiz.console.audit_log import record
from quiz.console.forms import ConfirmForm
from quiz.extensions import db
from quiz.surveys.review import SHOWN, discard, flagged_count, flagged_responses, keep


@bp.get("/surveys/<int:survey_id>/review")
@allow(*EDITORS)
def survey_review(survey_id: int):
    return render_template(
        "console/surveys/review.html",
        survey=g.survey,
        rows=flagged_responses(survey_id),
        total=flagged_count(survey_id),
        shown=SHOWN,
        form=ConfirmForm(),
    )


@bp.post("/surveys/<int:survey_id>/review")
@allow(*EDITORS)
def survey_review_decide(survey_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    sent = request.form.getlist("response")
    ids = [int(v) for v in sent if v.isascii() and v.isdigit() and len(v) < 19]
    back = redirect(url_for("console.survey_review", survey_id=survey_id), 303)
    if not ids:
        flash(_l("Tick the responses first."), "error")
        return back
    if request.form.get("decision") == "discard":
        n = discard(survey_id, ids)
        record("survey_responses_discarded", f"survey {survey_id}", g.survey.unit_id, count=n)
        flash(_l("%(n)s responses discarded.", n=n), "success")
    else:
        n = keep(survey_id, ids)
        record("survey_responses_kept", f"survey {survey_id}", g.survey.unit_id, count=n)
        flash(_l("%(n)s responses kept as genuine.", n=n), "success")
    db.session.commit()
    return back
