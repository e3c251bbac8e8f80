"""Who the entrant is, kept in the signed session cookie (no server state)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, session

from quiz.contest.identity_rule import KEPT, Entry
from quiz.models import Entrant

NOTE = "entrant-note"  # the flash category templates/contest/contest.html shows


@dataclass(frozen=True, slots=True)
class EntrantSession:
    id: int
    birth_year: int
    name: str


def current_entrant() -> EntrantSession | None:
    raw = session.get("entrant")
    if not raw:
        return None
    try:
        entrant_id, birth_year, name = raw
        return EntrantSession(int(entrant_id), int(birth_year), str(name))
    except (TypeError, ValueError):
        session.pop("entrant", None)
        return None


def current_entrant_id() -> int | None:
    raw = session.get("entrant")
    return int(raw[0]) if raw else None


def sign_in(entrant: Entrant) -> None:
    session.permanent = True
    session["entrant"] = [entrant.id, entrant.birth_year, entrant.full_name]


def sign_in_entry(entry: Entry) -> None:
    """Sign in whom a form's phone yielded; an entrant who existed is told nothing typed was kept.

    A form that registers may lead to someone already registered: they would
    otherwise believe the details they just typed were saved.
    """
    sign_in(entry.entrant)
    if not entry.created:
        flash(str(KEPT), NOTE)


def sign_out() -> None:
    session.pop("entrant", None)
