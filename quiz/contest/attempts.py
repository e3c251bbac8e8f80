"""Starting, resuming, answering and submitting attempts.

The view parses the request and calls these functions; they raise a
`Refusal` with a reason code and a message for everything the entrant can
cause, so no refusal becomes a 500.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from quiz.contest.admission import Admission
from quiz.contest.papers import NotEnoughQuestions, draw_paper
from quiz.contest.questions import question_cache
from quiz.contest.registration import current_year
from quiz.contest.rounds import RoundInfo
from quiz.contest.tokens import AttemptToken, TokenSigner
from quiz.extensions import db, get_queue, get_redis
from quiz.models.attempts import STARTED, Attempt
from quiz.models.banks import MAX_CHOICES
from quiz.scoring import keys
from quiz.scoring.buffer import AttemptClosed, Receipt, SubmissionBuffer, TooManySaves
from quiz.scoring.grading import PREDICTION_FIELD, parse_choices

_CHOICE_DIGITS = {str(i) for i in range(MAX_CHOICES)}


class Refusal(Exception):
    """Something the entrant asked for cannot be done; `message` says why."""

    def __init__(self, code: str, message, status: int = 409) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


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
    grace_ms: int
    max_saves: int


def engine() -> Engine:
    found = current_app.extensions.get("quiz.engine")
    if found is None:
        config = current_app.config
        client = get_redis()
        found = Engine(
            signer=TokenSigner(config["SECRET_KEY"]),
            buffer=SubmissionBuffer(client, config["SECRET_KEY"].encode()),
            admission=Admission(client, config["START_RATE_PER_SECOND"], config["START_BURST"]),
            grace_ms=config["NETWORK_GRACE_SECONDS"] * 1000,
            max_saves=config["MAX_SAVES_PER_ATTEMPT"],
        )
        current_app.extensions["quiz.engine"] = found
    return found


def token_for(attempt_id: int, round_id: int, entrant_id: int, deadline_ms: int, size: int) -> str:
    return engine().signer.sign(AttemptToken(attempt_id, round_id, entrant_id, deadline_ms, size))


@dataclass(frozen=True, slots=True)
class Started:
    attempt_id: int
    token: str
    resumed: bool


def _last_attempt(round_id: int, entrant_id: int):
    return db.session.execute(
        select(Attempt.id, Attempt.seq, Attempt.deadline_ms, Attempt.status, Attempt.paper)
        .where(Attempt.round_id == round_id, Attempt.entrant_id == entrant_id)
        .order_by(Attempt.seq.desc())
        .limit(1)
    ).first()


def _resumable(last, now_ms: int) -> bool:
    return (
        last is not None
        and last.status == STARTED
        and now_ms < last.deadline_ms
        and engine().buffer.receipt(last.id) is None
    )


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


def start_attempt(info: RoundInfo, entrant_id: int, birth_year: int, now_ms: int) -> Started:
    """Resume the entrant's running attempt, or draw and store a new paper."""
    check_can_start(info, birth_year, now_ms)
    last = _last_attempt(info.id, entrant_id)
    if _resumable(last, now_ms):
        return _resume(info, entrant_id, last)
    seq = (last.seq if last else 0) + 1
    if info.max_attempts is not None and seq > info.max_attempts:
        raise Refusal(
            "limit",
            _l("You have used all %(n)s attempts allowed in this round.", n=info.max_attempts),
        )
    wait_ms = engine().admission.wait_ms(now_ms)
    if wait_ms:
        raise Busy(max(1, math.ceil(wait_ms / 1000)))
    cache = question_cache()
    pool = cache.pool(info.bank_id, info.bank_revision)
    try:
        paper = draw_paper(
            pool, cache.get_many(pool.ids), info.questions_per_attempt, info.topic_quotas
        )
    except NotEnoughQuestions as exc:
        current_app.logger.error("round %s cannot draw a paper: %s", info.id, exc)
        raise Refusal(
            "no_questions", _l("This round is not ready yet; the organizers have been told."), 503
        ) from exc
    deadline = info.deadline_for(now_ms)
    try:
        attempt_id = db.session.execute(
            insert(Attempt)
            .values(
                round_id=info.id,
                entrant_id=entrant_id,
                seq=seq,
                paper=paper,
                started_at_ms=now_ms,
                deadline_ms=deadline,
                status=STARTED,
            )
            .returning(Attempt.id)
        ).scalar_one()
        db.session.commit()
    except IntegrityError:
        # A double click started the same attempt a moment ago: use that one.
        db.session.rollback()
        last = _last_attempt(info.id, entrant_id)
        if _resumable(last, now_ms):
            return _resume(info, entrant_id, last)
        raise Refusal("conflict", _l("Your attempt is already starting; please reload.")) from None
    _count_start(info, entrant_id, seq)
    token = token_for(attempt_id, info.id, entrant_id, deadline, len(paper))
    return Started(attempt_id, token, resumed=False)


