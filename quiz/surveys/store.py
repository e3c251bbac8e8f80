"""Drafts and submitted responses held in Redis, each change one Lua call.

Saving a draft and submitting a response never touch the database: a
submit counts the respondent (one response per person, atomically, so two
devices submitting at once cannot both pass), queues the response on the
survey's stream and drops the draft, in one script. A worker writes queued
responses to the database (`quiz.surveys.drain`), where the unique key of
"who answered" refuses a second response even if Redis forgot the count.

Redis can forget the counts (it came back empty, or older than it was), and
a forgotten count would let someone answer twice: the response would be
refused at the drain after its respondent was thanked for it. So the
scripts trust the counts only once they are marked as counted from the
database (`quiz.surveys.counting`): a survey new to this Redis is counted at
its first page, and the check of Redis after a restart
(`quiz.scoring.generation`) removes the marks when it finds a loss.

The scripts are `lua/save.lua`, `lua/submit.lua` and `lua/count.lua`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import redis
from flask import Flask
from rq import Queue

from quiz.caches import per_app
from quiz.extensions import QUEUE_KEY, SCORING_QUEUE, RedisClient, get_queue_redis
from quiz.lua import load_script
from quiz.scoring import keys
from quiz.scoring.codes import SurveySaveCode, SurveySubmitCode
from quiz.surveys.tokens import RespondentSigner, RespondentToken

log = logging.getLogger(__name__)

# A draft is kept this long after its last save.
DRAFT_SECONDS = 14 * 24 * 3600
MAX_SAVES = 3000
# Open links: more than BURST_SIZE responses from one address within
# BURST_SECONDS are flagged for review (never refused: carriers put many
# people behind one address).
BURST_SECONDS = 600
BURST_SIZE = 20
# Respondents counted from the database per script call.
COUNT_CHUNK = 2000
# Fields of a survey's counts that are no respondent: counted from the database;
# when Redis was last found to have forgotten who answered (ms).
MARKS = ("_", "!")


class AlreadyAnswered(Exception):
    """This respondent has submitted every response allowed."""


class TooManySaves(Exception):
    """More saves than any honest respondent makes: refused."""


class NotCounted(Exception):
    """Who answered this survey is not counted from the database in Redis (yet): count it
    (`quiz.surveys.counting`), then try again."""


@dataclass(frozen=True, slots=True)
class Count:
    responses: int  # submitted by this respondent
    forgotten_at_ms: int  # when counting found that Redis had forgotten who answered (0: never)


@dataclass(frozen=True, slots=True)
class Submitted:
    number: int  # this respondent's n-th response
    flagged: bool
    needs_drain: bool


def pack_response(
    token: RespondentToken, answers: Mapping[str, str], day: str, anonymous: bool
) -> str:
    """The response as queued: its answers and the facts kept with it (no time, no address;
    no person for an anonymous survey, whatever the token says: one signed before the survey
    was made anonymous still names its person)."""
    return json.dumps(
        {
            "a": dict(answers),
            "d": day,
            "u": token.unit_id,
            "ab": token.age_band,
            "g": token.gender,
            "o": token.occupation,
            "p": None if anonymous else token.person,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


class SurveyStore:
    def __init__(
        self, client: redis.Redis, signer: RespondentSigner, queue: redis.Redis | None = None
    ) -> None:
        self.client = client
        self.queue = queue or client  # RQ's Redis (not a cluster)
        self.signer = signer
        self._save = load_script(client, __file__, "save")
        self._submit = load_script(client, __file__, "submit")
        self._count = load_script(client, __file__, "count")

    def save(self, token: RespondentToken, pairs: Iterable[tuple[str, str]]) -> int:
        args: list[str | int] = [token.key, token.limit, DRAFT_SECONDS, MAX_SAVES]
        for field, value in pairs:
            args.extend((field, value))
        n = self._save(
            keys=[
                keys.survey_counts(token.survey_id),
                keys.survey_draft(token.survey_id, token.key),
            ],
            args=args,
        )
        if n == SurveySaveCode.ANSWERED:
            raise AlreadyAnswered(token.key)
        if n == SurveySaveCode.TOO_MANY_SAVES:
            raise TooManySaves(token.key)
        if n == SurveySaveCode.NOT_COUNTED:
            raise NotCounted(token.survey_id)
        return n

    def submit(self, token: RespondentToken, packed: str, source: str) -> Submitted:
        reply = self._submit(
            keys=[
                keys.survey_counts(token.survey_id),
                keys.survey_draft(token.survey_id, token.key),
                keys.survey_responses(token.survey_id),
                keys.survey_drain(token.survey_id),
                keys.survey_burst(token.survey_id, source),
            ],
            args=[token.key, token.limit, packed, BURST_SECONDS, BURST_SIZE],
        )
        if reply[0] == SurveySubmitCode.ANSWERED:
            raise AlreadyAnswered(token.key)
        if reply[0] == SurveySubmitCode.NOT_COUNTED:
            raise NotCounted(token.survey_id)
        return Submitted(int(reply[1]), bool(reply[3]), bool(reply[2]))

    def draft(self, survey_id: int, key: str) -> dict[str, str]:
        raw = self.client.hgetall(keys.survey_draft(survey_id, key))
        return {k.decode(): v.decode() for k, v in raw.items() if k != b"#"}

    def anyone_submitted(self, survey_id: int) -> bool:
        """Whether a response was accepted here, written to the database yet or not (an
        anonymous survey's wait in the stream for their group, up to hours)."""
        counts = keys.survey_counts(survey_id)
        pipe = self.client.pipeline(transaction=False)
        pipe.hlen(counts)
        pipe.hmget(counts, list(MARKS))
        pipe.exists(keys.survey_responses(survey_id))
        fields, marks, queued = pipe.execute()
        return fields > sum(m is not None for m in marks) or bool(queued)

    def count_of(self, survey_id: int, key: str) -> Count:
        """The respondent's responses so far; NotCounted if Redis cannot tell."""
        n, counted, forgotten = self.client.hmget(keys.survey_counts(survey_id), [key, *MARKS])
        if counted is None:
            raise NotCounted(survey_id)
        return Count(int(n or 0), int(forgotten or 0))

    def is_counted(self, survey_id: int) -> bool:
        return bool(self.client.hexists(keys.survey_counts(survey_id), MARKS[0]))

    def load_counts(self, survey_id: int, counts: Mapping[str, int], now_ms: int) -> int:
        """Raise the counts to the database's (`counts`), then mark them counted; how many
        respondents Redis had forgotten. In chunks: Redis serves others in between."""
        items = list(counts.items())
        forgotten = 0
        for start in range(0, max(len(items), 1), COUNT_CHUNK):
            last = start + COUNT_CHUNK >= len(items)
            pairs = [value for pair in items[start : start + COUNT_CHUNK] for value in pair]
            args = [int(last), now_ms, *pairs]
            forgotten += int(self._count(keys=[keys.survey_counts(survey_id)], args=args))
        return forgotten


def store_for(app: Flask | None = None) -> SurveyStore:
    """The app's store, built once (scripts registered once per client)."""
    return per_app(SurveyStore, _build_store, app)


def _build_store(app: Flask) -> SurveyStore:
    client, queue = app.extensions[RedisClient.key], app.extensions[QUEUE_KEY]
    return SurveyStore(client, RespondentSigner(app.config["SECRET_KEY"]), queue)


def request_drain(survey_id: int, queue: redis.Redis | None = None) -> None:
    """Enqueue a drain of the survey's responses; failures are harmless (the cron catches up).

    `queue`: RQ's Redis, when the caller has it at hand (no app context needed).
    """
    try:
        Queue(SCORING_QUEUE, connection=queue or get_queue_redis()).enqueue(
            "quiz.surveys.drain.drain_survey", survey_id, job_timeout=600, result_ttl=60
        )
    except Exception:  # noqa: BLE001 - the submit stands whatever happens here
        log.exception("could not enqueue a survey drain")
