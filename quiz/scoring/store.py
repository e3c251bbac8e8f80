"""The scoring worker's reads and writes, one statement per batch.

On PostgreSQL a batch's scores go in with COPY into a temporary table and one
INSERT … SELECT … ON CONFLICT DO NOTHING, and ids travel as one array
parameter: a thousand rows cost a handful of round trips, and the driver
never parses a statement with thousands of placeholders. On SQLite (the
embedded default) the same operations use SQLAlchemy Core. Either way the
caller's transaction covers everything, so a batch is all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC

from sqlalchemy import JSON, BigInteger, Integer, String, func, literal, select
from sqlalchemy import insert as insert_stmt

from quiz.extensions import db
from quiz.models.attempts import Attempt, Score

SCORE_COLUMNS = (
    "attempt_id",
    "round_id",
    "entrant_id",
    "seq",
    "correct",
    "total",
    "time_used_ms",
    "prediction",
    "started_at_ms",
    "submitted_at_ms",
    "auto_submitted",
    "answers",
    "marks",
    "scored_at",
    "timings",
)
RESULT_COLUMNS = (
    "attempt_id",
    "round_id",
    "entrant_id",
    "seq",
    "correct",
    "total",
    "time_used_ms",
    "prediction",
    "submitted_at_ms",
    "started_at_ms",
)
ATTEMPT_COLUMNS = ("id", "round_id", "entrant_id", "seq", "paper", "started_at_ms", "deadline_ms")

# Built from the constant column lists above, never from input.
_SCORES = ", ".join(SCORE_COLUMNS)
SELECT_ATTEMPTS = f"SELECT {', '.join(ATTEMPT_COLUMNS)} FROM attempts WHERE id = ANY(%s)"  # noqa: S608
COPY_SCORES = f"COPY scores ({_SCORES}) FROM STDIN"
_ATTEMPTS = ", ".join((*ATTEMPT_COLUMNS, "device"))
COPY_ATTEMPT_BATCH = f"COPY attempt_batch ({_ATTEMPTS}) FROM STDIN"
INSERT_ATTEMPTS_FROM_BATCH = (
    f"INSERT INTO attempts ({_ATTEMPTS}) SELECT {_ATTEMPTS} FROM attempt_batch "  # noqa: S608
    "ON CONFLICT DO NOTHING"
)
COPY_BATCH = f"COPY score_batch ({_SCORES}) FROM STDIN"
SCORED_ALREADY = "SELECT attempt_id FROM scores WHERE attempt_id = ANY(%s)"
INSERT_FROM_BATCH = (
    f"INSERT INTO scores ({_SCORES}) SELECT {_SCORES} FROM score_batch "  # noqa: S608
    "ON CONFLICT (attempt_id) DO NOTHING RETURNING attempt_id"
)


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _cursor():
    """A DBAPI cursor on the session's connection: same transaction."""
    return db.session.connection().connection.dbapi_connection.cursor()


