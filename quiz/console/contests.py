"""Contests and rounds: create, schedule, publish, pause, close."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from quiz.catalog.rounds import clear_caches
from quiz.console import bp
from quiz.console.access import ALL_ROLES, EDITORS, allow, in_scope, scope_unit_ids
from quiz.console.audit_log import record
from quiz.console.forms import ConfirmForm, ContestForm, RoundForm
from quiz.console.unit_results import contests_above
from quiz.contest.setup import (
    KEY_LEAK_WARNING,
    RoundSettings,
    SetupError,
    answers_can_be_learned,
    apply_round_settings,
    check_ranking_order,
    close_round_now,
    is_running,
)
from quiz.extensions import db
from quiz.models import Contest, QuestionBank, Round
from quiz.scoring.ranking import DEFAULT_ORDER
from quiz.timeutil import local, local_naive_to_utc, utcnow
from quiz.units.tree import unit_tree

# Audit names of the state buttons (the URL's verb, the log's "noun_done").
CONTEST_EVENTS = {
    "pause": "contest_paused",
    "resume": "contest_resumed",
    "publish": "contest_published",
    "unpublish": "contest_unpublished",
}
ROUND_EVENTS = {"pause": "round_paused", "resume": "round_resumed", "close": "round_closed"}


def unit_choices() -> list[SelectChoice]:
    """Units the account may assign things to, indented as a tree."""
    root = current_user.unit_id if not current_user.is_admin else None
    nodes = [n for n in unit_tree().subtree(root) if not n.merged]
    return [SelectChoice(n.id, "\u2003" * n.depth + n.name) for n in nodes]


def visible_contests():
    query = select(Contest).order_by(Contest.id.desc())
    ids = scope_unit_ids()
    if ids is not None:
        query = query.where(Contest.owner_unit_id.in_(ids))
    return db.session.scalars(query).all()


def bank_choices() -> list[SelectChoice]:
    query = select(QuestionBank).order_by(QuestionBank.title)
    ids = scope_unit_ids()
    if ids is not None:
        query = query.where(QuestionBank.owner_unit_id.in_(ids))
    return [SelectChoice(b.id, f"{b.title} ({b.code})") for b in db.session.scalars(query)]


@bp.get("/contests")
@allow(*ALL_ROLES)
def contests():
    return render_template(
        "console/contests.html", contests=visible_contests(), above=contests_above(), now=utcnow()
    )


def _fill_contest(form: ContestForm, contest: Contest) -> None:
    contest.title, contest.slug = form.title.data.strip(), form.slug.data.strip()
    contest.description, contest.rules = form.description.data, form.rules.data
    contest.owner_unit_id = form.owner_unit.data
    contest.ranking_order = check_ranking_order(form.ranking_order())
    contest.prize_rules = {
        "residents_only": form.residents_only.data,
        "require_citizen_id": form.require_citizen_id.data,
        "one_prize_per_person": form.one_prize_per_person.data,
    }
    contest.is_published = form.is_published.data


def _contest_form(contest: Contest | None) -> ContestForm:
    form = ContestForm(obj=contest)
    form.owner_unit.choices = unit_choices()
    if contest is not None and request.method == "GET":
        form.owner_unit.data = contest.owner_unit_id
        order = list(contest.ranking_order) + [""] * 5
        for field, key in zip(
            (form.key1, form.key2, form.key3, form.key4, form.key5), order, strict=False
        ):
            field.data = key
        rules = contest.prize_rules or {}
        form.residents_only.data = rules.get("residents_only", False)
        form.require_citizen_id.data = rules.get("require_citizen_id", False)
        form.one_prize_per_person.data = rules.get("one_prize_per_person", False)
    elif contest is None and request.method == "GET":
        for field, key in zip(
            (form.key1, form.key2, form.key3, form.key4), DEFAULT_ORDER, strict=True
        ):
            field.data = key
    return form


def _save_contest(form: ContestForm, contest: Contest, created: bool):
    if not in_scope(form.owner_unit.data):
        abort(404)
    taken = db.session.scalar(select(Contest.id).where(Contest.slug == form.slug.data.strip()))
    if taken is not None and taken != contest.id:
        form.slug.errors.append(_l("Another contest uses this address."))
        return None
    try:
        _fill_contest(form, contest)
    except SetupError as exc:
        form.key1.errors.append(exc.message)
        return None
    db.session.add(contest)
    db.session.flush()
    action = "contest_created" if created else "contest_changed"
    record(action, f"contest {contest.id}", contest.owner_unit_id, title=contest.title)
    db.session.commit()
    clear_caches()
    return redirect(url_for("console.contest_detail", contest_id=contest.id), 303)


@bp.route("/contests/new", methods=["GET", "POST"])
@allow(*EDITORS)
def contest_new():
    form = _contest_form(None)
    if form.validate_on_submit():
        done = _save_contest(form, Contest(), created=True)
        if done:
            return done
    return render_template("console/contest_form.html", form=form, contest=None)


@bp.route("/contests/<int:contest_id>/edit", methods=["GET", "POST"])
@allow(*EDITORS)
def contest_edit(contest_id: int):
    form = _contest_form(g.contest)
    if form.validate_on_submit():
        done = _save_contest(form, g.contest, created=False)
        if done:
            return done
    return render_template("console/contest_form.html", form=form, contest=g.contest)


@bp.get("/contests/<int:contest_id>")
@allow(*ALL_ROLES)
def contest_detail(contest_id: int):
    return render_template(
        "console/contest.html",
        contest=g.contest,
        form=ConfirmForm(),
        now=utcnow(),
        is_running=is_running,
    )


@bp.post("/contests/<int:contest_id>/<any(pause, resume, publish, unpublish):action>")
@allow(*EDITORS)
def contest_state(contest_id: int, action: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    contest = g.contest
    contest.is_paused = {"pause": True, "resume": False}.get(action, contest.is_paused)
    contest.is_published = {"publish": True, "unpublish": False}.get(action, contest.is_published)
    record(CONTEST_EVENTS[action], f"contest {contest.id}", contest.owner_unit_id)
    db.session.commit()
    clear_caches()
    return redirect(url_for("console.contest_detail", contest_id=contest.id), 303)


def _round_form(round_: Round | None, contest: Contest) -> RoundForm:
    form = RoundForm(obj=round_)
    form.bank.choices = bank_choices()
    if request.method == "GET":
        if round_ is not None:
            form.starts_at.data = local(round_.starts_at).replace(tzinfo=None)
            form.ends_at.data = local(round_.ends_at).replace(tzinfo=None)
            form.bank.data = round_.bank_id
            form.time_limit_minutes.data = (round_.time_limit_seconds or 0) // 60 or None
            form.topic_quotas.data = "\n".join(
                f"{t}: {n}" for t, n in (round_.topic_quotas or {}).items()
            )
            form.prediction_reference.data = round_.prediction_reference or ""
            for name, count in (round_.prizes or {}).items():
                getattr(form, f"prize_{name}").data = count
            for name, least in (round_.prize_min_correct or {}).items():
                getattr(form, f"prize_min_{name}").data = least
        else:
            form.number.data = len(contest.rounds) + 1
    return form


def _settings(form: RoundForm) -> RoundSettings:
    minutes = form.time_limit_minutes.data
    return RoundSettings(
        number=form.number.data,
        title=form.title.data.strip(),
        starts_at=local_naive_to_utc(form.starts_at.data),
        ends_at=local_naive_to_utc(form.ends_at.data),
        bank_id=form.bank.data,
        questions_per_attempt=form.questions_per_attempt.data,
        time_limit_seconds=minutes * 60 if minutes else None,
        topic_quotas=getattr(form, "quotas", {}),
        max_attempts=form.max_attempts.data,
        counting_rule=form.counting_rule.data,
        show_score=form.show_score.data,
        show_answers=form.show_answers.data,
        min_age=form.min_age.data,
        prediction_reference=form.prediction_reference.data or None,
        prediction_prompt=form.prediction_prompt.data.strip(),
        prizes=form.prizes(),
        prize_min_correct=form.prize_minimums(),
        certificate_min_correct=form.certificate_min_correct.data,
    )


def _save_round(form: RoundForm, round_: Round, contest: Contest):
    if form.bank.data not in {choice.value for choice in bank_choices()}:
        abort(404)
    clash = db.session.scalar(
        select(Round.id).where(Round.contest_id == contest.id, Round.number == form.number.data)
    )
    if clash is not None and clash != round_.id:
        form.number.errors.append(_l("This contest already has a round with this number."))
        return None
    running = round_.id is not None and is_running(round_)
    try:
        with db.session.no_autoflush:
            changed = apply_round_settings(round_, _settings(form))
        db.session.add(round_)
        db.session.flush()
    except SetupError as exc:
        getattr(form, exc.field if exc.field in form else "number").errors.append(exc.message)
        db.session.rollback()
        return None
    if running:
        record("running_round_changed", f"round {round_.id}", contest.owner_unit_id, fields=changed)
    db.session.commit()
    flash(_l("Round saved."), "success")
    if answers_can_be_learned(round_.max_attempts, round_.show_answers):
        flash(KEY_LEAK_WARNING, "warning")
    return redirect(url_for("console.contest_detail", contest_id=contest.id), 303)


@bp.route("/contests/<int:contest_id>/rounds/new", methods=["GET", "POST"])
@allow(*EDITORS)
def round_new(contest_id: int):
    form = _round_form(None, g.contest)
    if form.validate_on_submit():
        done = _save_round(form, Round(contest_id=g.contest.id), g.contest)
        if done:
            return done
    return _form_page(form, g.contest, None)


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@allow(*EDITORS)
def round_edit(round_id: int):
    contest = g.round.contest
    form = _round_form(g.round, contest)
    if form.validate_on_submit():
        done = _save_round(form, g.round, contest)
        if done:
            return done
    return _form_page(form, contest, g.round)


def _form_page(form: RoundForm, contest: Contest, round_: Round | None):
    return render_template(
        "console/round_form.html",
        form=form,
        contest=contest,
        round=round_,
        running=round_ is not None and is_running(round_),
        key_leak=answers_can_be_learned(form.max_attempts.data, form.show_answers.data),
        key_leak_warning=KEY_LEAK_WARNING,
    )


@bp.post("/rounds/<int:round_id>/<any(pause, resume, close):action>")
@allow(*EDITORS)
def round_state(round_id: int, action: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    round_ = g.round
    if action == "close":
        close_round_now(round_)
    else:
        round_.is_paused = action == "pause"
    record(ROUND_EVENTS[action], f"round {round_.id}", round_.contest.owner_unit_id)
    db.session.commit()
    clear_caches()
    return redirect(url_for("console.contest_detail", contest_id=round_.contest_id), 303)
