"""Attendance figures from the log, and the period summary per unit on a known data set."""

from __future__ import annotations

import io
import secrets
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from quiz.conferences.attendance import absentees, dashboard, period_summary
from quiz.conferences.checkin import Scan, Where, record_scan
from quiz.conferences.delegates import new_delegate
from quiz.conferences.exports import absentees_workbook, attendance_workbook, summary_workbook
from quiz.conferences.setup import add_point, create_conference
from quiz.conferences.snapshot import conference_info
from quiz.extensions import db
from quiz.models import ConnectionPoint
from quiz.timeutil import LOCAL_TZ, now_ms, to_ms
from tests.conferences.helpers import delegates_of, make_conference, token_of
from tests.factories import make_units

MINUTE = 60_000


def check_in(conference, delegate, point=None, at=None, device="door", queued=False):
    info = conference_info(conference.id)
    scan = Scan(secrets.token_hex(12), text=token_of(delegate), at_ms=at, queued=queued)
    return record_scan(
        info, scan, Where(point_id=point, device=device), now_ms() if not queued else now_ms()
    )


@pytest.fixture
def conference(ctx):
    return make_conference(make_units()["D1"].id, late_after_minutes=10)


def test_dashboard_counts_present_late_absent_per_point(conference):
    one, two, three = delegates_of(conference)
    a, b = conference.points
    start = to_ms(conference.sessions[0].starts_at)
    check_in(conference, one, a.id, at=start + 2 * MINUTE, queued=True)
    check_in(conference, three, a.id, at=start + 25 * MINUTE, queued=True)  # late, at A not B
    board = dashboard(conference)
    morning = board.sessions[0]
    rows = {r.name: r for r in morning.rows}
    assert (rows["Điểm cầu A"].expected, rows["Điểm cầu A"].invited) == (3, 2)
    assert (rows["Điểm cầu A"].present, rows["Điểm cầu A"].late, rows["Điểm cầu A"].absent) == (
        2,
        1,
        1,
    )
    assert (rows["Điểm cầu B"].expected, rows["Điểm cầu B"].present, rows["Điểm cầu B"].absent) == (
        1,
        0,
        0,
    )
    assert (morning.total.invited, morning.total.present, morning.total.absent) == (3, 2, 1)
    assert board.sessions[1].total.present == 0
    assert [d.id for d in absentees(conference, conference.sessions[0].id)] == [two.id]


def test_conflicts_are_listed_and_counted_once(conference):
    one = delegates_of(conference)[0]
    a, b = conference.points
    check_in(conference, one, a.id, device="door-1")
    check_in(conference, one, b.id, device="door-2", at=now_ms() - MINUTE, queued=True)
    board = dashboard(conference)
    assert board.sessions[0].total.present == 1
    assert len(board.conflicts) == 1
    assert (board.conflicts[0].first_point, board.conflicts[0].second_point) == (
        "Điểm cầu A",
        "Điểm cầu B",
    )


def test_refusals_are_counted_on_the_dashboard(conference):
    info = conference_info(conference.id)
    record_scan(info, Scan(secrets.token_hex(12), text="junk"), Where(), now_ms())
    assert dashboard(conference).refusals == {"unreadable": 1}


def local(y, m, d, h=8) -> datetime:
    return datetime(y, m, d, h, tzinfo=LOCAL_TZ)


def held(owner_id, day: datetime, points: dict[str, int | None], sessions: int = 1):
    """A conference on `day` with the given points (name → unit) and `sessions` sessions."""
    conference = create_conference(
        {
            "title": f"HN {day:%d/%m}",
            "owner_unit_id": owner_id,
            "starts_at": day,
            "ends_at": day + timedelta(days=sessions),
        },
        None,
    )
    from quiz.conferences.setup import add_session

    conference.sessions[0].ends_at = day + timedelta(hours=4)
    for n in range(1, sessions):
        add_session(
            conference, f"Ngày {n + 1}", day + timedelta(days=n), day + timedelta(days=n, hours=4)
        )
    for name, unit_id in points.items():
        add_point(conference, {"name": name, "unit_id": unit_id})
    db.session.commit()
    return conference


def attend(conference, point_name, name, phone, sessions=(0,)):
    point = next(p for p in conference.points if p.name == point_name)
    delegate = new_delegate(conference.id, name, phone=phone, point_id=point.id)
    db.session.add(delegate)
    db.session.commit()
    info = conference_info(conference.id)
    for index in sessions:
        at = to_ms(conference.sessions[index].starts_at) + MINUTE
        record_scan(
            info,
            Scan(secrets.token_hex(12), text=token_of(delegate), at_ms=at, queued=True),
            Where(point_id=point.id, device="d"),
            at + MINUTE,
        )
    return delegate


