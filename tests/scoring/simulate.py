"""Filling a round with scored attempts through the real engine functions."""

from __future__ import annotations

import random

from quiz.catalog.rounds import get_round
from quiz.contest.attempts import engine
from quiz.contest.starting import start_attempt
from quiz.extensions import db
from quiz.scoring.persistence import load_attempt
from quiz.timeutil import now_ms


def play(
    round_id: int,
    entrant_id: int,
    rng: random.Random,
    start_ms: int | None = None,
    right: int | None = None,
    duration_ms: int | None = None,
    prediction: int | None = None,
) -> int:
    """One attempt: start, answer (the first `right` questions correctly), submit."""
    info = get_round(round_id)
    started = start_attempt(info, entrant_id, 1990, start_ms or now_ms())
    attempt = load_attempt(started.attempt_id)  # in Redis until a worker copies it
    paper = attempt.paper
    right = rng.randint(0, len(paper)) if right is None else right
    answers = {}
    for position, (_qid, order) in enumerate(paper):
        shown_right = order.index("0")  # test banks: the first original option is right
        answers[str(position)] = str(shown_right if position < right else (shown_right + 1) % 4)
    if prediction is not None:
        answers["p"] = str(prediction)
    start = attempt.started_at_ms
    duration = rng.choice([30_000, 45_000]) if duration_ms is None else duration_ms
    engine().buffer.submit(started.attempt_id, start + duration, answers)
    db.session.commit()
    return started.attempt_id
