"""The overview (what the account's units are running) and each contest's statistics.

The overview reads live counters from Redis (one pipelined call): it is the
page organizers keep open. The statistics page renders what the last RQ job
cached (`quiz.reports.stats_jobs`) and asks for a new job when that is
missing or older than five minutes; the request itself never scans scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from quiz.console import bp
from quiz.console.access import ALL_ROLES, EDITORS, allow, in_scope, scope_unit_ids
from quiz.extensions import db
from quiz.models import Contest, Round, Unit
from quiz.reports.statistics import UnitParticipation, unit_rows
from quiz.reports.stats_jobs import is_queued, is_stale, request_stats, stats_for
from quiz.scoring.live_counts import contest_counts
from quiz.timeutil import now_ms, utcnow
from quiz.units.tree import unit_tree
from quiz.web import row_id

# Rows of the hardest and of the easiest questions; up to twice this, one table.
QUESTION_ROWS = 10
UNIT_SORTS = ("entrants", "attempts", "rate")


@dataclass
class ContestRow:
    contest: Contest
    owner: str
    state: str  # draft, paused, open, upcoming, ended
    open_rounds: int
    entrants: int  # live: entrants who started an attempt
    attempts: int  # live: attempts started


def _visible_contests() -> list[Contest]:
    query = select(Contest).order_by(Contest.id.desc())
    ids = scope_unit_ids()
    if ids is not None:
        query = query.where(Contest.owner_unit_id.in_(ids))
    return list(db.session.scalars(query))


def _state(contest: Contest, now) -> tuple[str, int]:
    open_rounds = sum(1 for r in contest.rounds if r.is_open_at(now))
    if not contest.is_published:
        return "draft", open_rounds
    if contest.is_paused:
        return "paused", open_rounds
    if open_rounds:
        return "open", open_rounds
    if any(r.starts_at > now and r.closed_at is None for r in contest.rounds):
        return "upcoming", 0
    return "ended", 0


@bp.get("/")
@allow(*ALL_ROLES)
def dashboard():
    contests = _visible_contests()
    now = utcnow()
    tree = unit_tree()
    rows = []
    for contest, (entrants, attempts) in zip(
        contests, contest_counts([c.id for c in contests]), strict=True
    ):
        owner = tree.get(contest.owner_unit_id)
        state, open_rounds = _state(contest, now)
        rows.append(
            ContestRow(contest, owner.name if owner else "", state, open_rounds, entrants, attempts)
        )
    return render_template(
        "console/dashboard.html",
        rows=rows,
        open_rounds=sum(r.open_rounds for r in rows),
        running=sum(1 for r in rows if r.state == "open"),
        entrants=sum(r.entrants for r in rows),
        attempts=sum(r.attempts for r in rows),
    )


# --- statistics of one contest ---------------------------------------------------


def _day_label(iso_day: str) -> str:
    return format_date(date.fromisoformat(iso_day), "dd/MM/yyyy")


def _chosen_round(contest: Contest, stats: dict | None) -> Round | None:
    """The round named by ?round=, else the last round with scored attempts, else the first."""
    rounds = contest.rounds
    wanted = request.args.get("round", type=row_id)
    for round_ in rounds:
        if round_.id == wanted:
            return round_
    played = {r["round_id"] for r in (stats or {}).get("rounds", []) if r["attempts"]}
    for round_ in reversed(rounds):
        if round_.id in played:
            return round_
    return rounds[0] if rounds else None


def _drill_parent() -> int | None:
    """The unit whose children the table lists: ?unit= (in scope), else the account's unit."""
    wanted = request.args.get("unit", type=row_id)
    if wanted is not None:
        if unit_tree().get(wanted) is None or not in_scope(wanted):
            abort(404)
        return wanted
    return None if current_user.scope_path is None else current_user.unit_id


def _breadcrumb(parent_id: int | None) -> list[tuple[int, str]]:
    """Ancestors of the listed level that the account may open, top first."""
    tree = unit_tree()
    node = tree.get(parent_id)
    if node is None:
        return []
    crumbs = []
    for part in node.path.strip("/").split("/"):
        ancestor = tree.get(int(part))
        if ancestor is not None and in_scope(ancestor.id):
            crumbs.append((ancestor.id, ancestor.name))
    return crumbs


