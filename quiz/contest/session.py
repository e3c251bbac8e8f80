"""Who the entrant is, kept in the signed session cookie (no server state)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import flash, session

from quiz.contest.identity_rule import KEPT, Entry
from quiz.models import Entrant

NOTE = "entrant-note"  # the flash category templates/contest/contest.html shows
KEY = "entrant"  # [id, birth year, name], written by sign_in only


@dataclass(frozen=True, slots=True)
class EntrantSession:
    id: int
    birth_year: int
    name: str


class BadEntrant(ValueError):
    """The session's entrant entry is not in the layout `sign_in` writes."""


def entrant_in(data: Mapping | None) -> EntrantSession | None:
    """Who a decoded session names, without a request: the one reader of the
    layout `sign_in` writes (the fast path reads decoded cookies with it).
    None when nobody is signed in; BadEntrant when the entry is malformed."""
    raw = data.get(KEY) if data else None
    if not raw:
        return None
    try:
        entrant_id, birth_year, name = raw
        return EntrantSession(int(entrant_id), int(birth_year), str(name))
    except (TypeError, ValueError):
        raise BadEntrant(raw) from None


def current_entrant() -> EntrantSession | None:
    try:
        return entrant_in(session)
    except BadEntrant:
        session.pop(KEY, None)
        return None


def current_entrant_id() -> int | None:
    entrant = current_entrant()
    return entrant.id if entrant else None


def sign_in(entrant: Entrant) -> None:
    session.permanent = True
    session[KEY] = [entrant.id, entrant.birth_year, entrant.full_name]


def sign_in_entry(entry: Entry) -> None:
    """Sign in whom a form's phone yielded; an entrant who existed is told nothing typed was kept.

    A form that registers may lead to someone already registered: they would
    otherwise believe the details they just typed were saved.
    """
    sign_in(entry.entrant)
    if not entry.created:
        flash(str(KEPT), NOTE)


def sign_out() -> None:
    session.pop(KEY, None)
