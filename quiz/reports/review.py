"""Before winners are published: attempts that look automated, and disqualification.

Tools that answer these contests automatically exist: a browser extension
answers from a shared answer bank, paces itself 0.8-3.5 s per question and
fills the prediction with a random number between 1,500 and 3,500. The
signs looked for here are the traces such tools leave:

- answers faster than a person can read the question;
- the same pattern of answer times across different entrants;
- many entrants from one device (browser cookie);
- predictions that change at random from one attempt to the next.

Nothing here decides: organizers read the list and disqualify with a reason,
which is logged, and winners are computed again without the entrant.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from quiz.extensions import db
from quiz.formatting import duration, number
from quiz.models import Attempt, Disqualification, Entrant, Score, Winner
from quiz.reports.winners import revoke_winner

# A question read and answered in under this time (ms) was not read.
MIN_READING_MS = 2500
# This many entrants on one device is more than a family or an office shares.
MANY_PER_DEVICE = 5
# Predictions of one entrant spread wider than this across attempts look random.
RANDOM_PREDICTION_SPREAD = 500
MIN_ATTEMPTS_FOR_SPREAD = 3


@dataclass
class Suspect:
    entrant_id: int
    full_name: str = ""
    phone: str = ""
    attempts: int = 0
    best_correct: int = 0
    reasons: dict[str, str] = field(default_factory=dict)  # code → detail (translated)


def _scores(round_id: int):
    return db.session.execute(
        select(
            Score.entrant_id,
            Score.attempt_id,
            Score.correct,
            Score.total,
            Score.time_used_ms,
            Score.prediction,
            Score.timings,
            Attempt.device,
        )
        .join(Attempt, Attempt.id == Score.attempt_id)
        .where(Score.round_id == round_id)
        .execution_options(yield_per=5000)
    )


def _gaps(timings: list | None) -> tuple | None:
    """The rhythm of an attempt: gaps between answers, rounded to 100 ms."""
    if not timings:
        return None
    times = sorted(t for t in timings if t is not None)
    if len(times) < 4:
        return None
    return tuple(round((b - a) / 100) for a, b in zip(times, times[1:], strict=False))


def find_suspects(round_id: int) -> list[Suspect]:
    suspects: dict[int, Suspect] = {}
    rhythms: dict[tuple, set[int]] = defaultdict(set)
    devices: dict[str, set[int]] = defaultdict(set)
    predictions: dict[int, list[int]] = defaultdict(list)
    stats: dict[int, list[int]] = defaultdict(lambda: [0, 0])

    def flag(entrant_id: int, code: str, detail: str) -> None:
        suspects.setdefault(entrant_id, Suspect(entrant_id)).reasons.setdefault(code, detail)

    for entrant, _attempt, correct, total, used, prediction, timings, device in _scores(round_id):
        stats[entrant][0] += 1
        stats[entrant][1] = max(stats[entrant][1], correct)
        if total and used < total * MIN_READING_MS and correct >= total * 0.8:
            flag(
                entrant,
                "too_fast",
                _l(
                    "%(right)s/%(total)s correct in %(time)s",
                    right=number(correct),
                    total=number(total),
                    time=duration(used),
                ),
            )
        rhythm = _gaps(timings)
        if rhythm:
            rhythms[rhythm].add(entrant)
        if device:
            devices[device].add(entrant)
        if prediction is not None:
            predictions[entrant].append(prediction)
    for entrants in rhythms.values():
        if len(entrants) > 1:
            for entrant in entrants:
                flag(
                    entrant,
                    "same_rhythm",
                    _l("%(n)s entrants with this rhythm", n=number(len(entrants))),
                )
    for device, entrants in devices.items():
        if len(entrants) >= MANY_PER_DEVICE:
            for entrant in entrants:
                flag(
                    entrant,
                    "shared_device",
                    _l(
                        "%(n)s entrants on device %(device)s…",
                        n=number(len(entrants)),
                        device=device[:6],
                    ),
                )
    for entrant, values in predictions.items():
        spread = max(values) - min(values)
        if len(set(values)) >= MIN_ATTEMPTS_FOR_SPREAD and spread > RANDOM_PREDICTION_SPREAD:
            flag(entrant, "random_prediction", f"{number(min(values))}–{number(max(values))}")
    return _describe(suspects, stats)


def _describe(suspects: dict[int, Suspect], stats) -> list[Suspect]:
    people = {
        e.id: e for e in db.session.scalars(select(Entrant).where(Entrant.id.in_(list(suspects))))
    }
    for suspect in suspects.values():
        person = people.get(suspect.entrant_id)
        if person is not None:
            suspect.full_name, suspect.phone = person.full_name, person.phone
        suspect.attempts, suspect.best_correct = stats[suspect.entrant_id]
    return sorted(suspects.values(), key=lambda s: (-len(s.reasons), -s.best_correct))


def disqualify(round_id: int, entrant_id: int, reason: str, staff_id: int | None) -> bool:
    """Exclude the entrant from the round; a published prize is revoked. The caller commits."""
    existing = db.session.scalar(
        select(Disqualification).where(
            Disqualification.round_id == round_id, Disqualification.entrant_id == entrant_id
        )
    )
    if existing is not None:
        return False
    db.session.add(
        Disqualification(round_id=round_id, entrant_id=entrant_id, reason=reason, staff_id=staff_id)
    )
    winner = db.session.scalar(
        select(Winner).where(
            Winner.round_id == round_id,
            Winner.entrant_id == entrant_id,
            Winner.revoked_at.is_(None),
        )
    )
    if winner is not None:
        revoke_winner(winner, f"disqualified: {reason}")
    db.session.flush()
    return True


def reinstate(round_id: int, entrant_id: int) -> bool:
    removed = db.session.execute(
        delete(Disqualification).where(
            Disqualification.round_id == round_id, Disqualification.entrant_id == entrant_id
        )
    ).rowcount
    return bool(removed)


def disqualified(round_id: int) -> list[tuple[Disqualification, Entrant]]:
    return list(
        db.session.execute(
            select(Disqualification, Entrant)
            .join(Entrant, Entrant.id == Disqualification.entrant_id)
            .where(Disqualification.round_id == round_id)
            .order_by(Disqualification.at.desc())
        ).all()
    )