def load_attempts(ids: Sequence[int]) -> dict[int, dict]:
    if not ids:
        return {}
    if _postgres():
        cursor = _cursor()
        cursor.execute(SELECT_ATTEMPTS, (list(ids),))
        rows = [dict(zip(ATTEMPT_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
        cursor.close()
    else:
        columns = [getattr(Attempt, name) for name in ATTEMPT_COLUMNS]
        rows = [
            dict(r._mapping)
            for r in db.session.execute(select(*columns).where(Attempt.id.in_(ids)))
        ]
    return {row["id"]: row for row in rows}


def insert_scores(values: list[dict]) -> set[int]:
    """Insert score rows; return the attempt ids inserted now (not earlier).

    PostgreSQL: the rows not scored yet are COPYed straight into `scores`;
    should another worker insert one of them meanwhile (a batch taken over
    from a stalled worker), the unique key fails the COPY, which is undone
    to its savepoint, and the batch goes through INSERT … ON CONFLICT DO
    NOTHING instead. Either way no attempt is ever scored twice.
    """
    if not values:
        return set()
    if not _postgres():
        from sqlalchemy.dialects.sqlite import insert

        table = Score.__table__
        stmt = insert(table).on_conflict_do_nothing(index_elements=["attempt_id"])
        return set(db.session.execute(stmt.returning(table.c.attempt_id), values).scalars())
    cursor = _cursor()
    cursor.execute(SCORED_ALREADY, ([v["attempt_id"] for v in values],))
    already = {row[0] for row in cursor.fetchall()}
    fresh = [v for v in values if v["attempt_id"] not in already]
    cursor.execute("SAVEPOINT copy_scores")
    try:
        _copy(cursor, COPY_SCORES, fresh)
        cursor.execute("RELEASE SAVEPOINT copy_scores")
        inserted = {v["attempt_id"] for v in fresh}
    except db.session.get_bind().dialect.loaded_dbapi.IntegrityError:
        cursor.execute("ROLLBACK TO SAVEPOINT copy_scores")
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS score_batch "
            "(LIKE scores INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        _copy(cursor, COPY_BATCH, fresh)
        cursor.execute(INSERT_FROM_BATCH)
        inserted = {row[0] for row in cursor.fetchall()}
        cursor.execute("TRUNCATE score_batch")
    cursor.close()
    return inserted


def _copy(cursor, statement: str, values: list[dict]) -> None:
    with cursor.copy(statement) as copy:
        for v in values:
            row = dict(v, answers=json.dumps(v["answers"]), timings=json.dumps(v["timings"]))
            # The column holds naive UTC (see UTCDateTime).
            row["scored_at"] = v["scored_at"].astimezone(UTC).replace(tzinfo=None)
            copy.write_row([row[name] for name in SCORE_COLUMNS])


NEW_ATTEMPT_COLUMNS = (*ATTEMPT_COLUMNS, "device")


def insert_attempts(records: list[dict]) -> None:
    """Copy attempts born in Redis into the database; present ones are left alone.

    An attempt whose number collides with one already stored (possible only
    if Redis lost its counters) is stored with the next free number instead:
    nothing an entrant started is ever dropped.
    """
    if not records:
        return
    rows = list(records)
    ids = [r["id"] for r in rows]
    if _postgres():
        cursor = _cursor()
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS attempt_batch "
            "(LIKE attempts INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        with cursor.copy(COPY_ATTEMPT_BATCH) as copy:
            for r in rows:
                copy.write_row(
                    [json.dumps(r[c]) if c == "paper" else r[c] for c in NEW_ATTEMPT_COLUMNS]
                )
        cursor.execute(INSERT_ATTEMPTS_FROM_BATCH)
        cursor.execute("TRUNCATE attempt_batch")
        cursor.execute("SELECT id FROM attempts WHERE id = ANY(%s)", (ids,))
        present = {row[0] for row in cursor.fetchall()}
        cursor.close()
    else:
        from sqlalchemy.dialects.sqlite import insert

        table = Attempt.__table__
        db.session.execute(insert(table).on_conflict_do_nothing(), rows)
        present = set(db.session.scalars(select(Attempt.id).where(Attempt.id.in_(ids))))
    for row in rows:
        if row["id"] not in present:
            _insert_renumbered(row)


def _insert_renumbered(row: dict) -> None:
    table = Attempt.__table__
    query = select(
        literal(row["id"], BigInteger),
        literal(row["round_id"], Integer),
        literal(row["entrant_id"], Integer),
        func.coalesce(func.max(table.c.seq), 0) + 1,
        literal(row["paper"], JSON),
        literal(row["started_at_ms"], BigInteger),
        literal(row["deadline_ms"], BigInteger),
        literal(row.get("device"), String),
    ).where(table.c.round_id == row["round_id"], table.c.entrant_id == row["entrant_id"])
    db.session.execute(insert_stmt(table).from_select(list(NEW_ATTEMPT_COLUMNS), query))


def load_results(attempt_ids: Sequence[int]) -> list[dict]:
    """Score rows already in the database (scored by an earlier run of a batch)."""
    if not attempt_ids:
        return []
    columns = [getattr(Score, name) for name in RESULT_COLUMNS]
    rows = db.session.execute(select(*columns).where(Score.attempt_id.in_(attempt_ids)))
    return [dict(r._mapping) for r in rows]
