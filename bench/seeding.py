"""Seeding shared by the benchmarks: the demo round, entrants, attempts, sessions.

Written straight to the database in chunks (registering 60,000 entrants
through the web would take longer than the benchmark). Call inside an app
context.
"""

from __future__ import annotations

import secrets

CHUNK = 5000


def demo_round(**settings):
    """The demo contest's first round with `settings` applied; its fresh snapshot."""
    from sqlalchemy import select

    from quiz.catalog.rounds import get_round
    from quiz.demo import seed_bank, seed_contest, seed_units
    from quiz.extensions import db
    from quiz.models import Round

    province = seed_units()
    contest = seed_contest(province, seed_bank(province))
    round_ = db.session.scalar(select(Round).where(Round.contest_id == contest.id))
    for name, value in settings.items():
        setattr(round_, name, value)
    db.session.commit()
    return get_round(round_.id, fresh=True)


def insert_entrants(count: int) -> list[int]:
    """`count` entrants spread over the units; their ids in order."""
    from sqlalchemy import insert, select

    from quiz.extensions import db
    from quiz.models import Entrant, Unit
    from quiz.timeutil import utcnow

    units = list(db.session.scalars(select(Unit.id)))
    now = utcnow()
    for chunk in range(0, count, CHUNK):
        db.session.execute(
            insert(Entrant),
            [
                {
                    "phone": f"09{n:08d}",
                    "full_name": f"Người Thử {n}",
                    "birth_year": 1990,
                    "gender": "female" if n % 2 else "male",
                    "occupation": "other",
                    "unit_id": units[n % len(units)],
                    "consent_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(chunk, min(count, chunk + CHUNK))
            ],
        )
    db.session.commit()
    return list(db.session.scalars(select(Entrant.id).order_by(Entrant.id)))


def insert_attempts(info, entrant_ids: list[int], started_ms: int) -> list[tuple[int, list]]:
    """One attempt each, papers drawn as a start draws them; (id, paper) in order.

    Each also gets the empty answers hash the start script gives a new
    attempt, so saves and submits find it as they would in production.
    """
    from sqlalchemy import insert

    from quiz.catalog.questions import question_cache
    from quiz.contest.papers import draw_paper
    from quiz.extensions import db, get_redis
    from quiz.models.attempts import Attempt
    from quiz.scoring import keys
    from quiz.scoring.admission import KEEP_MS

    cache = question_cache()
    pool = cache.pool(info.bank_id, info.bank_revision)
    views = cache.get_many(pool.ids)
    made: list[tuple[int, list]] = []
    for chunk in range(0, len(entrant_ids), CHUNK):
        rows = [
            {
                "round_id": info.id,
                "entrant_id": entrant_id,
                "seq": 1,
                "started_at_ms": started_ms,
                "deadline_ms": info.deadline_for(started_ms),
                "paper": draw_paper(pool, views, info.questions_per_attempt, info.topic_quotas),
            }
            for entrant_id in entrant_ids[chunk : chunk + CHUNK]
        ]
        ids = db.session.execute(insert(Attempt).returning(Attempt.id), rows).scalars().all()
        made += [(attempt_id, row["paper"]) for attempt_id, row in zip(ids, rows, strict=True)]
        pipe = get_redis().pipeline(transaction=False)
        for attempt_id in ids:
            pipe.hset(keys.answers(attempt_id), "#", 0)
            pipe.pexpire(keys.answers(attempt_id), KEEP_MS)
        pipe.execute()
    db.session.commit()
    return made


class Sessions:
    """Signed session cookies and CSRF tokens, as the app would issue them."""

    def __init__(self, app) -> None:
        from itsdangerous import URLSafeTimedSerializer

        self.cookies = app.session_interface.get_signing_serializer(app)
        self.csrf = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")

    def signed(self, entrant_id: int) -> tuple[str, str]:
        raw = secrets.token_hex(20)
        cookie = self.cookies.dumps(
            {
                "_permanent": True,
                "csrf_token": raw,
                "entrant": [entrant_id, 1990, f"Người Thử {entrant_id}"],
            }
        )
        return cookie, self.csrf.dumps(raw)
