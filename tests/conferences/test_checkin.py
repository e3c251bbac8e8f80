"""The check-in log: every scan outcome, idempotent nonces, offline uploads and conflicts."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quiz.conferences.checkin import Scan, Where, record_scan
from quiz.conferences.delegates import reissue
from quiz.conferences.snapshot import conference_info, forget
from quiz.conferences.tokens import PersonalToken
from quiz.extensions import db
from quiz.models import CheckIn, Delegate, Reason, ScanRefusal
from quiz.timeutil import now_ms, to_ms
from tests.conferences.helpers import CARD, delegates_of, make_conference, token_of
from tests.factories import make_units

MINUTE = 60_000


@pytest.fixture
def conference(ctx):
    units = make_units()
    return make_conference(units["D1"].id)


def nonce() -> str:
    return secrets.token_hex(16)


def scan(conference, text="", where=None, at=None, **fields):
    info = conference_info(conference.id)
    item = Scan(nonce=fields.pop("nonce", None) or nonce(), text=text, **fields)
    return record_scan(info, item, where or Where(device="door-1"), at or now_ms())


def count(model, **filters) -> int:
    query = select(func.count()).select_from(model)
    for name, value in filters.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def test_personal_qr_checks_in_to_the_current_session(conference):
    delegate = delegates_of(conference)[0]
    point = conference.points[0]
    outcome = scan(conference, token_of(delegate), Where(point_id=point.id, device="door-1"))
    assert outcome.reason == Reason.CHECKED_IN and outcome.ok
    assert outcome.delegate.name == delegate.full_name
    row = db.session.scalar(select(CheckIn))
    assert (row.session_id, row.delegate_id, row.point_id) == (
        conference.sessions[0].id,
        delegate.id,
        point.id,
    )
    assert (row.method, row.device, row.sole) == ("personal_qr", "door-1", True)


def test_scanning_the_invitation_address_works_like_the_token(conference):
    delegate = delegates_of(conference)[0]
    outcome = scan(conference, f"HTTPS://HOINGHI.EXAMPLE.VN/Q/{token_of(delegate)}")
    assert outcome.reason == Reason.CHECKED_IN


def test_duplicate_scan_says_when_and_where_and_counts_once(conference):
    delegate = delegates_of(conference)[0]
    point = conference.points[1]
    first = scan(conference, token_of(delegate), Where(point_id=point.id, device="door-1"))
    again = scan(
        conference, token_of(delegate), Where(point_id=conference.points[0].id, device="door-2")
    )
    assert again.reason == Reason.ALREADY and not again.ok
    assert again.previous_at_ms == first.at_ms and again.previous_point_id == point.id
    assert count(CheckIn) == 1
    assert count(ScanRefusal, reason=Reason.ALREADY) == 1


def test_retried_nonce_returns_the_first_outcome_and_writes_nothing(conference):
    delegate = delegates_of(conference)[0]
    same = nonce()
    first = scan(conference, token_of(delegate), nonce=same)
    retried = scan(conference, token_of(delegate), nonce=same, at=now_ms() + 5000)
    assert retried.reason == Reason.CHECKED_IN and retried.repeat
    assert retried.at_ms == first.at_ms
    assert count(CheckIn) == 1 and count(ScanRefusal) == 0


def test_retried_refused_nonce_is_logged_once(conference):
    same = nonce()
    first = scan(conference, "1-1-" + "A" * 26, nonce=same)
    second = scan(conference, "1-1-" + "A" * 26, nonce=same)
    assert first.reason == second.reason == Reason.FORGED and second.repeat
    assert count(ScanRefusal) == 1


@pytest.mark.parametrize("position", [0, 13, 25])
def test_tampered_secret_is_refused_as_forged(conference, position):
    token = token_of(delegates_of(conference)[0])
    head, secret = token.rsplit("-", 1)
    swapped = "B" if secret[position] != "B" else "C"
    tampered = f"{head}-{secret[:position]}{swapped}{secret[position + 1 :]}"
    assert scan(conference, tampered).reason == Reason.FORGED


def test_conference_id_changed_in_a_genuine_token_is_forged(conference):
    delegate = delegates_of(conference)[0]
    tampered = str(PersonalToken(conference.id + 1, delegate.secret))
    assert scan(conference, tampered).reason == Reason.FORGED


def test_genuine_token_of_another_conference_is_wrong_conference(conference):
    other = make_conference(conference.owner_unit_id, title="Hội nghị khác")
    outsider = delegates_of(other)[0]
    outcome = scan(conference, token_of(outsider))
    assert outcome.reason == Reason.WRONG_CONFERENCE
    assert count(CheckIn) == 0
    refusal = db.session.scalar(select(ScanRefusal))
    assert (refusal.reason, refusal.conference_id) == ("wrong_conference", conference.id)


def test_reissued_code_stops_the_old_invitation(conference):
    delegate = delegates_of(conference)[0]
    old = token_of(delegate)
    reissue(delegate)
    db.session.commit()
    assert scan(conference, old).reason == Reason.FORGED
    assert scan(conference, token_of(delegate)).reason == Reason.CHECKED_IN


def test_personal_token_expires_with_its_conference(conference):
    after = to_ms(conference.sessions[-1].ends_at) + MINUTE
    outcome = scan(conference, token_of(delegates_of(conference)[0]), at=after)
    assert outcome.reason == Reason.EXPIRED


@pytest.mark.parametrize("minutes_before_start", [61, 120])
def test_check_in_before_the_window_opens_is_refused(conference, minutes_before_start):
    opening = to_ms(conference.sessions[0].starts_at) - minutes_before_start * MINUTE
    outcome = scan(conference, token_of(delegates_of(conference)[0]), at=opening)
    assert outcome.reason == Reason.OUTSIDE_WINDOW


def test_check_in_between_sessions_is_refused(conference):
    between = to_ms(conference.sessions[0].ends_at) + 3 * 60 * MINUTE
    outcome = scan(conference, token_of(delegates_of(conference)[0]), at=between)
    assert outcome.reason == Reason.OUTSIDE_WINDOW
    assert count(ScanRefusal, reason="outside_window") == 1


def test_forced_session_outside_its_window_is_refused(conference):
    second = conference.sessions[1]
    outcome = scan(conference, token_of(delegates_of(conference)[0]), Where(session_id=second.id))
    assert outcome.reason == Reason.OUTSIDE_WINDOW


def test_next_day_session_counts_separately(conference):
    delegate = delegates_of(conference)[0]
    scan(conference, token_of(delegate))
    tomorrow = to_ms(conference.sessions[1].starts_at) + MINUTE
    assert scan(conference, token_of(delegate), at=tomorrow).reason == Reason.CHECKED_IN
    assert count(CheckIn, delegate_id=delegate.id) == 2


def test_garbage_is_unreadable(conference):
    assert scan(conference, "https://example.com/some-page").reason == Reason.UNREADABLE


def test_offline_scans_keep_their_original_times(conference):
    delegates = delegates_of(conference)
    now = now_ms()
    made = [now - 20 * MINUTE, now - 19 * MINUTE]
    outcomes = [
        scan(conference, token_of(d), Where(device="door-3"), at=now, at_ms=t, queued=True)
        for d, t in zip(delegates[:2], made, strict=True)
    ]
    assert [o.reason for o in outcomes] == [Reason.CHECKED_IN] * 2
    times = sorted(to_ms(t) for t in db.session.scalars(select(CheckIn.scanned_at)))
    assert times == made
    received = {to_ms(t) for t in db.session.scalars(select(CheckIn.received_at))}
    assert received == {now}


def test_device_clock_ahead_is_clamped_to_the_server_time(conference):
    now = now_ms()
    outcome = scan(
        conference,
        token_of(delegates_of(conference)[0]),
        at=now,
        at_ms=now + 3_600_000,
        queued=True,
    )
    assert outcome.at_ms == now


def test_offline_scan_at_another_door_is_kept_as_a_conflict(conference):
    delegate = delegates_of(conference)[0]
    a, b = conference.points
    now = now_ms()
    online = scan(conference, token_of(delegate), Where(point_id=a.id, device="door-1"), at=now)
    late = scan(
        conference,
        token_of(delegate),
        Where(point_id=b.id, device="door-2"),
        at=now + 10 * MINUTE,
        at_ms=now + 2 * MINUTE,
        queued=True,
    )
    assert late.reason == Reason.CONFLICT and late.ok
    assert late.previous_point_id == a.id and late.previous_at_ms == online.at_ms
    rows = db.session.scalars(select(CheckIn).order_by(CheckIn.id)).all()
    assert len(rows) == 2
    assert rows[0].sole is True and rows[1].sole is None
    assert rows[1].conflict_with_id == rows[0].id
    assert to_ms(rows[1].scanned_at) == now + 2 * MINUTE


def test_two_offline_devices_uploading_late_lose_neither_scan(conference):
    delegate = delegates_of(conference)[0]
    now = now_ms()
    for device, minutes in (("door-1", 5), ("door-2", 4)):
        scan(
            conference,
            token_of(delegate),
            Where(device=device),
            at=now,
            at_ms=now - minutes * MINUTE,
            queued=True,
        )
    assert count(CheckIn) == 2
    assert count(CheckIn, sole=True) == 1


def test_same_device_rescanning_offline_is_already_not_a_conflict(conference):
    delegate = delegates_of(conference)[0]
    now = now_ms()
    for minutes in (5, 4):
        last = scan(
            conference,
            token_of(delegate),
            Where(device="door-1"),
            at=now,
            at_ms=now - minutes * MINUTE,
            queued=True,
        )
    assert last.reason == Reason.ALREADY
    assert count(CheckIn) == 1


def test_manual_check_in_by_id(conference):
    delegate = delegates_of(conference)[2]
    outcome = scan(conference, method="manual", delegate_id=delegate.id)
    assert outcome.reason == Reason.CHECKED_IN
    assert db.session.scalar(select(CheckIn.method)) == "manual"


def test_manual_check_in_of_another_conferences_delegate_is_not_invited(conference):
    other = make_conference(None, title="Khác")
    outcome = scan(conference, method="manual", delegate_id=delegates_of(other)[0].id)
    assert outcome.reason == Reason.NOT_INVITED


def test_citizen_card_of_someone_not_invited_is_refused_without_walk_ins(conference):
    outcome = scan(conference, CARD)
    assert outcome.reason == Reason.NOT_INVITED
    assert count(Delegate, conference_id=conference.id) == 3


def test_citizen_card_registers_a_walk_in_when_allowed(conference):
    conference.allow_walk_ins = True
    db.session.commit()
    forget(conference.id)
    outcome = scan(conference, CARD)
    assert outcome.reason == Reason.CHECKED_IN and outcome.walk_in
    walk_in = db.session.scalar(select(Delegate).where(Delegate.citizen_id == "001185000123"))
    assert walk_in.is_walk_in and walk_in.full_name == "Lò Thị Thử"
    assert (walk_in.birth_year, walk_in.gender, walk_in.phone) == (1985, "female", None)
    again = scan(conference, CARD)
    assert again.reason == Reason.ALREADY
    assert count(Delegate, citizen_id="001185000123") == 1


def test_citizen_card_finds_the_listed_delegate_of_that_name(conference):
    listed = delegates_of(conference)[1]
    listed.full_name, listed.name_key, listed.phone = "Lò Thị Thử", "lo thi thu", None
    db.session.commit()
    outcome = scan(conference, CARD)
    assert outcome.reason == Reason.CHECKED_IN and outcome.delegate.id == listed.id
    db.session.refresh(listed)
    assert listed.citizen_id == "001185000123"


def test_walk_in_card_outside_the_window_registers_nobody(conference):
    conference.allow_walk_ins = True
    db.session.commit()
    forget(conference.id)
    between = to_ms(conference.sessions[0].ends_at) + 3 * 60 * MINUTE
    assert scan(conference, CARD, at=between).reason == Reason.OUTSIDE_WINDOW
    assert count(Delegate, citizen_id="001185000123") == 0


def test_malformed_citizen_card_is_unreadable_with_the_reason(conference):
    outcome = scan(conference, "001185000123|x|Tên|99999999|Nữ|Địa chỉ|01022021")
    assert outcome.reason == Reason.UNREADABLE and outcome.detail


def test_refused_scans_are_logged_with_their_reasons(conference):
    other = make_conference(None, title="Khác")
    scan(conference, token_of(delegates_of(other)[0]))
    scan(conference, "1-1-" + "Z" * 26)
    scan(conference, "not a code")
    scan(conference, CARD)
    reasons = sorted(db.session.scalars(select(ScanRefusal.reason)))
    assert reasons == ["forged", "not_invited", "unreadable", "wrong_conference"]
    assert count(CheckIn) == 0


def test_check_in_late_uses_the_offline_list_window(conference):
    """A queued scan made while the window was open is accepted even if uploaded after it closed."""
    delegate = delegates_of(conference)[0]
    made = to_ms(conference.sessions[0].ends_at) - MINUTE
    uploaded = made + 5 * 60 * MINUTE
    outcome = scan(conference, token_of(delegate), at=uploaded, at_ms=made, queued=True)
    assert outcome.reason == Reason.CHECKED_IN


def test_conference_times_shift_is_seen_after_forget(conference):
    first = conference.sessions[0]
    first.starts_at = first.starts_at + timedelta(hours=3)
    db.session.commit()
    forget(conference.id)
    outcome = scan(conference, token_of(delegates_of(conference)[0]))
    assert outcome.reason == Reason.OUTSIDE_WINDOW
