"""Recording a scan: who it is, which session, and whether it checks them in.

One function, `record_scan`, serves the staff API (live and offline
uploads) and the attendee's venue check-in. It is idempotent by the
client's nonce: a scan whose nonce was seen before returns the outcome
recorded the first time and writes nothing. A new scan costs a handful of
indexed queries: the nonce, the delegate (by secret, citizen ID or id) and
the delegate's check-in to the session, then one insert.

Duplicates and conflicts:
- the same delegate scanned again for a session, live or by the same
  device, is refused as "already checked in" (with when and where);
- a scan made offline on another device, uploaded after someone else
  checked the delegate in, is kept as a conflict pointing at the first
  check-in: both doors let the person in, and neither record is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quiz.conferences.citizen_card import CardUnreadable, looks_like_card, parse_card
from quiz.conferences.delegates import DelegateCard, delegate_card, new_delegate
from quiz.conferences.snapshot import ConferenceInfo, SessionInfo
from quiz.conferences.tokens import BadToken, looks_like_token, parse_token
from quiz.extensions import db
from quiz.models import CheckIn, CheckInMethod, Delegate, Reason, ScanRefusal
from quiz.text import fold
from quiz.timeutil import from_ms, to_ms

NONCE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


# The device name of self check-ins with the projector's code: the attendee's own phone.
VENUE_DEVICE = "venue"


@dataclass(frozen=True, slots=True)
class Where:
    """The device a scan comes from, and where it stands."""

    point_id: int | None = None
    device: str = ""
    staff_id: int | None = None
    session_id: int | None = None  # chosen on the device; None: by the time


@dataclass(slots=True)
class Scan:
    nonce: str
    method: str = CheckInMethod.PERSONAL_QR
    text: str = ""
    delegate_id: int | None = None  # manual and venue check-ins
    at_ms: int | None = None  # the device's time, used for scans queued offline
    queued: bool = False


@dataclass(slots=True)
class Outcome:
    nonce: str
    reason: Reason
    at_ms: int
    method: str = ""
    delegate: DelegateCard | None = None
    session_id: int | None = None
    point_id: int | None = None
    previous_at_ms: int | None = None
    previous_point_id: int | None = None
    repeat: bool = False  # this nonce was seen before: nothing new was written
    walk_in: bool = False
    detail: object = ""

    @property
    def ok(self) -> bool:
        return self.reason in (Reason.CHECKED_IN, Reason.CONFLICT)


class Refused(Exception):
    def __init__(self, reason: Reason, delegate=None, detail="", first=None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delegate = delegate
        self.detail = detail
        self.first = first  # the check-in that makes this one "already"


def valid_nonce(nonce: str) -> bool:
    return bool(NONCE.match(nonce or ""))


def record_scan(info: ConferenceInfo, scan: Scan, where: Where, now_ms: int) -> Outcome:
    """Evaluate a scan, write its check-in or its refusal, and commit.

    A new nonce is the common case, so it is not looked up first: the
    unique keys on (conference, nonce) catch a repeat when its row is
    written, and the scan is then answered from the log.
    """
    look_up_nonce = False
    for _ in range(3):
        try:
            outcome = _record(info, scan, where, now_ms, look_up_nonce)
            db.session.commit()
            return outcome
        except IntegrityError:
            # A repeated nonce, or a concurrent scan of the same delegate that won
            # the race: evaluated again, this one now sees it.
            db.session.rollback()
            look_up_nonce = True
    raise RuntimeError("check-in kept colliding")


def _record(info, scan: Scan, where: Where, now_ms: int, look_up_nonce: bool) -> Outcome:
    seen = seen_nonce(info, scan.nonce) if look_up_nonce else None
    if seen is not None:
        return seen
    at = min(scan.at_ms, now_ms) if scan.queued and scan.at_ms else now_ms
    method = scan.method
    delegate = None
    try:
        delegate, method = _resolve(info, scan)
        session = _session(info, where, at, method)
        return _check_in(info, scan, where, delegate, session, method, at, now_ms)
    except Refused as refused:
        return _refuse(info, scan, where, method, at, now_ms, refused, refused.delegate or delegate)


def _resolve(info: ConferenceInfo, scan: Scan) -> tuple[Delegate, str]:
    if scan.method in (CheckInMethod.MANUAL, CheckInMethod.VENUE_QR):
        delegate = db.session.get(Delegate, scan.delegate_id) if scan.delegate_id else None
        if delegate is None or delegate.conference_id != info.id:
            raise Refused(Reason.NOT_INVITED)
        return delegate, scan.method
    if looks_like_card(scan.text):
        return _by_card(info, scan.text), CheckInMethod.CITIZEN_QR
    if looks_like_token(scan.text):
        return _by_token(info, scan.text), CheckInMethod.PERSONAL_QR
    raise Refused(Reason.UNREADABLE)


def _by_token(info: ConferenceInfo, text: str) -> Delegate:
    try:
        token = parse_token(text)
    except BadToken as exc:
        raise Refused(Reason.FORGED) from exc
    delegate = db.session.scalar(select(Delegate).where(Delegate.secret == token.secret))
    if delegate is None or delegate.conference_id != token.conference_id:
        raise Refused(Reason.FORGED)  # made up, or a genuine secret under another id
    if token.conference_id != info.id:
        raise Refused(Reason.WRONG_CONFERENCE)
    return delegate


def _by_card(info: ConferenceInfo, text: str) -> Delegate:
    """The delegate with this citizen ID, or the one unnamed-ID delegate of that name,
    or a walk-in registered from the card (if the conference takes walk-ins)."""
    try:
        card = parse_card(text)
    except CardUnreadable as exc:
        raise Refused(Reason.UNREADABLE, detail=exc.message) from exc
    in_conference = select(Delegate).where(Delegate.conference_id == info.id)
    delegate = db.session.scalar(in_conference.where(Delegate.citizen_id == card.citizen_id))
    if delegate is None:
        namesakes = db.session.scalars(
            in_conference.where(
                Delegate.name_key == fold(card.full_name), Delegate.citizen_id.is_(None)
            )
        ).all()
        fits = [d for d in namesakes if d.birth_year in (None, card.birth_year)]
        delegate = fits[0] if len(fits) == 1 else None
    if delegate is None:
        if not info.allow_walk_ins:
            raise Refused(Reason.NOT_INVITED)
        # Not added to the session yet: registered only if the check-in goes ahead.
        delegate = new_delegate(info.id, card.full_name, walk_in=True)
    delegate.citizen_id = card.citizen_id
    delegate.birth_year = delegate.birth_year or card.birth_year
    delegate.gender = delegate.gender or card.gender
    return delegate


def _session(info: ConferenceInfo, where: Where, at: int, method: str) -> SessionInfo:
    if method in (CheckInMethod.PERSONAL_QR, CheckInMethod.VENUE_QR) and at > info.last_end_ms:
        raise Refused(Reason.EXPIRED)  # a personal code lives as long as its conference
    session = info.session(where.session_id) if where.session_id else info.session_at(at)
    if session is None or not session.is_open_at(at):
        raise Refused(Reason.OUTSIDE_WINDOW)
    return session


def _check_in(info, scan, where, delegate, session, method, at, now_ms) -> Outcome:
    first = db.session.scalar(
        select(CheckIn).where(
            CheckIn.session_id == session.id,
            CheckIn.delegate_id == delegate.id,
            CheckIn.sole.is_(True),
        )
    )
    if first is not None and first.nonce == scan.nonce:
        return seen_nonce(info, scan.nonce)  # this very scan, sent again
    if first is not None and (not scan.queued or first.device == where.device):
        raise Refused(Reason.ALREADY, delegate, first=first)
    if delegate.id is None:  # a walk-in read from a card: registered only now
        db.session.add(delegate)
        db.session.flush()
    point_id = where.point_id if where.point_id in info.points else delegate.point_id
    row = CheckIn(
        conference_id=info.id,
        session_id=session.id,
        delegate_id=delegate.id,
        point_id=point_id,
        method=method,
        device=where.device[:40],
        staff_id=where.staff_id,
        nonce=scan.nonce,
        scanned_at=from_ms(at),
        received_at=from_ms(now_ms),
        sole=True if first is None else None,
        conflict_with_id=first.id if first is not None else None,
    )
    db.session.add(row)
    db.session.flush()
    outcome = Outcome(
        scan.nonce,
        Reason.CHECKED_IN if first is None else Reason.CONFLICT,
        at,
        method,
        delegate_card(info, delegate),
        session.id,
        point_id,
        walk_in=delegate.is_walk_in,
    )
    if first is not None:
        outcome.previous_at_ms, outcome.previous_point_id = to_ms(first.scanned_at), first.point_id
    return outcome


def _refuse(info, scan, where, method, at, now_ms, refused: Refused, delegate) -> Outcome:
    first = refused.first
    session_id = first.session_id if first is not None else where.session_id
    db.session.add(
        ScanRefusal(
            conference_id=info.id,
            session_id=session_id if info.session(session_id) else None,
            delegate_id=delegate.id if delegate is not None and delegate.id else None,
            point_id=where.point_id if where.point_id in info.points else None,
            reason=refused.reason,
            method=method,
            device=where.device[:40],
            staff_id=where.staff_id,
            nonce=scan.nonce,
            scanned_at=from_ms(at),
            received_at=from_ms(now_ms),
        )
    )
    db.session.flush()
    outcome = Outcome(scan.nonce, refused.reason, at, method, detail=refused.detail)
    if delegate is not None and delegate.id:
        outcome.delegate = delegate_card(info, delegate)
    if first is not None:
        outcome.session_id = first.session_id
        outcome.previous_at_ms, outcome.previous_point_id = to_ms(first.scanned_at), first.point_id
    return outcome


def seen_nonce(info: ConferenceInfo, nonce: str) -> Outcome | None:
    """The outcome recorded for this nonce, if it was seen before."""
    row = db.session.scalar(
        select(CheckIn).where(CheckIn.conference_id == info.id, CheckIn.nonce == nonce)
    )
    if row is not None:
        delegate = db.session.get(Delegate, row.delegate_id)
        reason = Reason.CHECKED_IN if row.sole else Reason.CONFLICT
        return Outcome(
            nonce,
            reason,
            to_ms(row.scanned_at),
            row.method,
            delegate_card(info, delegate),
            row.session_id,
            row.point_id,
            repeat=True,
        )
    refusal = db.session.scalar(
        select(ScanRefusal).where(ScanRefusal.conference_id == info.id, ScanRefusal.nonce == nonce)
    )
    if refusal is None:
        return None
    outcome = Outcome(nonce, Reason(refusal.reason), to_ms(refusal.scanned_at), refusal.method)
    outcome.repeat = True
    outcome.session_id = refusal.session_id
    if refusal.delegate_id:
        outcome.delegate = delegate_card(info, db.session.get(Delegate, refusal.delegate_id))
    return outcome
