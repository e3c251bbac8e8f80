"""Setting contests and rounds up: the rules organizers may and may not change.

A running round's paper (its bank, number of questions, topic quotas) and
time limit cannot change: attempts already handed out would no longer be
comparable with the ones that follow. Everything else may change, and the
changes to a running contest are logged by the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from quiz.catalog.questions import question_cache
from quiz.catalog.rounds import clear_caches
from quiz.contest.papers import NotEnoughQuestions, check_drawable
from quiz.extensions import db
from quiz.models import QuestionBank, Round, Visibility
from quiz.scoring.ranking import validate_order
from quiz.timeutil import utcnow

LOCKED_WHILE_RUNNING = ("bank_id", "questions_per_attempt", "topic_quotas", "time_limit_seconds")


class SetupError(ValueError):
    def __init__(self, field: str | None, message) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class RoundSettings:
    number: int
    title: str
    starts_at: datetime
    ends_at: datetime
    bank_id: int
    questions_per_attempt: int
    time_limit_seconds: int | None
    topic_quotas: dict[str, int]
    max_attempts: int | None
    counting_rule: str
    show_score: str
    show_answers: str
    min_age: int | None
    prediction_reference: str | None
    prediction_prompt: str
    prizes: dict[str, int]
    prize_min_correct: dict[str, int]
    certificate_min_correct: int | None


def is_running(round_: Round, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return round_.closed_at is None and round_.starts_at <= now < round_.ends_at


KEY_LEAK_WARNING = _l(
    "Correct answers are shown right after each attempt and entrants may try more than once: "
    "they can learn the answers and take the round again."
)


def answers_can_be_learned(max_attempts: int | None, show_answers: str | None) -> bool:
    """Allowed, but organizers are warned: the key shown at once helps the next attempt."""
    return show_answers == Visibility.IMMEDIATELY and max_attempts != 1


def check_settings(settings: RoundSettings) -> None:
    """Raise SetupError for settings no paper or schedule could satisfy."""
    if settings.ends_at <= settings.starts_at:
        raise SetupError("ends_at", _l("The round must end after it starts."))
    _check_minimums(settings)
    bank = db.session.get(QuestionBank, settings.bank_id)
    if bank is None:
        raise SetupError("bank_id", _l("Choose a question bank."))
    pool = question_cache().pool(bank.id, bank.revision)
    try:
        check_drawable(pool, settings.questions_per_attempt, tuple(settings.topic_quotas.items()))
    except NotEnoughQuestions as exc:
        raise SetupError(
            "questions_per_attempt",
            _l("This bank cannot fill the paper: %(why)s.", why=str(exc)),
        ) from exc


def _check_minimums(settings: RoundSettings) -> None:
    """A minimum above the paper's length could never be met: say so rather than give no prize."""
    top = settings.questions_per_attempt
    for prize, least in settings.prize_min_correct.items():
        if least > top:
            raise SetupError(
                f"prize_min_{prize}", _l("At most %(n)s: the number of questions.", n=top)
            )
    if (settings.certificate_min_correct or 0) > top:
        raise SetupError(
            "certificate_min_correct", _l("At most %(n)s: the number of questions.", n=top)
        )


def apply_round_settings(
    round_: Round, settings: RoundSettings, now: datetime | None = None
) -> list[str]:
    """Write the settings; return the fields that changed. Refuses locked changes."""
    check_settings(settings)
    changed = [
        name for name, value in settings.__dict__.items() if getattr(round_, name, None) != value
    ]
    if round_.id is not None and is_running(round_, now):
        locked = [name for name in changed if name in LOCKED_WHILE_RUNNING]
        if locked:
            raise SetupError(
                locked[0],
                _l(
                    "This round is running: its questions and time limit cannot change, or the "
                    "papers already handed out would not compare with the next ones. Pause it "
                    "and open a new round, or wait until it ends."
                ),
            )
    for name, value in settings.__dict__.items():
        setattr(round_, name, value)
    db.session.flush()
    clear_caches()
    return changed


def check_ranking_order(order: list[str]) -> list[str]:
    try:
        return list(validate_order([k for k in order if k]))
    except ValueError as exc:
        raise SetupError("ranking_order", _l("Choose each ranking key at most once.")) from exc


def close_round_now(round_: Round, now: datetime | None = None) -> None:
    """End the round at once; the close job then freezes its results."""
    now = now or utcnow()
    if round_.ends_at > now:
        round_.ends_at = now
    if round_.starts_at > now:
        round_.starts_at = now
    db.session.flush()
    clear_caches()
