"""Console: the list of conferences the account may see."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from quiz.console import bp
from quiz.console.access import ALL_ROLES, allow, scope_unit_ids
from quiz.extensions import db
from quiz.models import Conference, Delegate
from quiz.timeutil import utcnow


@bp.get("/conferences")
@allow(*ALL_ROLES)
def conferences():
    query = (
        select(Conference, func.count(Delegate.id))
        .outerjoin(Delegate, Delegate.conference_id == Conference.id)
        .group_by(Conference.id)
        .order_by(Conference.starts_at.desc())
    )
    ids = scope_unit_ids()
    if ids is not None:
        query = query.where(Conference.owner_unit_id.in_(ids))
    rows = db.session.execute(query.limit(200)).all()
    return render_template("console/conferences/list.html", rows=rows, now=utcnow())
