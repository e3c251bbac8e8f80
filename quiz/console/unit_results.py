"""Contests run above the account's unit, read-only: its own units' participation and results.

A district organizer (or viewer) sees a provincial contest's figures for the
district's units only; the guard lets `shared_contest_id` name a contest
owned by the account's unit or one above it (`in_scope_or_above`), and every
figure is restricted to the account's units.
"""

from __future__ import annotations

from flask import g, render_template
from flask_login import current_user
from sqlalchemy import select

from quiz.console import bp
from quiz.console.access import ALL_ROLES, allow, scope_unit_ids, units_above_ids
from quiz.extensions import db
from quiz.models import Contest
from quiz.reports.unit_results import unit_view


def contests_above() -> list[Contest]:
    """Published contests run by a unit above the account's (none for administrators)."""
    above = units_above_ids()
    if not above:
        return []
    query = select(Contest).where(Contest.owner_unit_id.in_(above), Contest.is_published)
    return list(db.session.scalars(query.order_by(Contest.id.desc())))


@bp.get("/shared-contests/<int:shared_contest_id>")
@allow(*ALL_ROLES)
def shared_contest(shared_contest_id: int):
    contest = g.shared_contest
    view = unit_view(contest, scope_unit_ids(), current_user.unit_id)
    return render_template("console/shared_contest.html", contest=contest, view=view)
