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
from functools import wraps

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from quiz.console import bp
from quiz.extensions import db, login_manager
from quiz.models import Contest, QuestionBank, Role, Round, Staff, Unit

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


def scope_unit_ids() -> list[int] | None:
    """Ids of every unit the account may see (None: all)."""
    scope = current_user.scope_path
    if scope is None:
        return None
    return list(db.session.scalars(db.select(Unit.id).where(Unit.path.startswith(scope))))


def _owner(kind: str, obj) -> int | None:
    if kind == "contest":
        return obj.owner_unit_id
    if kind == "round":
        return obj.contest.owner_unit_id
    if kind == "bank":
        return obj.owner_unit_id
    if kind == "unit":
        return obj.id
    if kind == "staff":
        return obj.unit_id
    return obj.owner_unit_id


def _export_model():
    from quiz.models.exports import ExportFile

    return ExportFile


SCOPED_ARGS: dict[str, tuple[str, Callable]] = {
    "contest_id": ("contest", lambda: Contest),
    "round_id": ("round", lambda: Round),
    "bank_id": ("bank", lambda: QuestionBank),
    "unit_id": ("unit", lambda: Unit),
    "staff_id": ("staff", lambda: Staff),
    "export_id": ("export", _export_model),
}

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
        if name not in SCOPED_ARGS:
            continue
        kind, model = SCOPED_ARGS[name]
        obj = db.session.get(model(), value)
        if obj is None or not in_scope(_owner(kind, obj)):
            abort(404)
        setattr(g, kind, obj)
    return None


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