def _sorted_units(rows: list[UnitParticipation], sort: str) -> list[UnitParticipation]:
    """The collective ranking: highest first; units without a population rank last by rate."""
    if sort == "rate":
        return sorted(rows, key=lambda r: (r.rate is None, -(r.rate or 0), -r.entrants))
    if sort == "attempts":
        return sorted(rows, key=lambda r: (-r.attempts, -r.entrants))
    return sorted(rows, key=lambda r: (-r.entrants, -r.attempts))


def _charts(stats: dict, round_: Round | None) -> dict:
    """Chart data for console-charts.js, read from a JSON script element (no inline JS)."""
    entrants, attempts = _("Entrants"), _("Scored attempts")
    days = stats["days"]
    rounds = stats["rounds"]
    charts = {
        "days": {
            "labels": [format_date(date.fromisoformat(d["day"]), "dd/MM") for d in days],
            "datasets": [
                {"label": entrants, "data": [d["entrants"] for d in days]},
                {"label": attempts, "data": [d["attempts"] for d in days]},
            ],
        },
        "rounds": {
            "labels": [r["title"] or _("Round %(n)s", n=r["number"]) for r in rounds],
            "datasets": [
                {"label": entrants, "data": [r["entrants"] for r in rounds]},
                {"label": attempts, "data": [r["attempts"] for r in rounds]},
            ],
        },
    }
    histogram = stats["distribution"].get(str(round_.id)) if round_ else None
    if histogram is not None:
        charts["distribution"] = {
            "labels": [str(k) for k in range(len(histogram))],
            "datasets": [{"label": attempts, "data": histogram}],
        }
    return charts


def _questions(stats: dict, round_: Round | None) -> tuple[list[dict], list[dict]]:
    """(hardest first, easiest first); all in the first list when there are few."""
    questions = stats["questions"].get(str(round_.id), []) if round_ else []
    if len(questions) <= 2 * QUESTION_ROWS:
        return questions, []
    return questions[:QUESTION_ROWS], list(reversed(questions[-QUESTION_ROWS:]))


@bp.get("/contests/<int:contest_id>/stats")
@allow(*ALL_ROLES)
def contest_stats(contest_id: int):
    contest: Contest = g.contest
    stats = stats_for(contest_id)
    if is_stale(stats):
        request_stats(contest_id)
    # Also while a recompute asked for by hand runs: the page reloads until it lands.
    computing = is_stale(stats) or is_queued(contest_id)
    round_ = _chosen_round(contest, stats)
    parent_id = _drill_parent()
    sort = request.args.get("sort", "entrants")
    if sort not in UNIT_SORTS:
        sort = "entrants"
    context = {
        "contest": contest,
        "stats": stats,
        "computing": computing,
        "round": round_,
        "sort": sort,
        "parent": db.session.get(Unit, parent_id) if parent_id else None,
        "view_args": _view_args(),
        "breadcrumb": _breadcrumb(parent_id),
        "day_label": _day_label,
    }
    if stats is not None:
        counts = {int(k): tuple(v) for k, v in stats["units"].items()}
        rows = unit_rows(counts, parent_id, scope_unit_ids())
        hardest, easiest = _questions(stats, round_)
        context.update(
            units=_sorted_units(rows, sort),
            parent_counts=counts.get(parent_id, (0, 0)) if parent_id else None,
            show_no_unit=current_user.scope_path is None and parent_id is None,
            hardest=hardest,
            easiest=easiest,
            charts=_charts(stats, round_),
            age_minutes=max(0, (now_ms() - stats["computed_at_ms"]) // 60_000),
        )
    return render_template("console/stats.html", **context)


def _view_args() -> dict:
    """The page's choices (round, unit, sort), carried through the recompute button."""
    return {k: v for k, v in request.args.items() if k in ("round", "unit", "sort") and v}


@bp.post("/contests/<int:contest_id>/stats/recompute")
@allow(*EDITORS)
def recompute_stats(contest_id: int):
    request_stats(contest_id)
    flash(_("The statistics are being computed; this page updates by itself."), "success")
    return redirect(url_for("console.contest_stats", contest_id=contest_id, **_view_args()), 303)
