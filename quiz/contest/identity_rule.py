"""Who is this phone? The one rule every path that yields an entrant goes through.

An entrant's identity belongs to that entrant. There is no password: a
phone number is re-identified by the year of birth registered with it, so
the year is the only secret, and it is easy to guess. Hence:

- `reidentify(phone, year)` and `register_or_reidentify(data)` are the only
  ways to become an existing entrant. Each takes one try from the phone's
  budget (`IDENTITY_LIMIT`) before it looks, then compares the year typed
  with the one stored. `throttle.take` counts and tests in one Redis call,
  so parallel guesses cannot get past the limit. The budget is the phone's,
  not the IP address's (carriers put thousands behind one) nor the
  path's: signing in, registering again, the conference quiz and the
  self check-in by name all draw from it, so switching forms buys nothing.
- An unknown phone and a wrong year get the same answer (`NO_MATCH`) for
  the same cost (one take, one indexed query): sign-in cannot be used to
  list who has registered.
- `register_new(data)` only ever creates. Nothing here writes to an
  existing entrant's fields, and no other module may build or write an
  entrant (`tests/contest/test_identity_paths.py` reads them): a second
  registration, a delegate record or a form left blank never renames an
  entrant or erases a citizen ID (which a prize needs).
- `register_or_reidentify(data)` is what a registration form does with a
  phone: a new phone registers; a known one signs in through
  `reidentify`'s check and budget, keeping every stored field (the typed
  ones are dropped, and the page says so). Signing in rather than
  refusing: people forget they registered, or register again on a new
  device, and they have just proved what the sign-in form asks, on the same
  budget; sending them there would add a step and no safety. A known phone
  with another year is refused as already registered. That answer, and the success of
  a new phone, do tell a registered phone from an unregistered one: a
  sign-up form cannot avoid it without creating a second entrant for one
  phone. It is bounded by the same per-phone budget, and learning that a
  phone takes part gives no way in: the year is still needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quiz import throttle
from quiz.extensions import db
from quiz.models import Entrant
from quiz.timeutil import utcnow

# Enough for typing mistakes on several devices; a year among ~80 takes hours.
IDENTITY_LIMIT = "10 per 15 minutes"
_BUDGET = "identity"  # one name for every path: the budget is the phone's

NEW_FIELDS = (
    "phone",
    "full_name",
    "birth_year",
    "gender",
    "citizen_id",
    "unit_id",
    "unit_other",
    "occupation",
)

NO_MATCH = _l(
    "This phone number and year of birth do not match any registration. Check both; "
    "if this is your first time, register."
)
ALREADY_REGISTERED = _l(
    "This phone number is already registered, with another year of birth. If it is yours, "
    "type the year you registered with; otherwise use your own number."
)
KEPT = _l(
    "You had already registered with this phone number: you are signed in, and the details "
    "you registered with were kept."
)


class IdentityError(ValueError):
    """A refusal to say next to a field of the form that was sent."""

    status = 200

    def __init__(self, field: str, message) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message

    @property
    def headers(self) -> dict[str, str]:
        return {}


class Throttled(IdentityError):
    """The phone's budget is spent: every path refuses it until the window moves on."""

    status = 429

    def __init__(self, field: str, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            field,
            _l(
                "Too many tries for this phone number. Please wait %(minutes)s minutes "
                "and try again.",
                minutes=minutes,
            ),
        )
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


@dataclass(frozen=True, slots=True)
class Entry:
    entrant: Entrant
    created: bool


def take_try(phone: str, field: str = "birth_year") -> None:
    """Spend one try of the phone's budget, or raise Throttled (the try is not made)."""
    if not throttle.take(IDENTITY_LIMIT, _BUDGET, phone):
        raise Throttled(field, throttle.retry_after(IDENTITY_LIMIT, _BUDGET, phone))


def find_by_phone(phone: str) -> Entrant | None:
    return db.session.scalar(select(Entrant).where(Entrant.phone == phone))


def reidentify(phone: str, birth_year: int) -> Entrant:
    """The entrant of this phone, if the year is theirs; NO_MATCH otherwise, whichever is wrong."""
    take_try(phone)
    entrant = find_by_phone(phone)
    if entrant is None or entrant.birth_year != birth_year:
        raise IdentityError("birth_year", NO_MATCH)
    return entrant


def register_or_reidentify(data: dict) -> Entry:
    """A registration form's phone: created if new, signed in unchanged if the year is theirs."""
    take_try(data["phone"])
    entrant = find_by_phone(data["phone"])
    if entrant is None:
        return Entry(register_new(data), created=True)
    if entrant.birth_year != data["birth_year"]:
        raise IdentityError("birth_year", ALREADY_REGISTERED)
    return Entry(entrant, created=False)


def register_new(data: dict) -> Entrant:
    """A new entrant from checked values; IdentityError if the phone or the ID is taken.

    Called only after the phone was looked up; two registrations of one new
    phone at the same moment meet the unique key, and the second is told
    to sign in.
    """
    if data.get("citizen_id"):
        holder = db.session.scalar(
            select(Entrant.id).where(Entrant.citizen_id == data["citizen_id"])
        )
        if holder is not None:
            raise IdentityError(
                "citizen_id", _l("This citizen ID is already registered with another phone number.")
            )
    entrant = Entrant(**{name: data.get(name) for name in NEW_FIELDS}, consent_at=utcnow())
    db.session.add(entrant)
    try:
        db.session.flush()
    except IntegrityError as exc:
        # The same phone registered by another request a moment ago: that one won.
        db.session.rollback()
        raise IdentityError(
            "phone", _l("This phone number was just registered; please sign in with it.")
        ) from exc
    return entrant