def test_period_summary_on_a_known_data_set(ctx):
    u = {code: unit.id for code, unit in make_units().items()}
    # 1. Province conference, 3 May, points in D1-C1 and D2; two days.
    big = held(u["P"], local(2026, 5, 3), {"Xã D1-1": u["D1-C1"], "Huyện D2": u["D2"]}, sessions=2)
    attend(big, "Xã D1-1", "Người Một", "0900000101", sessions=(0, 1))  # 2 attendances
    attend(big, "Xã D1-1", "Người Hai", "0900000102")
    attend(big, "Huyện D2", "Người Ba", "0900000103")
    # 2. D1's own conference, 10 May, in its commune D1-C2; "Người Một" again.
    own = held(u["D1"], local(2026, 5, 10), {"Hội trường": u["D1-C2"]})
    attend(own, "Hội trường", "Người Một", "0900000101")
    attend(own, "Hội trường", "Người Bốn", "0900000104")
    # 3. D1 conference with nobody checked in, 20 May; 4. outside the period, 2 June.
    held(u["D1"], local(2026, 5, 20), {})
    late = held(u["D1"], local(2026, 6, 2), {"X": u["D1-C1"]})
    attend(late, "X", "Người Năm", "0900000105")

    rows = {
        r.name: (r.conferences, r.attendances, r.people)
        for r in period_summary(date(2026, 5, 1), date(2026, 5, 31), None)
    }
    assert rows["Tỉnh Thử Nghiệm"] == (3, 6, 4)
    # D1: conferences 1 (attended in D1-C1), 2 and 3 (owned); 3 + 2 attendances; Một, Hai, Bốn
    assert rows["Huyện D1"] == (3, 5, 3)
    assert rows["Xã D1-1"] == (1, 3, 2)
    assert rows["Xã D1-2"] == (1, 2, 2)
    assert rows["Huyện D2"] == (1, 1, 1)
    assert "Xã D2-1" not in rows and "Công an tỉnh" not in rows

    scoped = period_summary(date(2026, 5, 1), date(2026, 5, 31), u["D2"])
    assert [(r.name, r.conferences, r.attendances, r.people) for r in scoped] == [
        ("Huyện D2", 1, 1, 1)
    ]

    book = openpyxl.load_workbook(
        io.BytesIO(summary_workbook(date(2026, 5, 1), date(2026, 5, 31), None))
    )
    values = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    assert values[0][:4] == (
        "Đơn vị",
        "Số hội nghị",
        "Số lượt người tham dự",
        "Số người (không trùng)",
    )
    assert ("Tỉnh Thử Nghiệm", 3, 6, 4, "3 hội nghị, 6 lượt người tham dự, 4 người") in values


def test_exports_neutralise_formulas_and_use_local_time(conference):
    one = delegates_of(conference)[0]
    one.full_name = '=HYPERLINK("http://x")'
    db.session.commit()
    check_in(conference, one, conference.points[0].id)
    book = openpyxl.load_workbook(io.BytesIO(attendance_workbook(conference)))
    detail = list(book["Chi tiết điểm danh"].iter_rows(values_only=True))
    assert detail[1][2] == '\'=HYPERLINK("http://x")'
    assert isinstance(detail[1][1], datetime)
    assert abs((detail[1][1] - datetime.now(LOCAL_TZ).replace(tzinfo=None)).total_seconds()) < 120
    counts = list(book["Theo điểm cầu"].iter_rows(values_only=True))
    assert counts[0][:3] == ("Phiên", "Điểm cầu", "Dự kiến")
    absent = openpyxl.load_workbook(io.BytesIO(absentees_workbook(conference)))
    names = [r[2] for r in absent.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert "Đại Biểu Số 2" in names and '\'=HYPERLINK("http://x")' not in names[:2]


def test_point_without_unit_counts_for_the_owner(ctx):
    u = {code: unit.id for code, unit in make_units().items()}
    conference = held(u["D2"], local(2026, 7, 1), {"Không rõ": None})
    attend(conference, "Không rõ", "Người Sáu", "0900000106")
    rows = {r.name: r.attendances for r in period_summary(date(2026, 7, 1), date(2026, 7, 1), None)}
    assert rows["Huyện D2"] == 1 and rows["Tỉnh Thử Nghiệm"] == 1
    assert db.session.get(ConnectionPoint, conference.points[0].id).unit_id is None
