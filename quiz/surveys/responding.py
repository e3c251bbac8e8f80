"""Saving a draft and submitting a response: the rules both paths call.

The Flask views and the WSGI fast path (`quiz.surveys.fastpath`) call these
same functions; they raise a `Refusal` with a message for everything the
respondent can cause, so no refusal becomes a 500 and the fast path can
hand any refusal to the view, which shows the message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from quiz.surveys.answers import (
    AnswerProblem,
    form_fields,
    parse_form,
    parse_pairs,
    settle,
)
from quiz.surveys.store import AlreadyAnswered, Submitted, SurveyStore, TooManySaves, pack_response
from quiz.surveys.structure import SurveyInfo
from quiz.surveys.tokens import RespondentToken
from quiz.timeutil import LOCAL_TZ, from_ms

MAX_FIELDS_PER_SAVE = 400


class Refusal(Exception):
    """The save or submit cannot be done; `message` says why, `problems` per question."""

    def __init__(self, code: str, message, status: int = 409, problems=None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status
        self.problems = problems or {}


def check_open(info: SurveyInfo, token: RespondentToken, now_ms: int) -> None:
    if token.survey_id != info.id:
        raise Refusal("token", _l("This link is not for this survey."), 404)
    if now_ms < info.opens_at_ms:
        raise Refusal("not_open", _l("This survey is not open yet."), 403)
    if now_ms >= info.closes_at_ms:
        raise Refusal("closed", _l("This survey has closed; answers are no longer accepted."), 403)


def save_draft(
    store: SurveyStore,
    info: SurveyInfo,
    token: RespondentToken,
    form: Mapping[str, list[str]],
    now_ms: int,
) -> int:
    """Keep the fields of a save (one question with JavaScript, the whole form without)."""
    check_open(info, token, now_ms)
    fields = form_fields(form)
    if not fields or len(fields) > MAX_FIELDS_PER_SAVE:
        raise Refusal("empty", _l("Nothing to save."), 400)
    try:
        pairs = parse_pairs(info, fields)
    except AnswerProblem as exc:
        raise Refusal("answer", exc.message, 422, {exc.question_id: exc.message}) from None
    try:
        return store.save(token, pairs)
    except AlreadyAnswered:
        raise _answered() from None
    except TooManySaves:
        raise Refusal("saves", _l("Too many saves for one response."), 429) from None


def _answered() -> Refusal:
    return Refusal("answered", _l("You have already answered this survey. Thank you!"), 409)


def local_day(now_ms: int) -> str:
    """The submission's date in Viet Nam: the only time a response keeps."""
    return from_ms(now_ms).astimezone(LOCAL_TZ).date().isoformat()


def source_of(address: str | None, salt: str) -> str:
    """A short hash of the client's address, for the burst counter only (never stored)."""
    return hashlib.sha256(f"{salt}|{address or ''}".encode()).hexdigest()[:16]


def submit_response(
    store: SurveyStore,
    info: SurveyInfo,
    token: RespondentToken,
    form: Mapping[str, list[str]],
    now_ms: int,
    address: str | None,
) -> Submitted:
    """Check the whole form (conditions, required questions) and queue it, once per person."""
    check_open(info, token, now_ms)
    answers, problems, grouped = parse_form(info, form)
    kept, unanswered = settle(info, answers, grouped)
    problems = {**unanswered, **problems}
    if problems:
        raise Refusal(
            "incomplete", _l("Some answers need your attention (marked below)."), 422, problems
        )
    packed = pack_response(token, kept, local_day(now_ms), info.anonymous)
    try:
        return store.submit(token, packed, source_of(address, info.salt))
    except AlreadyAnswered:
        raise _answered() from None
