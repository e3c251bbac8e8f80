"""Starting an attempt: one Redis call, a paper drawn in memory, one database statement.

1. The gate (one Lua call): resume the entrant's running attempt if there is
   one; otherwise take a token from the admission bucket or say how long to
   wait.
2. Draw the paper from the cached pool.
3. One INSERT … SELECT, in autocommit, computes the attempt number from the
   entrant's previous attempts and refuses it beyond the round's limit; the
   unique (round, entrant, seq) key stops a double click from drawing twice.
4. Remember the running attempt and count the start (one pipelined call).
"""

from __future__ import annotations

import json
import math

from flask import current_app
from flask_babel import lazy_gettext as _l

from quiz.contest.admission import Running
from quiz.contest.attempts import Busy, Refusal, engine, token_for
from quiz.contest.papers import NotEnoughQuestions, draw_paper
from quiz.contest.questions import question_cache
from quiz.contest.registration import current_year
from quiz.contest.rounds import RoundInfo
from quiz.extensions import autocommit_engine


def check_can_start(info: RoundInfo, birth_year: int, now_ms: int) -> None:
    if not info.published:
        raise Refusal("not_published", _l("This contest is not open to the public."), 404)
    if info.paused:
        raise Refusal(
            "paused", _l("The organizers have paused this round; please come back later.")
        )
    if info.closed or now_ms >= info.ends_at_ms:
        raise Refusal("ended", _l("This round has ended."))
    if now_ms < info.starts_at_ms:
        raise Refusal("not_started", _l("This round has not started yet."))
    if info.min_age and current_year() - birth_year < info.min_age:
        raise Refusal(
            "too_young",
            _l("This round is for entrants aged %(age)s and over.", age=info.min_age),
            403,
        )


# The entrant's next attempt, numbered from their previous ones and refused
# (no row returned) beyond the round's limit. Hand-written and run on the
# DBAPI connection: SQLAlchemy's statement machinery cost more than the
# database's own work on this, the busiest write of a contest's opening minute.
INSERT_NEXT = """
INSERT INTO attempts (round_id, entrant_id, seq, paper, started_at_ms, deadline_ms, status)
SELECT {round}, {entrant}, COALESCE(MAX(seq), 0) + 1, {paper}, {started}, {deadline}, 'started'
FROM attempts WHERE round_id = {round} AND entrant_id = {entrant}
HAVING COALESCE(MAX(seq), 0) + 1 <= {limit}
RETURNING id, seq
"""
PARAMS = {
    "postgresql": dict(round="%(round)s::integer", entrant="%(entrant)s::integer",
                       paper="%(paper)s::json", started="%(started)s::bigint",
                       deadline="%(deadline)s::bigint", limit="%(limit)s::integer"),
    "sqlite": dict(round=":round", entrant=":entrant", paper=":paper", started=":started",
                   deadline=":deadline", limit=":limit"),
}  # fmt: skip
UNLIMITED = 2**31 - 1


class AttemptConflict(Exception):
    """Another request created this attempt number a moment ago."""


def _store(info: RoundInfo, entrant_id: int, paper: list, now_ms: int, deadline: int):
    """(attempt id, seq), or None when the round's attempt limit is reached."""
    engine = autocommit_engine()
    sql = INSERT_NEXT.format(**PARAMS[engine.dialect.name])
    values = {
        "round": info.id, "entrant": entrant_id, "paper": json.dumps(paper),
        "started": now_ms, "deadline": deadline, "limit": info.max_attempts or UNLIMITED,
    }  # fmt: skip
    connection = engine.raw_connection()  # autocommit: one round trip, no BEGIN/COMMIT
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(sql, values)
        except engine.dialect.loaded_dbapi.IntegrityError as exc:
            raise AttemptConflict from exc
        row = cursor.fetchone()
        cursor.close()
        return row
    finally:
        connection.close()


def _draw(info: RoundInfo) -> list:
    cache = question_cache()
    pool = cache.pool(info.bank_id, info.bank_revision)
    try:
        return draw_paper(
            pool, cache.get_many(pool.ids), info.questions_per_attempt, info.topic_quotas
        )
    except NotEnoughQuestions as exc:
        current_app.logger.error("round %s cannot draw a paper: %s", info.id, exc)
        raise Refusal(
            "no_questions", _l("This round is not ready yet; the organizers have been told."), 503
        ) from exc


class Started:
    def __init__(self, info: RoundInfo, entrant_id: int, running: Running, resumed: bool):
        self.attempt_id = running.attempt_id
        self.resumed = resumed
        self.token = token_for(
            running.attempt_id, info.id, entrant_id, running.deadline_ms, running.size
        )


def start_attempt(info: RoundInfo, entrant_id: int, birth_year: int, now_ms: int) -> Started:
    """Resume the entrant's running attempt, or draw and store a new paper."""
    check_can_start(info, birth_year, now_ms)
    admission = engine().admission
    gate = admission.gate(info.id, entrant_id, now_ms)
    if isinstance(gate, Running):
        return Started(info, entrant_id, gate, resumed=True)
    if gate:
        raise Busy(max(1, math.ceil(gate / 1000)))
    paper = _draw(info)
    deadline = info.deadline_for(now_ms)
    try:
        row = _store(info, entrant_id, paper, now_ms, deadline)
    except AttemptConflict:
        # A double click is starting the same attempt at this moment: use it.
        running = admission.running(info.id, entrant_id)
        if running is not None:
            return Started(info, entrant_id, running, resumed=True)
        raise Refusal("conflict", _l("Your attempt is already starting; please reload.")) from None
    if row is None:
        raise Refusal(
            "limit",
            _l("You have used all %(n)s attempts allowed in this round.", n=info.max_attempts),
        )
    running = Running(row[0], deadline, len(paper), row[1])
    admission.record_start(info.id, info.contest_id, entrant_id, running, now_ms)
    return Started(info, entrant_id, running, resumed=False)


def running_attempt(info: RoundInfo, entrant_id: int, now_ms: int) -> str | None:
    """Token of the entrant's attempt still open in this round, if any."""
    running = engine().admission.running(info.id, entrant_id)
    if running is None or running.deadline_ms <= now_ms:
        return None
    if engine().buffer.receipt(running.attempt_id) is not None:
        return None
    return Started(info, entrant_id, running, resumed=True).token
