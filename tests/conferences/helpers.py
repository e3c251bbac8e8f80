"""Building conferences for tests. Every name and number is invented (phones 0900 000 xxx)."""

from __future__ import annotations

from datetime import timedelta

from quiz.conferences.delegates import new_delegate, personal_token
from quiz.conferences.setup import add_point, add_session, create_conference
from quiz.extensions import db
from quiz.models import Conference, Delegate
from quiz.timeutil import utcnow

# A made-up but well-formed chip card: province 001, a woman born in 1985.
CARD = "001185000123|123456789|Lò Thị Thử|15061985|Nữ|Bản Thử, Xã Mẫu, Tỉnh Thử|01022021"


def make_conference(owner_id: int | None = None, walk_ins: bool = False, **values) -> Conference:
    """Session 1 under way (started 30 minutes ago), session 2 tomorrow; points A and B;
    three delegates, two at A, one at B."""
    now = utcnow()
    conference = create_conference(
        {
            "title": values.pop("title", "Hội nghị thử"),
            "owner_unit_id": owner_id,
            "starts_at": values.pop("starts_at", now - timedelta(minutes=30)),
            "ends_at": values.pop("ends_at", now + timedelta(days=1, hours=4)),
            "allow_walk_ins": walk_ins,
            **values,
        },
        None,
    )
    first = conference.sessions[0]
    first.title, first.ends_at = "Phiên sáng", now + timedelta(hours=2)
    add_session(
        conference, "Phiên ngày hai", now + timedelta(days=1), now + timedelta(days=1, hours=4)
    )
    a = add_point(conference, {"name": "Điểm cầu A", "expected": 3})
    b = add_point(conference, {"name": "Điểm cầu B", "expected": 0})
    for n, point in ((1, a), (2, a), (3, b)):
        db.session.add(
            new_delegate(
                conference.id,
                f"Đại Biểu Số {n}",
                phone=f"0900000{n:03d}",
                point_id=point.id,
                position="Chuyên viên",
            )
        )
    db.session.commit()
    return conference


def delegates_of(conference: Conference) -> list[Delegate]:
    return list(
        db.session.scalars(
            db.select(Delegate).where(Delegate.conference_id == conference.id).order_by(Delegate.id)
        )
    )


def token_of(delegate: Delegate) -> str:
    return personal_token(delegate)
