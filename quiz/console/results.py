"""Round results for organizers: the ranking, suspicious attempts, disqualification, winners."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select

from quiz.catalog.rounds import get_round
from quiz.console import bp
from quiz.console.access import ALL_ROLES, EDITORS, allow
from quiz.console.audit_log import record
from quiz.console.forms import ConfirmForm, ReasonForm
from quiz.contest.display import board_rows
from quiz.extensions import DEFAULT_QUEUE, db, get_queue
from quiz.models import Entrant, Winner
from quiz.reports.review import disqualified, disqualify, find_suspects, reinstate
from quiz.reports.winners import compute_winners, publish_winners, published_winners, revoke_winner
from quiz.scoring.leaderboard import leaderboard
from quiz.text import drop_control
from quiz.web import row_id

PAGE = 50


def _rebuild_boards(contest_id: int) -> None:
    """Live boards follow a disqualification after a background rebuild."""
    get_queue(DEFAULT_QUEUE).enqueue(
        "quiz.scoring.jobs.rebuild_leaderboards", contest_id, job_timeout=1800, result_ttl=60
    )


@bp.get("/rounds/<int:round_id>/results")
@allow(*ALL_ROLES)
def round_results(round_id: int):
    info = get_round(round_id, fresh=True)
    board = leaderboard()
    query = drop_control(request.args.get("q", "")).strip()
    page = max(1, request.args.get("page", 1, type=row_id))
    if query:
        like = f"%{query}%"
        found = db.session.scalars(
            select(Entrant.id)
            .where(
                or_(
                    Entrant.full_name.ilike(like),
                    Entrant.phone.like(like),
                    Entrant.citizen_id.like(like),
                )
            )
            .limit(200)
        ).all()
        entries = sorted(
            (
                e
                for e in (board.rank_of(info.contest_id, round_id, i) for i in found)
                if e is not None
            ),
            key=lambda e: (e.rank, e.entrant_id),
        )
        total = len(entries)
        entries = entries[(page - 1) * PAGE : page * PAGE]
    else:
        entries = board.top(info.contest_id, round_id, PAGE, (page - 1) * PAGE)
        total = board.size(info.contest_id, round_id)
    rows = board_rows(entries, info.ranking_order)
    phones = {}
    if current_user.can_edit and rows:  # phones are personal data: editors only
        people = db.session.execute(
            select(Entrant.id, Entrant.phone).where(Entrant.id.in_([r.entrant_id for r in rows]))
        )
        phones = {entrant_id: phone for entrant_id, phone in people}
    return render_template(
        "console/results.html",
        round=g.round,
        info=info,
        rows=rows,
        phones=phones,
        q=query,
        page=page,
        pages=max(1, -(-total // PAGE)),
        total=total,
    )


@bp.get("/rounds/<int:round_id>/winners")
@allow(*ALL_ROLES)
def round_winners(round_id: int):
    computed = compute_winners(round_id)
    published = published_winners(round_id)
    return render_template(
        "console/winners.html",
        round=g.round,
        computed=computed,
        published=published,
        ties=any(w.tied for w in computed),
        form=ConfirmForm(),
        show_personal=current_user.can_edit,
    )


@bp.post("/rounds/<int:round_id>/winners/publish")
@allow(*EDITORS)
def winners_publish(round_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    stored = publish_winners(round_id)
    record(
        "winners_published", f"round {round_id}", g.round.contest.owner_unit_id, count=len(stored)
    )
    db.session.commit()
    flash(_l("Winners published."), "success")
    return redirect(url_for("console.round_winners", round_id=round_id), 303)


@bp.post("/rounds/<int:round_id>/winners/revoke")
@allow(*EDITORS)
def winner_revoke(round_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    winner = db.session.scalar(
        select(Winner).where(
            Winner.round_id == round_id,
            Winner.entrant_id == form.entrant_id.data,
            Winner.revoked_at.is_(None),
        )
    )
    if winner is None:
        abort(404)
    revoke_winner(winner, form.reason.data)
    record(
        "winner_revoked",
        f"round {round_id}",
        g.round.contest.owner_unit_id,
        entrant=winner.entrant_id,
        reason=form.reason.data,
    )
    db.session.commit()
    return redirect(url_for("console.round_winners", round_id=round_id), 303)


@bp.get("/rounds/<int:round_id>/review")
@allow(*EDITORS)
def round_review(round_id: int):
    return render_template(
        "console/review.html",
        round=g.round,
        suspects=find_suspects(round_id),
        excluded=disqualified(round_id),
        form=ReasonForm(),
    )


@bp.post("/rounds/<int:round_id>/disqualify")
@allow(*EDITORS)
def round_disqualify(round_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_l("Give a reason to disqualify an entrant."), "error")
        return redirect(url_for("console.round_review", round_id=round_id), 303)
    if db.session.get(Entrant, form.entrant_id.data) is None:
        abort(404)
    if disqualify(round_id, form.entrant_id.data, form.reason.data, current_user.id):
        record(
            "disqualified",
            f"round {round_id}",
            g.round.contest.owner_unit_id,
            entrant=form.entrant_id.data,
            reason=form.reason.data,
        )
        db.session.commit()
        _rebuild_boards(g.round.contest_id)
    return redirect(url_for("console.round_review", round_id=round_id), 303)


@bp.post("/rounds/<int:round_id>/reinstate")
@allow(*EDITORS)
def round_reinstate(round_id: int):
    entrant_id = request.form.get("entrant_id", type=row_id)
    if not ConfirmForm().validate_on_submit() or entrant_id is None:
        abort(400)
    if reinstate(round_id, entrant_id):
        record("reinstated", f"round {round_id}", g.round.contest.owner_unit_id, entrant=entrant_id)
        db.session.commit()
        _rebuild_boards(g.round.contest_id)
    return redirect(url_for("console.round_review", round_id=round_id), 303)