def _resume(info: RoundInfo, entrant_id: int, last) -> Started:
    token = token_for(last.id, info.id, entrant_id, last.deadline_ms, len(last.paper))
    return Started(last.id, token, resumed=True)


def _count_start(info: RoundInfo, entrant_id: int, seq: int) -> None:
    """Live counters for the contest page (rebuilt from the database if lost)."""
    pipe = get_redis().pipeline(transaction=False)
    pipe.incr(keys.round_attempts(info.id))
    pipe.incr(keys.contest_attempts(info.contest_id))
    if seq == 1:
        pipe.incr(keys.round_entrants(info.id))
        pipe.sadd(keys.contest_entrants(info.contest_id), entrant_id)
    pipe.execute()


def running_attempt(info: RoundInfo, entrant_id: int, now_ms: int) -> str | None:
    """Token of the entrant's attempt still running in this round, if any."""
    last = _last_attempt(info.id, entrant_id)
    if _resumable(last, now_ms):
        return _resume(info, entrant_id, last).token
    return None


def read_token(text: str, entrant_id: int | None) -> AttemptToken:
    """The verified token, refused when forged or when it is not this entrant's."""
    from quiz.contest.tokens import BadToken

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
    if now_ms > token.deadline_ms + engine().grace_ms:
        raise Refusal("late", _l("Time is up: only the answers saved before the deadline count."))


def parse_answer(
    token: AttemptToken, question: str | None, choices: str | None, prediction: str | None
) -> tuple[str, str]:
    """One save request as (field, value), or a Refusal saying what is malformed."""
    if prediction is not None:
        text = prediction.strip().replace(".", "").replace(",", "").replace(" ", "")
        if not text.isdigit() or not text.isascii() or len(text) > 12:
            raise Refusal(
                "bad_prediction", _l("The prediction must be a whole number (digits only)."), 400
            )
        return PREDICTION_FIELD, str(int(text))
    if question is None or not question.isdigit() or int(question) >= token.size:
        raise Refusal("bad_question", _l("This question is not on your paper."), 400)
    value = (choices or "").strip()
    parts = value.split(",") if value else []
    if any(part not in _CHOICE_DIGITS for part in parts) or len(set(parts)) != len(parts):
        raise Refusal("bad_choice", _l("This answer is not one of the options."), 400)
    picked = parse_choices(value)
    return str(int(question)), ",".join(str(c) for c in picked)


def save_answer(token: AttemptToken, field: str, value: str, now_ms: int) -> int:
    _check_time(token, now_ms)
    try:
        return engine().buffer.save_answer(token.attempt_id, field, value, engine().max_saves)
    except AttemptClosed:
        raise Refusal("submitted", _l("This attempt has been submitted already.")) from None
    except TooManySaves:
        raise Refusal("too_many", _l("Too many changes to this attempt."), 429) from None


def submit_attempt(
    token: AttemptToken, answers: dict[str, str], now_ms: int
) -> tuple[Receipt, bool]:
    """Queue the attempt for scoring once; (receipt, late).

    Late (past deadline and grace): the answers in this request are ignored
    and the attempt is submitted as it stood at the deadline.
    """
    buffer = engine().buffer
    late = now_ms > token.deadline_ms + engine().grace_ms
    if late:
        receipt = buffer.submit(token.attempt_id, token.deadline_ms, None, auto=True)
    else:
        receipt = buffer.submit(token.attempt_id, now_ms, answers)
    if receipt.needs_drain:
        request_drain()
    return receipt, late and receipt.fresh


def request_drain() -> None:
    """Enqueue a scoring drain; failures are harmless (cron drains too)."""
    from quiz.extensions import SCORING_QUEUE
    from quiz.scoring.jobs import drain_submissions

    try:
        get_queue(SCORING_QUEUE).enqueue(drain_submissions, job_timeout=600, result_ttl=60)
    except Exception:  # noqa: BLE001 - the cron drain catches up; the submit stands
        current_app.logger.exception("could not enqueue a scoring drain")


def form_answers(form, size: int) -> dict[str, str]:
    """Answers carried by a whole-form submit (pages without JavaScript)."""
    answers: dict[str, str] = {}
    for position in range(size):
        values = form.getlist(f"q{position}")
        if values:
            picked = parse_choices(",".join(values))
            answers[str(position)] = ",".join(str(c) for c in picked)
    prediction = (form.get("p") or "").strip().replace(".", "").replace(" ", "")
    if prediction.isdigit() and prediction.isascii() and len(prediction) <= 12:
        answers[PREDICTION_FIELD] = str(int(prediction))
    return answers
