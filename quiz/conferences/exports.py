"""Attendance in Excel: per point and session, absentees, and the period summary per unit.

Small files (a conference has thousands of rows, not millions), written at
request time with the streaming sheet of `quiz.reports.xlsx`: Vietnamese
headers, times in Viet Nam's local time, every text cell neutralised.
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from sqlalchemy import select

from quiz.conferences.attendance import absentees, dashboard, period_summary
from quiz.conferences.checkin import VENUE_DEVICE
from quiz.conferences.delegates import unit_label
from quiz.extensions import db
from quiz.formatting import number
from quiz.models import CheckIn, Conference, Delegate
from quiz.reports.xlsx import DATETIME, ZONE, Column, Sheet, excel_time, text
from quiz.timeutil import to_ms

METHODS = {
    "personal_qr": "QR cá nhân",
    "venue_qr": "QR tại hội trường",
    "citizen_qr": "QR căn cước",
    "manual": "Tìm thủ công",
}
DEVICES = {VENUE_DEVICE: "Điện thoại người dự (QR hội trường)"}
POINT_COLUMNS = (
    Column("Phiên", 28),
    Column("Điểm cầu", 32),
    Column("Dự kiến", 10),
    Column("Được mời", 10),
    Column("Có mặt", 10),
    Column("Đến muộn", 10),
    Column("Vắng", 10),
    Column("Khách vãng lai", 12),
)
CHECKIN_COLUMNS = (
    Column("Phiên", 28),
    Column(f"Thời điểm ({ZONE})", 20, DATETIME),
    Column("Họ và tên", 28),
    Column("Chức vụ", 24),
    Column("Đơn vị", 28),
    Column("Số điện thoại", 14),
    Column("Điểm cầu", 28),
    Column("Cách điểm danh", 16),
    Column("Thiết bị", 14),
    Column("Trùng (hai nơi)", 10),
)
ABSENT_COLUMNS = (
    Column("Phiên", 28),
    Column("Điểm cầu", 28),
    Column("Họ và tên", 28),
    Column("Chức vụ", 24),
    Column("Đơn vị", 28),
    Column("Số điện thoại", 14),
)
SUMMARY_COLUMNS = (
    Column("Đơn vị", 40),
    Column("Số hội nghị", 12),
    Column("Số lượt người tham dự", 16),
    Column("Số người (không trùng)", 16),
    Column("Tóm tắt", 60),
)


def _finish(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def attendance_workbook(conference: Conference) -> bytes:
    """Sheet 1: counts per session and point; sheet 2: every check-in."""
    book = Workbook(write_only=True)
    counts = Sheet(book, "Theo điểm cầu", POINT_COLUMNS)
    for session in dashboard(conference).sessions:
        for row in [*session.rows, session.total]:
            name = row.name or ("Tổng" if row.point_id == -1 else "(chưa xếp điểm cầu)")
            counts.append(
                [
                    text(session.title),
                    text(name),
                    row.expected,
                    row.invited,
                    row.present,
                    row.late,
                    row.absent,
                    row.walk_ins,
                ]
            )
    detail = Sheet(book, "Chi tiết điểm danh", CHECKIN_COLUMNS)
    sessions = {s.id: s.title for s in conference.sessions}
    points = {p.id: p.name for p in conference.points}
    rows = db.session.execute(
        select(CheckIn, Delegate)
        .join(Delegate, Delegate.id == CheckIn.delegate_id)
        .where(CheckIn.conference_id == conference.id)
        .order_by(CheckIn.scanned_at)
    ).all()
    for checkin, delegate in rows:
        detail.append(
            [
                text(sessions.get(checkin.session_id, "")),
                excel_time(to_ms(checkin.scanned_at)),
                text(delegate.full_name),
                text(delegate.position),
                text(unit_label(delegate)),
                text(delegate.phone),
                text(points.get(checkin.point_id, "")),
                METHODS.get(checkin.method, checkin.method),
                text(DEVICES.get(checkin.device, checkin.device)),
                "Có" if checkin.sole is None else "",
            ]
        )
    return _finish(book)


def absentees_workbook(conference: Conference) -> bytes:
    book = Workbook(write_only=True)
    sheet = Sheet(book, "Vắng mặt", ABSENT_COLUMNS)
    points = {p.id: p.name for p in conference.points}
    for session in conference.sessions:
        for delegate in absentees(conference, session.id):
            sheet.append(
                [
                    text(session.title),
                    text(points.get(delegate.point_id, "")),
                    text(delegate.full_name),
                    text(delegate.position),
                    text(unit_label(delegate)),
                    text(delegate.phone),
                ]
            )
    return _finish(book)


def summary_line(conferences: int, attendances: int, people: int) -> str:
    """The sentence districts report: "776 hội nghị, 9.207 lượt người tham dự"."""
    return (
        f"{number(conferences, 'vi')} hội nghị, {number(attendances, 'vi')} lượt người tham dự, "
        f"{number(people, 'vi')} người"
    )


def summary_workbook(first: date, last: date, root_id: int | None) -> bytes:
    book = Workbook(write_only=True)
    sheet = Sheet(book, "Tổng hợp theo đơn vị", SUMMARY_COLUMNS)
    for row in period_summary(first, last, root_id):
        sheet.append(
            [
                text("\u2003" * row.depth + row.name),
                row.conferences,
                row.attendances,
                row.people,
                summary_line(row.conferences, row.attendances, row.people),
            ]
        )
    about = Sheet(book, "Thông tin", [Column("Mục", 28), Column("Giá trị", 50)])
    about.append(["Từ ngày", f"{first:%d/%m/%Y}"])
    about.append(["Đến ngày", f"{last:%d/%m/%Y}"])
    about.append(["Cách đếm", "Mỗi đại biểu được đếm một lượt cho mỗi phiên đã điểm danh"])
    return _finish(book)
