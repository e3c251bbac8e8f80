"""Checking in at the venue by picking one's name: what proves one is that delegate.

The venue pass proves presence in the hall, not identity, and a check-in
opens the documents and the quiz under the delegate's name. Typing the
full phone number on record is proof enough, as it always was; picking a
name found by part of it also needs the last `DIGITS` digits of the phone
on record, or one pass could check in a whole list of names.

- The digits stay secret: the public search lists names and positions,
  never a digit of a phone (a masked number ending in three digits would
  leave one to guess), and it does not look delegates up by phone digits.
- Every try is taken from the phone's identity budget (`take_try`, in
  Redis): a new pass or another browser starts nothing over. The digits
  are the same in every conference listing that phone, so the budget
  follows the phone, shared with the year-of-birth tries of the contest.
- A delegate with no phone on record cannot be picked: they check in with
  their invitation's QR code, or at the door (citizen-ID card, staff).
"""

from __future__ import annotations

import hmac

from flask_babel import lazy_gettext as _l

from quiz.conferences.snapshot import MAX_ID
from quiz.contest.identity_rule import Throttled, take_try
from quiz.extensions import db
from quiz.models import Delegate

DIGITS = 4  # 10,000 values against the phone's budget of tries

NOT_LISTED = _l("Choose your name in the list.")
NO_PHONE = _l(
    "The list of delegates has no phone number for this name, so it cannot be checked in "
    "here: please check in at the door."
)
FORMAT = _l("Type the last 4 digits of the phone number on the list, e.g. 5678.")
WRONG = _l("These are not the last 4 digits of the phone number on the list for this name.")


class PickRefused(ValueError):
    def __init__(self, message, status: int = 200, headers: dict | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.headers = headers or {}


def picked_delegate(conference_id: int, delegate_id: int | None, typed: str | None) -> Delegate:
    """The delegate picked, if the digits typed end their phone on record; PickRefused if not."""
    delegate = None
    if delegate_id is not None and 0 < delegate_id <= MAX_ID:
        delegate = db.session.get(Delegate, delegate_id)
    if delegate is None or delegate.conference_id != conference_id:
        raise PickRefused(NOT_LISTED)
    if not delegate.phone:
        raise PickRefused(NO_PHONE)
    digits = "".join((typed or "").split())
    if len(digits) != DIGITS or not digits.isdigit() or not digits.isascii():
        raise PickRefused(FORMAT)  # not a try: nothing was guessed
    try:
        take_try(delegate.phone)
    except Throttled as exc:
        minutes = max(1, -(-exc.retry_after // 60))
        message = _l(
            "Too many wrong tries for this name. Please wait %(minutes)s minutes, "
            "or check in at the door.",
            minutes=minutes,
        )
        raise PickRefused(message, exc.status, exc.headers) from exc
    if not hmac.compare_digest(delegate.phone[-DIGITS:], digits):
        raise PickRefused(WRONG)
    return delegate


def masked_phone(phone: str | None) -> str:
    """A phone as the attendee's pages show it: no more than picking a name asks to know."""
    return f"•••••• {phone[-DIGITS:]}" if phone else ""
