"""Console: the list of surveys, creating and editing one, its live page and its targets."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import SelectChoice

from quiz.console import bp
from quiz.console.access import ALL_ROLES, EDITORS, allow, in_scope, scope_unit_ids
from quiz.console.audit_log import record
from quiz.console.contests import unit_choices
from quiz.console.forms import ConfirmForm
from quiz.console.surveys.forms import SurveyForm
from quiz.extensions import db
from quiz.models import Audience, Conference, Survey, SurveyResponse
from quiz.surveys.live import live_view
from quiz.surveys.review import flagged_count
from quiz.surveys.setup import (
    SetupError,
    SurveySettings,
    create_survey,
    set_targets,
    targets_of,
    update_survey,
)
from quiz.surveys.sheet_import import has_responses
from quiz.timeutil import local, local_naive_to_utc, utcnow
from quiz.units.tree import unit_tree
from quiz.web import row_id

MAX_TARGET = 10_000_000


@bp.get("/surveys")
@allow(*ALL_ROLES)
def surveys():
    query = (
        select(Survey, func.count(SurveyResponse.id))
        .outerjoin(SurveyResponse, SurveyResponse.survey_id == Survey.id)
        .group_by(Survey.id)
        .order_by(Survey.opens_at.desc())
    )
    ids = scope_unit_ids()
    if ids is not None:
        query = query.where(Survey.unit_id.in_(ids))
    rows = db.session.execute(query.limit(200)).all()
    return render_template("console/surveys/list.html", rows=rows, now=utcnow())


def _conference_choices() -> list[SelectChoice]:
    query = select(Conference).order_by(Conference.starts_at.desc())
    ids = scope_unit_ids()
    if ids is not None:
        query = query.where(Conference.owner_unit_id.in_(ids))
    choices = [SelectChoice(0, _l("— none —"))]
    choices += [SelectChoice(c.id, c.title) for c in db.session.scalars(query.limit(300))]
    return choices


def _form(survey: Survey | None = None) -> SurveyForm:
    form = SurveyForm(obj=survey)
    form.unit.choices = unit_choices()
    form.conference.choices = _conference_choices()
    if survey is not None and request.method == "GET":
        form.unit.data = survey.unit_id
        form.conference.data = survey.conference_id or 0
        form.opens_at.data = local(survey.opens_at).replace(tzinfo=None)
        form.closes_at.data = local(survey.closes_at).replace(tzinfo=None)
    return form


def _settings(form: SurveyForm) -> SurveySettings:
    if not in_scope(form.unit.data):
        abort(404)
    return SurveySettings(
        title=form.title.data.strip(),
        slug=form.slug.data.strip(),
        unit_id=form.unit.data,
        introduction=(form.introduction.data or "").strip(),
        opens_at=local_naive_to_utc(form.opens_at.data),
        closes_at=local_naive_to_utc(form.closes_at.data),
        audience=form.audience.data,
        conference_id=form.conference.data or None,
        anonymous=form.anonymous.data,
        per_device_limit=form.per_device_limit.data or 1,
    )


def _refused(form: SurveyForm, exc: SetupError) -> None:
    getattr(form, exc.field, form.title).errors.append(exc.message)


@bp.route("/surveys/new", methods=["GET", "POST"])
@allow(*EDITORS)
def survey_new():
    form = _form()
    if form.validate_on_submit():
        try:
            survey = create_survey(_settings(form))
        except SetupError as exc:
            _refused(form, exc)
        else:
            record("survey_created", f"survey {survey.id}", survey.unit_id, title=survey.title)
            db.session.commit()
            flash(_l("The survey is created: now add its questions."), "success")
            return redirect(url_for("console.survey_questions", survey_id=survey.id), 303)
    status = 422 if form.errors else 200
    return render_template("console/surveys/form.html", form=form, survey=None), status


@bp.route("/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
@allow(*EDITORS)
def survey_edit(survey_id: int):
    form = _form(g.survey)
    if form.validate_on_submit():
        try:
            update_survey(g.survey, _settings(form), has_responses(survey_id))
        except SetupError as exc:
            _refused(form, exc)
        else:
            record("survey_changed", f"survey {survey_id}", g.survey.unit_id)
            db.session.commit()
            return redirect(url_for("console.survey", survey_id=survey_id), 303)
    status = 422 if form.errors else 200
    return render_template("console/surveys/form.html", form=form, survey=g.survey), status


def _parent_unit(survey: Survey):
    """The unit drilled into (`?unit=`): the survey's unit or below it, in the account's scope."""
    unit_id = request.args.get("unit", type=row_id)
    if unit_id is None:
        return None
    node = unit_tree().get(unit_id)
    top = unit_tree().get(survey.unit_id)
    if node is None or top is None or not node.path.startswith(top.path) or not in_scope(node.id):
        abort(404)
    return node


@bp.get("/surveys/<int:survey_id>")
@allow(*ALL_ROLES)
def survey(survey_id: int):
    """The live page: responses and response rate per unit against target, by day."""
    parent = _parent_unit(g.survey)
    return render_template(
        "console/surveys/live.html",
        survey=g.survey,
        live=live_view(g.survey, parent.id if parent else None),
        parent=parent,
        flagged=flagged_count(survey_id),
        now=utcnow(),
        audiences=Audience,
    )


def _target_units(survey: Survey, targets: dict[int, int]) -> list:
    """The survey's unit, its direct children, and any unit that has a target."""
    tree = unit_tree()
    return [
        n
        for n in tree.subtree(survey.unit_id)
        if n.id == survey.unit_id or n.parent_id == survey.unit_id or n.id in targets
    ]


@bp.route("/surveys/<int:survey_id>/targets", methods=["GET", "POST"])
@allow(*EDITORS)
def survey_targets(survey_id: int):
    targets = targets_of(survey_id)
    units = _target_units(g.survey, targets)
    errors: dict[int, str] = {}
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        typed = {n.id: request.form.get(f"t{n.id}", "").strip() for n in units}
        for unit_id, text in typed.items():
            if text and not (text.isascii() and text.isdigit() and int(text) <= MAX_TARGET):
                errors[unit_id] = _l("Enter a whole number of responses (0 or more).")
        if not errors:
            set_targets(g.survey, {u: int(t) for u, t in typed.items() if t})
            record("survey_targets_set", f"survey {survey_id}", g.survey.unit_id)
            db.session.commit()
            flash(_l("Targets saved."), "success")
            return redirect(url_for("console.survey", survey_id=survey_id), 303)
        targets = typed
    return render_template(
        "console/surveys/targets.html",
        survey=g.survey,
        units=units,
        targets=targets,
        errors=errors,
        form=ConfirmForm(),
    ), (422 if errors else 200)
