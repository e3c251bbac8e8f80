"""The worker's side: submitted responses from Redis to the database, exactly once.

A batch is read from the survey's stream, written in one transaction and
then deleted from the stream. Exactly once rests on the database: "who
answered" has a unique key per survey, and a response is written only when
its respondent row is new, so a batch run again after a worker died
(before or after its commit) writes nothing twice.

One drain at a time per survey, by a lock in Redis that expires
(SURVEY_DRAIN_LOCK_SECONDS) unless renewed after each batch: a worker killed
mid-drain holds it no longer than that. The lock only saves work: two drains
at once still write each response once (the unique key again).

Anonymity: a batch's responses are written in shuffled order, apart from
the respondents, so response ids follow no respondent order; both carry a
date only. Nothing written links the two. An anonymous survey's batches
hold at least SURVEY_ANONYMOUS_BATCH responses (the rest are written once
the survey closes, or once the oldest has waited
SURVEY_ANONYMOUS_HOLD_SECONDS: a queued entry names its respondent, so
Redis must not keep it long): with one response per batch, the n-th
respondent row would be the n-th response.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from quiz.extensions import db, get_redis
from quiz.models import Survey, SurveyAnswer, SurveyInvitation, SurveyRespondent, SurveyResponse
from quiz.redis_locks import only_one, renew
from quiz.scoring import keys
from quiz.surveys.answers import answer_rows
from quiz.surveys.structure import SurveyInfo, survey_cache
from quiz.timeutil import now_ms, utcnow
from quiz.worker import in_app_context

BATCH = 500
PERSON_COLUMNS = {
    "entrant": "person_entrant_id",
    "delegate": "person_delegate_id",
    "invitation": "person_invitation_id",
}


def _entries(raw) -> list[dict]:
    entries = []
    for entry_id, fields in raw:
        fields = {k.decode(): v.decode() for k, v in fields.items()}
        number = int(fields["n"])
        entries.append(
            {
                "id": entry_id,
                "key": fields["k"] if number == 1 else f"{fields['k']}#{number}",
                "flagged": fields["f"] == "1",
                "response": json.loads(fields["v"]),
            }
        )
    return entries


def _new_respondents(survey_id: int, entries: list[dict]) -> set[str]:
    """Insert who answered; the keys that were new (a repeat inserts nothing)."""
    seen: set[str] = set()
    entries = [e for e in entries if not (e["key"] in seen or seen.add(e["key"]))]
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    rows = [
        {
            "survey_id": survey_id,
            "key": e["key"],
            "answered_on": date.fromisoformat(e["response"]["d"]),
        }
        for e in entries
    ]
    statement = (
        dialect.insert(SurveyRespondent)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["survey_id", "key"])
        .returning(SurveyRespondent.key)
    )
    return set(db.session.scalars(statement))


def _response_row(info: SurveyInfo, entry: dict) -> dict:
    response = entry["response"]
    row = {
        "survey_id": info.id,
        "unit_id": response.get("u"),
        "submitted_on": date.fromisoformat(response["d"]),
        "age_band": response.get("ab"),
        "gender": response.get("g"),
        "occupation": response.get("o"),
        "flagged": entry["flagged"],
        **dict.fromkeys(PERSON_COLUMNS.values()),
    }
    person = None if info.anonymous else response.get("p")  # queued before a switch
    if person:
        kind, _, person_id = person.partition(":")
        if kind in PERSON_COLUMNS and person_id.isdigit():
            row[PERSON_COLUMNS[kind]] = int(person_id)
    return row


def write_batch(info: SurveyInfo, entries: list[dict]) -> int:
    """Write the responses of new respondents (flushes; the caller commits)."""
    if not entries:
        return 0
    new = _new_respondents(info.id, entries)
    accepted = [e for e in entries if e["key"] in new]
    random.SystemRandom().shuffle(accepted)
    if not accepted:
        return 0
    ids = db.session.scalars(
        insert(SurveyResponse).returning(SurveyResponse.id, sort_by_parameter_order=True),
        [_response_row(info, e) for e in accepted],
    ).all()
    answers = [
        {
            "response_id": response_id,
            "question_id": row.question_id,
            "option_id": row.option_id,
            "row_option_id": row.row_option_id,
            "number": row.number,
            "text": row.text,
            "date": row.date,
        }
        for response_id, entry in zip(ids, accepted, strict=True)
        for row in answer_rows(info, entry["response"]["a"])
    ]
    if answers:
        db.session.execute(insert(SurveyAnswer), answers)
    invited = [int(k.split(":")[1]) for k in new if k.startswith("invitation:")]
    if invited:
        db.session.execute(
            update(SurveyInvitation).where(SurveyInvitation.id.in_(invited)).values(used=True)
        )
    db.session.flush()
    return len(accepted)


def held_back(info: SurveyInfo | None, config, final: bool = False) -> int:
    """The fewest responses a batch may hold (0: write whatever is queued)."""
    if final or info is None or not info.anonymous or now_ms() >= info.closes_at_ms:
        return 0
    return min(BATCH, max(1, int(config["SURVEY_ANONYMOUS_BATCH"])))


def _waited(entry_id: bytes, config) -> bool:
    """Whether a stream entry (its id starts with its time in ms) has waited its longest."""
    queued_ms = int(entry_id.split(b"-")[0])
    return now_ms() - queued_ms >= int(config["SURVEY_ANONYMOUS_HOLD_SECONDS"]) * 1000


@in_app_context
def drain_survey(survey_id: int, final: bool = False) -> int:
    """Write the queued responses of a survey; returns how many were new.

    An open anonymous survey leaves fewer than SURVEY_ANONYMOUS_BATCH
    responses queued unless the oldest has waited SURVEY_ANONYMOUS_HOLD_SECONDS;
    `final` (or the survey's close) writes them all.
    """
    from flask import current_app

    client, config = get_redis(), current_app.config
    hold = int(config["SURVEY_DRAIN_LOCK_SECONDS"])
    with only_one(client, keys.survey_drain_lock(survey_id), hold) as lock:
        if lock is None:
            return 0  # another worker is at it; it reads to the end of the stream
        client.delete(keys.survey_drain(survey_id))
        info = survey_cache(current_app).get(survey_id)
        stream = keys.survey_responses(survey_id)
        least = held_back(info, config, final)
        written = 0
        while info is not None:
            raw = client.xrange(stream, "-", "+", count=BATCH)
            if not raw or (len(raw) < least and not _waited(raw[0][0], config)):
                break
            written += write_batch(info, _entries(raw))
            db.session.commit()
            client.xdel(stream, *[entry_id for entry_id, _ in raw])
            if not renew(lock, hold):
                break  # held too long: another worker may have it now, and goes on from here
        return written


@in_app_context
def drain_surveys() -> int:
    """The safety net (scheduler): drain every survey open lately that has responses queued."""
    since = utcnow() - timedelta(days=3)
    client = get_redis()
    written = 0
    for survey_id in db.session.scalars(select(Survey.id).where(Survey.closes_at > since)):
        if client.xlen(keys.survey_responses(survey_id)):
            written += drain_survey(survey_id)
    return written
