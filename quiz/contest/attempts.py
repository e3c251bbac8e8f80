"""Answering and submitting attempts, and the per-app engine of the hot path.

Starting is in `starting.py`. The view parses the request and calls these functions; they raise a
`Refusal` with a reason code and a message for everything the entrant can
cause, so no refusal becomes a 500.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import redis
from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from quiz.caches import per_app
from quiz.contest.tokens import AttemptToken, BadToken, TokenSigner
from quiz.models.banks import MAX_CHOICES
from quiz.scoring.admission import Admission
from quiz.scoring.buffer import (
    AttemptClosed,
    AttemptUnknown,
    Receipt,
    SubmissionBuffer,
    TooManySaves,
)
from quiz.scoring.generation import check_redis, report_lost
from quiz.scoring.grading import PREDICTION_FIELD, is_late, parse_choices
from quiz.scoring.persistence import AttemptRow, load_attempt
from quiz.scoring.state import attempt_state_for, request_drain

# The displayed positions a question with n options accepts: "0" … str(n - 1).
_ALLOWED = [frozenset(str(i) for i in range(n)) for n in range(MAX_CHOICES + 1)]


class Refusal(Exception):
    """Something the entrant asked for cannot be done; `message` says why."""

    def __init__(self, code: str, message, status: int = 409) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


class AttemptLost(Refusal):
    """Neither Redis nor the database has the attempt: Redis lost it before a worker copied it."""

    def __init__(self) -> None:
        super().__init__(
            "lost",
            _l(
                "This attempt was lost in a server fault and cannot be recovered. "
                "It does not count towards your attempts: please start again."
            ),
            410,
        )


class Busy(Exception):
    """Admission control: come back in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Engine:
    """Per-app helpers of the hot path, built once."""

    signer: TokenSigner
    buffer: SubmissionBuffer
    admission: Admission
    queue: redis.Redis  # RQ's Redis (quiz.scoring.state.AttemptState.queue)
    grace_ms: int
    max_saves: int

    def late(self, token: AttemptToken, now_ms: int) -> bool:
        """The late rule (`grading.is_late`) for this attempt and this app's grace."""
        return is_late(token.deadline_ms, now_ms, self.grace_ms)


def _build_engine(app: Flask) -> Engine:
    config = app.config
    state = attempt_state_for(app)
    return Engine(
        signer=TokenSigner(config["SECRET_KEY"]),
        buffer=state.buffer,
        admission=state.admission,
        queue=state.queue,
        grace_ms=config["NETWORK_GRACE_SECONDS"] * 1000,
        max_saves=config["MAX_SAVES_PER_ATTEMPT"],
    )


def engine_for(app: Flask) -> Engine:
    """The app's engine, built on first use (after tests have set their config)."""
    return per_app(Engine, _build_engine, app)


def engine() -> Engine:
    return engine_for(current_app._get_current_object())


def read_token(text: str, entrant_id: int | None) -> AttemptToken:
    """The verified token, refused when forged or when it is not this entrant's."""
    try:
        token = engine().signer.verify(text)
    except BadToken:
        raise Refusal("bad_token", _l("This attempt link is not valid."), 404) from None
    if entrant_id != token.entrant_id:
        raise Refusal(
            "foreign_token",
            _l("This attempt belongs to another entrant. Sign in with your own phone number."),
            403,
        )
    return token


def _check_time(token: AttemptToken, now_ms: int) -> None:
    if engine().late(token, now_ms):
        raise Refusal("late", _l("Time is up: only the answers saved before the deadline count."))


def option_count(token: AttemptToken, position: int, options: Sequence[int] | None = None) -> int:
    """How many options the question at `position` has: the token says (older
    tokens do not: then `options`, read from the paper, or at most MAX_CHOICES)."""
    counts = token.options or options
    return counts[position] if counts else MAX_CHOICES


def read_prediction(text: str) -> str | None:
    """A typed prediction as stored ("1.000", "1,000" and "1 000" are 1000), or None.

    The one parser for a save (JavaScript) and a whole-form submit (none):
    phones group digits with dots, commas or spaces.
    """
    digits = text.strip().replace(".", "").replace(",", "").replace(" ", "")
    if not digits.isdigit() or not digits.isascii() or len(digits) > 12:
        return None
    return str(int(digits))


