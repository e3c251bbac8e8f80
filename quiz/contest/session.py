"""Who the entrant is, kept in the signed session cookie (no server state)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import session

from quiz.models import Entrant


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


def sign_out() -> None:
    session.pop("entrant", None)
