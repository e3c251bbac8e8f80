"""Who may do what in the console: the one place it is decided.

- Authentication: Flask-Login; console sessions expire after
  STAFF_SESSION_MINUTES without activity.
- Roles: a view runs only if it declares the roles allowed (`@allow`);
  a view that forgot is refused (403), so the default is closed.
- Units: objects named in the URL are loaded here and must belong to the
  account's unit or a unit below it; otherwise 404, so ids do not even
  reveal what exists elsewhere. Views find them on `g`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from quiz.conferences.snapshot import conference_info
from quiz.console import bp
from quiz.extensions import db, login_manager
from quiz.models import (
    Conference,
    ConferenceDocument,
    ConferenceSession,
    ConnectionPoint,
    Contest,
    Delegate,
    QuestionBank,
    Role,
    Round,
    Staff,
    Survey,
    Unit,
)

ALL_ROLES = (Role.ADMIN, Role.ORGANIZER, Role.VIEWER)
EDITORS = (Role.ADMIN, Role.ORGANIZER)
ADMINS = (Role.ADMIN,)
PUBLIC_ENDPOINTS = {"console.login"}


def allow(*roles: str) -> Callable:
    """Declare the roles that may use a view (administrators always may)."""

    def decorate(view):
        view.allowed_roles = frozenset(roles) | {Role.ADMIN}
        return view

    return decorate


@login_manager.user_loader
def load_staff(user_id: str) -> Staff | None:
    """The account a session names, if the session is still valid.

    The session holds "id:version" (`Staff.get_id`). Flask-Login calls this
    on every request and it always reads the row (the session cookie cache
    in quiz/sessions.py caches only the decoding of a cookie, never this
    answer), so a raised version or a deactivation refuses every older
    session at its next request. A bare id (from before versions) is refused.
    """
    staff_id, _, version = user_id.partition(":")
    if not (staff_id.isdigit() and version.isdigit()) or len(staff_id) > 9:
        return None
    staff = db.session.get(Staff, int(staff_id), populate_existing=True)
    if staff is None or not staff.is_active or str(staff.session_version) != version:
        return None
    return staff


def in_scope(unit_id: int | None) -> bool:
    """Whether the current account may see things owned by this unit."""
    scope = current_user.scope_path
    if scope is None:
        return True
    if unit_id is None:
        return False
    unit = db.session.get(Unit, unit_id)
    return unit is not None and unit.path.startswith(scope)


def units_above_ids() -> list[int]:
    """Ids of the units above the account's own (its district's province, …)."""
    scope = current_user.scope_path
    if scope is None:
        return []
    return [int(part) for part in scope.strip("/").split("/")[:-1] if part.isdigit()]


def in_scope_or_above(unit_id: int | None) -> bool:
    """Whether the account may read things this unit owns about the account's own units:
    the unit is in its scope, or above it (a province contest seen by a district)."""
    return in_scope(unit_id) or (unit_id is not None and unit_id in units_above_ids())


def scope_unit_ids() -> list[int] | None:
    """Ids of every unit the account may see (None: all)."""
    scope = current_user.scope_path
    if scope is None:
        return None
    return list(db.session.scalars(db.select(Unit.id).where(Unit.path.startswith(scope))))


@dataclass(frozen=True)
class Scoped:
    """How the guard checks one kind of id in a console URL.

    `kind` names the object on `g` (`g.contest`, `g.delegate`); `owner` gives the
    unit that owns it, checked against the account's scope; `parent` names the
    URL argument of the object it must belong to (a delegate's conference), so
    a delegate of another conference is not found under this one's address.
    """

    kind: str
    model: Callable[[], type]
    owner: Callable[[object], int | None]
    parent: str | None = None
    visible: Callable[[int | None], bool] = in_scope  # the owner's check


def _export_model():
    from quiz.models.exports import ExportFile

    return ExportFile


def _conference_owner(obj) -> int | None:
    """The unit owning the conference of a session, point, delegate or document
    (the conference itself is already loaded when the URL names it: no query)."""
    return db.session.get(Conference, obj.conference_id).owner_unit_id


def _shared_owner(contest: Contest) -> int | None:
    """The unit of a contest seen from below: a draft of a unit above stays its own (None
    hides it), as the list of contests above shows published ones only."""
    if contest.is_published or in_scope(contest.owner_unit_id):
        return contest.owner_unit_id
    return None


def _by_conference(kind: str, model: type) -> Scoped:
    return Scoped(kind, lambda: model, _conference_owner, parent="conference_id")


SCOPED_ARGS: dict[str, Scoped] = {
    "contest_id": Scoped("contest", lambda: Contest, lambda c: c.owner_unit_id),
    # Read-only pages of a contest run above the account's unit (its own units' figures).
    "shared_contest_id": Scoped(
        "shared_contest", lambda: Contest, _shared_owner, visible=in_scope_or_above
    ),
    "round_id": Scoped("round", lambda: Round, lambda r: r.contest.owner_unit_id),
    "bank_id": Scoped("bank", lambda: QuestionBank, lambda b: b.owner_unit_id),
    "unit_id": Scoped("unit", lambda: Unit, lambda u: u.id),
    "staff_id": Scoped("staff", lambda: Staff, lambda s: s.unit_id),
    "export_id": Scoped("export", _export_model, lambda e: e.owner_unit_id),
    "conference_id": Scoped("conference", lambda: Conference, lambda c: c.owner_unit_id),
    "session_id": _by_conference("conference_session", ConferenceSession),
    "point_id": _by_conference("point", ConnectionPoint),
    "delegate_id": _by_conference("delegate", Delegate),
    "document_id": _by_conference("document", ConferenceDocument),
    "survey_id": Scoped("survey", lambda: Survey, lambda s: s.unit_id),
}

# The check-in endpoint takes bursts of scans at the door: it is scoped against the
# cached conference snapshot (`g.info`), which costs no query, instead of the row.
SNAPSHOT_ENDPOINTS = {"console.checkins"}


SESSION_KEY = "staff_seen"


@bp.before_request
def guard():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("console.login", next=request.full_path))
    now = int(time.time())
    seen = session.get(SESSION_KEY, 0)
    if now - seen > current_app.config["STAFF_SESSION_MINUTES"] * 60:
        logout_user()
        session.pop(SESSION_KEY, None)
        flash(_l("Your session expired; please sign in again."), "warning")
        return redirect(url_for("console.login", next=request.full_path))
    if now - seen > 30:
        session[SESSION_KEY] = now  # re-signing the cookie at most twice a minute
    view = current_app.view_functions.get(request.endpoint)
    allowed = getattr(view, "allowed_roles", None)
    if allowed is None or current_user.role not in allowed:
        abort(403)
    for name, value in (request.view_args or {}).items():
        if name in SCOPED_ARGS:
            _load_in_scope(name, value)
    return None


def _load_in_scope(name: str, value: int) -> None:
    """Put the object an id names on `g`, or 404 if the account may not see it."""
    if name == "conference_id" and request.endpoint in SNAPSHOT_ENDPOINTS:
        info = conference_info(value)
        if info is None or not in_scope(info.owner_unit_id):
            abort(404)
        g.info = info
        return
    setattr(g, SCOPED_ARGS[name].kind, scoped_object(name, value, request.view_args))


def scoped_object(name: str, value: int | None, parents: dict | None = None):
    """The object an id of this kind names, if the account may see it; else 404.

    The guard calls it for ids in the URL; a view calls it for an id that
    comes in a form or a query string, so both go through the same table.
    """
    scoped = SCOPED_ARGS[name]
    obj = db.session.get(scoped.model(), value) if value is not None else None
    if obj is None:
        abort(404)
    parents = parents or {}
    if scoped.parent in parents and getattr(obj, scoped.parent) != parents[scoped.parent]:
        abort(404)
    if not scoped.visible(scoped.owner(obj)):
        abort(404)
    return obj


def editors_only(view):
    """For views shared by roles that must refuse writes to viewers."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.can_edit:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


@bp.app_template_global()
def unit_name(unit_id: int | None) -> str:
    from quiz.units.tree import unit_tree

    node = unit_tree().get(unit_id)
    return node.full_name if node else ""
