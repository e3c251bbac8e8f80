"""What each reason code says to people: on the staff result card and the attendee page."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from quiz.conferences.checkin import VENUE_DEVICE, Outcome
from quiz.conferences.snapshot import ConferenceInfo
from quiz.models import Reason
from quiz.timeutil import from_ms, local

TITLES = {
    Reason.CHECKED_IN: _l("Checked in"),
    Reason.CONFLICT: _l("Checked in, but also checked in elsewhere"),
    Reason.ALREADY: _l("Already checked in"),
    Reason.NOT_INVITED: _l("Not on the list of delegates"),
    Reason.WRONG_CONFERENCE: _l("Code of another conference"),
    Reason.FORGED: _l("Code not recognised (forged or replaced)"),
    Reason.EXPIRED: _l("Code expired"),
    Reason.OUTSIDE_WINDOW: _l("Check-in is not open now"),
    Reason.UNREADABLE: _l("Not a check-in code"),
}


def device_label(device: str | None) -> str:
    """A scanning device as people read it: the venue code's scans come from attendees' phones."""
    if device == VENUE_DEVICE:
        return str(_l("attendee's own phone (venue code)"))
    return device or ""


def hhmm(ms: int | None) -> str:
    return local(from_ms(ms)).strftime("%H:%M") if ms else ""


def detail(outcome: Outcome, info: ConferenceInfo) -> str:
    if outcome.reason in (Reason.ALREADY, Reason.CONFLICT) and outcome.previous_at_ms:
        point = info.point_name(outcome.previous_point_id)
        if point:
            return _(
                "Already checked in at %(time)s at %(point)s.",
                time=hhmm(outcome.previous_at_ms),
                point=point,
            )
        return _("Already checked in at %(time)s.", time=hhmm(outcome.previous_at_ms))
    if outcome.reason == Reason.OUTSIDE_WINDOW:
        return _("No session of this conference is open for check-in at this time.")
    if outcome.reason == Reason.EXPIRED:
        return _("The conference is over, or the code is older than a minute.")
    return str(outcome.detail or "")


def as_json(outcome: Outcome, info: ConferenceInfo) -> dict:
    session = info.session(outcome.session_id)
    return {
        "nonce": outcome.nonce,
        "code": outcome.reason.value,
        "ok": outcome.ok,
        "title": str(TITLES[outcome.reason]),
        "detail": detail(outcome, info),
        "delegate": outcome.delegate.as_json() if outcome.delegate else None,
        "at_ms": outcome.at_ms,
        "time": hhmm(outcome.at_ms),
        "session": session.title if session else "",
        "point": info.point_name(outcome.point_id),
        "repeat": outcome.repeat,
        "walk_in": outcome.walk_in,
    }
