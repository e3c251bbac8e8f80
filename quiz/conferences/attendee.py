"""The attendee's side: the venue pass, who they are, and joining the linked quiz.

Scanning (or typing) the code on the screen gives the browser a venue pass
in its signed session cookie: proof of having been in the hall a moment
ago, good for PASS_SECONDS and for one check-in. The attendee then says who
they are at leisure; a forwarded link carries only the code, which is
refused a minute after it left the screen.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import session
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from quiz.contest.identity import InvalidField, check_birth_year, normalize_phone
from quiz.contest.identity_rule import Entry, register_or_reidentify
from quiz.contest.registration import current_year
from quiz.extensions import db
from quiz.models import CheckIn, Delegate, Entrant, Gender, Occupation, Round

PASS_KEY = "venue_pass"  # noqa: S105 - a session key, not a password
ATTENDEE_KEY = "attendee"
PASS_SECONDS = 600
PASS_TRIES = 10  # wrong phones or names per pass


@dataclass(frozen=True, slots=True)
class VenuePass:
    conference_id: int
    session_id: int
    point_id: int | None
    issued_ms: int
    nonce: str
    tries: int


def give_pass(conference_id: int, session_id: int, point_id: int | None, now_ms: int) -> None:
    nonce = secrets.token_urlsafe(16)
    session[PASS_KEY] = [conference_id, session_id, point_id, now_ms, nonce, 0]


def current_pass(conference_id: int, now_ms: int) -> VenuePass | None:
    raw = session.get(PASS_KEY)
    try:
        held = VenuePass(*raw)
    except TypeError:
        return None
    if held.conference_id != conference_id or now_ms - held.issued_ms > PASS_SECONDS * 1000:
        return None
    if held.tries >= PASS_TRIES:
        return None
    return held


def count_try() -> None:
    raw = session.get(PASS_KEY)
    if raw:
        session[PASS_KEY] = [*raw[:5], raw[5] + 1]


def use_pass() -> None:
    session.pop(PASS_KEY, None)


def remember_attendee(conference_id: int, delegate_id: int) -> None:
    session.permanent = True
    session[ATTENDEE_KEY] = [conference_id, delegate_id]


def current_attendee(conference_id: int) -> Delegate | None:
    """The delegate this browser checked in as, if they are checked in to this conference."""
    raw = session.get(ATTENDEE_KEY)
    if not raw or raw[0] != conference_id:
        return None
    delegate = db.session.get(Delegate, raw[1])
    if delegate is None or delegate.conference_id != conference_id:
        return None
    return delegate if is_checked_in(delegate.id) else None


def is_checked_in(delegate_id: int) -> bool:
    return (
        db.session.scalar(select(CheckIn.id).where(CheckIn.delegate_id == delegate_id).limit(1))
        is not None
    )


def quiz_round(round_id: int | None) -> Round | None:
    return db.session.get(Round, round_id) if round_id else None


def missing_for_quiz(delegate: Delegate) -> set[str]:
    """Fields the quiz form asks. The year of birth always: it is what proves who one is."""
    missing = {"birth_year", "occupation", "consent"}
    if not delegate.phone:
        missing.add("phone")
    if delegate.gender not in {g.value for g in Gender}:
        missing.add("gender")
    return missing


def _field(form, name: str, check):
    try:
        return check()
    except InvalidField as exc:
        getattr(form, name).errors.append(exc.message)
        return None


def entrant_for(delegate: Delegate, form) -> Entry | None:
    """The entrant this attendee is, by the rule of every path; None with form errors set.

    Checking in proves presence, not identity: the phone on the delegate
    record names the entrant, and the year of birth typed here (never the
    one on record) proves it, on the phone's budget. The delegate record
    only fills in a new entrant; an existing one is signed in unchanged.
    """
    for f in form:
        f.errors = list(f.errors or [])
    phone = delegate.phone or _field(form, "phone", lambda: normalize_phone(form.phone.data))
    year = _field(
        form, "birth_year", lambda: check_birth_year(form.birth_year.data, current_year())
    )
    gender = delegate.gender if delegate.gender in {g.value for g in Gender} else form.gender.data
    if gender not in {g.value for g in Gender}:
        form.gender.errors.append(_l("Please choose a gender."))
    if form.occupation.data not in {o.value for o in Occupation}:
        form.occupation.errors.append(_l("Please choose an occupation group."))
    if not form.consent.data:
        form.consent.errors.append(_l("You must agree before taking part."))
    if any(f.errors for f in form):
        return None
    data = {
        "full_name": delegate.full_name,
        "birth_year": year,
        "gender": gender,
        "phone": phone,
        "unit_id": delegate.unit_id,
        "unit_other": None if delegate.unit_id else (delegate.unit_name or None),
        "occupation": form.occupation.data,
    }
    entry = register_or_reidentify(data)  # IdentityError to the view
    _fill_blanks(delegate, entry.entrant)
    return entry


def _fill_blanks(delegate: Delegate, entrant: Entrant) -> None:
    """What the delegate record lacked, from the entrant just proven (never the reverse)."""
    delegate.birth_year = delegate.birth_year or entrant.birth_year
    delegate.gender = delegate.gender or entrant.gender
    if not delegate.phone and not _phone_taken(delegate.conference_id, entrant.phone):
        delegate.phone = entrant.phone


def _phone_taken(conference_id: int, phone: str) -> bool:
    return (
        db.session.scalar(
            select(Delegate.id).where(
                Delegate.conference_id == conference_id, Delegate.phone == phone
            )
        )
        is not None
    )
