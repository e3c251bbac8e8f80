"""The organizer's conference pages, on the console blueprint (guarded by its `@allow`).

The console guard does not know `conference_id`, so every view here goes
through `conference_view`: the conference is loaded and must be owned by
the account's unit or one below it, otherwise 404, exactly as the guard
does for contests. Objects below a conference (sessions, points,
documents, delegates) are loaded with `child`, which checks they belong
to it.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, g

from quiz.conferences.snapshot import MAX_ID, conference_info
from quiz.console.access import in_scope
from quiz.extensions import db
from quiz.models import Conference


def known(object_id: int) -> bool:
    """Whether an id from the URL can name a row at all (larger ones overflow the column)."""
    return 0 < object_id <= MAX_ID


def conference_view(view):
    @wraps(view)
    def wrapper(conference_id: int, **kwargs):
        conference = db.session.get(Conference, conference_id) if known(conference_id) else None
        if conference is None or not in_scope(conference.owner_unit_id):
            abort(404)
        g.conference = conference
        return view(conference_id=conference_id, **kwargs)

    return wrapper


def conference_api(view):
    """For the busy check-in endpoint: the scope is checked against the cached
    snapshot instead of loading the conference (`g.info` instead of `g.conference`)."""

    @wraps(view)
    def wrapper(conference_id: int, **kwargs):
        info = conference_info(conference_id)
        if info is None or not in_scope(info.owner_unit_id):
            abort(404)
        g.info = info
        return view(conference_id=conference_id, **kwargs)

    return wrapper


def child(model, object_id: int):
    found = db.session.get(model, object_id) if known(object_id) else None
    if found is None or found.conference_id != g.conference.id:
        abort(404)
    return found


def register_views() -> None:
    """Import the route modules (they register on the console blueprint)."""
    from quiz.conferences.management import (  # noqa: F401
        attendance,
        delegates,
        scan_worker,
        scanning,
        setup,
    )
