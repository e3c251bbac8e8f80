"""What a scanning device keeps to go on recognising tokens when the network drops.

The list holds, per delegate, a salted hash of their secret (never the
secret: the list reveals no token), their id, name and point, plus the
sessions with their check-in windows and who is already checked in. The
device hashes what it scans the same way (scan.js) and can answer at once
"checked in (queued)", "already checked in here", "wrong conference" or
"not recognised". The server never trusts the list: every queued scan is
uploaded with the text that was scanned and checked again in full.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from quiz.conferences.attendance import first_checkins
from quiz.conferences.snapshot import ConferenceInfo
from quiz.conferences.tokens import token_hash
from quiz.extensions import db
from quiz.models import Delegate
from quiz.timeutil import now_ms


def offline_list(info: ConferenceInfo) -> dict:
    rows = db.session.execute(
        select(Delegate.id, Delegate.secret, Delegate.full_name, Delegate.point_id).where(
            Delegate.conference_id == info.id
        )
    ).all()
    checked: dict[int, list[int]] = defaultdict(list)
    for session_id, delegate_id, _point, _at in first_checkins(info.id):
        checked[session_id].append(delegate_id)
    return {
        "conference": info.id,
        "salt": info.salt,
        "server_ms": now_ms(),
        "ends_ms": info.last_end_ms,
        "sessions": [
            {
                "id": s.id,
                "title": s.title,
                "opens_ms": s.opens_ms,
                "starts_ms": s.starts_ms,
                "ends_ms": s.ends_ms,
            }
            for s in info.sessions
        ],
        "points": {str(p.id): p.name for p in info.points.values()},
        "delegates": [
            [token_hash(info.salt, secret), d, name, point] for d, secret, name, point in rows
        ],
        "checked": {str(k): v for k, v in checked.items()},
    }