def parse_answer(
    token: AttemptToken,
    question: str | None,
    choices: str | None,
    prediction: str | None,
    options: Sequence[int] | None = None,
) -> tuple[str, str]:
    """One save request as (field, value), or a Refusal saying what is malformed.

    The one rule for the fast path and the view: a question the paper does
    not have, or an option its question does not have, is refused.
    """
    if prediction is not None:
        value = read_prediction(prediction)
        if value is None:
            raise Refusal(
                "bad_prediction", _l("The prediction must be a whole number (digits only)."), 400
            )
        return PREDICTION_FIELD, value
    if not (question and question.isascii() and question.isdigit()) or int(question) >= token.size:
        raise Refusal("bad_question", _l("This question is not on your paper."), 400)
    value = (choices or "").strip()
    parts = value.split(",") if value else []
    allowed = _ALLOWED[option_count(token, int(question), options)]
    if any(part not in allowed for part in parts) or len(set(parts)) != len(parts):
        raise Refusal("bad_choice", _l("This answer is not one of the options."), 400)
    picked = parse_choices(value)
    return str(int(question)), ",".join(str(c) for c in picked)


def existing_attempt(token: AttemptToken) -> AttemptRow:
    """The token's attempt from Redis or the database; AttemptLost (and noted) if neither has it.

    Redis is checked first (at once if it was checked since it started): an
    attempt whose answers Redis lost must be found void, not taken up again.
    """
    check_redis(engine().admission)
    attempt = load_attempt(token.attempt_id, token.entrant_id)
    if attempt is None:
        report_lost(token.attempt_id, token.round_id, token.entrant_id)
        raise AttemptLost()
    return attempt


def save_answer(token: AttemptToken, field: str, value: str, now_ms: int) -> int:
    """Store the answer: one Redis call, unless Redis has no trace of the attempt
    (lost with Redis's data, or started before Redis kept one): then it is
    looked for, and stored only if it exists."""
    _check_time(token, now_ms)
    buffer, limit = engine().buffer, engine().max_saves
    try:
        try:
            return buffer.save_answer(token.attempt_id, field, value, limit, now_ms)
        except AttemptUnknown:
            if existing_attempt(token).scored:
                raise AttemptClosed(token.attempt_id) from None
            return buffer.save_answer(token.attempt_id, field, value, limit, now_ms, known=True)
    except AttemptClosed:
        raise Refusal("submitted", _l("This attempt has been submitted already.")) from None
    except TooManySaves:
        raise Refusal("too_many", _l("Too many changes to this attempt."), 429) from None


def submit_attempt(
    token: AttemptToken, answers: dict[str, str], now_ms: int
) -> tuple[Receipt | None, bool]:
    """Queue the attempt for scoring once; (receipt, late).

    Late (past deadline and grace): the answers in this request are ignored
    and the attempt is submitted as it stood at the deadline. An attempt
    Redis has no trace of is looked for first: a lost one gets AttemptLost,
    never a receipt; one already scored gets no new receipt (None).
    """
    late = engine().late(token, now_ms)
    try:
        receipt = _submit(token, answers, now_ms, late, known=False)
    except AttemptUnknown:
        if existing_attempt(token).scored:
            return None, False
        receipt = _submit(token, answers, now_ms, late, known=True)
    if receipt.needs_drain:
        request_drain()
    return receipt, late and receipt.fresh


def _submit(token: AttemptToken, answers, now_ms: int, late: bool, known: bool) -> Receipt:
    if late:
        return engine().buffer.submit(
            token.attempt_id, token.deadline_ms, None, auto=True, known=known
        )
    return engine().buffer.submit(token.attempt_id, now_ms, answers, known=known)


def form_answers(form: dict[str, list[str]], token: AttemptToken) -> dict[str, str]:
    """Answers carried by a whole-form submit (pages without JavaScript); options
    the question does not have are left out, as a save of them is refused."""
    answers: dict[str, str] = {}
    for position in range(token.size):
        values = form.get(f"q{position}")
        if values:
            limit = option_count(token, position)
            picked = [c for c in parse_choices(",".join(values)) if c < limit]
            answers[str(position)] = ",".join(str(c) for c in picked)
    prediction = read_prediction(form.get("p", [""])[0])
    if prediction is not None:
        answers[PREDICTION_FIELD] = prediction
    return answers
