"""Delegates: creating them, finding them by part of a name, what a result card shows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from quiz.conferences.snapshot import ConferenceInfo
from quiz.conferences.tokens import PersonalToken, new_secret
from quiz.extensions import db
from quiz.models import Delegate
from quiz.text import drop_control, fold, squash
from quiz.units.tree import unit_tree

SEARCH_LIMIT = 10


@dataclass(frozen=True, slots=True)
class DelegateCard:
    """A delegate as a result card or a search result shows them (no phone, no ID)."""

    id: int
    name: str
    position: str
    unit: str
    point_id: int | None
    point: str
    walk_in: bool

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "position": self.position,
            "unit": self.unit,
            "point_id": self.point_id,
            "point": self.point,
            "walk_in": self.walk_in,
        }


def unit_label(delegate: Delegate) -> str:
    node = unit_tree().get(delegate.unit_id)
    return node.name if node else delegate.unit_name


def delegate_card(info: ConferenceInfo, delegate: Delegate) -> DelegateCard:
    return DelegateCard(
        delegate.id,
        delegate.full_name,
        delegate.position,
        unit_label(delegate),
        delegate.point_id,
        info.point_name(delegate.point_id),
        delegate.is_walk_in,
    )


def new_delegate(conference_id: int, full_name: str, walk_in: bool = False, **fields) -> Delegate:
    """A delegate with a fresh secret, not yet added to the session."""
    name = squash(full_name)
    return Delegate(
        conference_id=conference_id,
        full_name=name,
        name_key=fold(name)[:100],
        secret=new_secret(),
        is_walk_in=walk_in,
        position=fields.pop("position", "") or "",
        unit_name=fields.pop("unit_name", "") or "",
        **fields,
    )


def rename(delegate: Delegate, full_name: str) -> None:
    delegate.full_name = squash(full_name)
    delegate.name_key = fold(delegate.full_name)[:100]


def personal_token(delegate: Delegate) -> str:
    return str(PersonalToken(delegate.conference_id, delegate.secret))


def reissue(delegate: Delegate) -> None:
    """A new personal code (a lost or shared invitation): the old one stops working."""
    delegate.secret = new_secret()


def search(conference_id: int, text: str, limit: int = SEARCH_LIMIT) -> list[Delegate]:
    """For staff: delegates whose name contains the typed words (accents optional), or
    whose phone ends with the typed digits (at least 4)."""
    typed = _typed(text)
    digits = "".join(c for c in typed if c.isdigit())
    if digits and len(digits) == len(typed.replace(" ", "")):
        if len(digits) < 4:
            return []
        return _listed(conference_id, [Delegate.phone.like(f"%{digits}")], limit)
    return find_by_name(conference_id, typed, limit)


def find_by_name(conference_id: int, text: str, limit: int = SEARCH_LIMIT) -> list[Delegate]:
    """Delegates whose name contains the typed words (accents optional).

    The attendee's own search: it never looks at phones, whose last digits
    prove who picks a name (`quiz.conferences.name_pick`).
    """
    words = fold(_typed(text)).split()
    if not words or len(" ".join(words)) < 2:
        return []
    conditions = [Delegate.name_key.contains(w, autoescape=True) for w in words]
    return _listed(conference_id, conditions, limit)


def _typed(text: str) -> str:
    return squash(drop_control(text or ""))[:60]


def _listed(conference_id: int, conditions: list, limit: int) -> list[Delegate]:
    query = select(Delegate).where(Delegate.conference_id == conference_id, *conditions)
    return list(db.session.scalars(query.order_by(Delegate.name_key).limit(limit)))


def find_by_phone_or_name(conference_id: int, phone: str | None, name: str) -> Delegate | None:
    """For hand-added delegates: the same phone, or the same name without a phone."""
    query = select(Delegate).where(Delegate.conference_id == conference_id)
    conditions = [Delegate.phone == phone] if phone else []
    conditions.append((Delegate.name_key == fold(squash(name))) & Delegate.phone.is_(None))
    return db.session.scalar(query.where(or_(*conditions)).limit(1))
