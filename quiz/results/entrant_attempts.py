"""An entrant's own attempts in a contest: each with its score, receipt and link, and their rank.

Attempts are read from the database (workers copy a new attempt there within
seconds of its start); the receipt code is derived from the score, as the
submit derived it, or read from Redis while the attempt awaits scoring.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from quiz.catalog.options import paper_options
from quiz.catalog.rounds import ContestInfo, RoundInfo, get_round
from quiz.contest.attempts import engine
from quiz.contest.display import score_visible
from quiz.contest.tokens import AttemptToken
from quiz.extensions import db
from quiz.models import Attempt, Score
from quiz.results.certificates import Certificate, entrant_certificates
from quiz.scoring.buffer import receipt_code
from quiz.scoring.leaderboard import Entry, leaderboard
from quiz.scoring.persistence import load_attempt


@dataclass
class MyAttempt:
    seq: int
    started_at_ms: int
    token: str
    submitted: bool
    receipt: str | None = None
    correct: int | None = None  # None: not scored yet, or the round hides scores
    total: int | None = None
    time_used_ms: int | None = None


@dataclass
class MyRound:
    info: RoundInfo
    show_score: bool
    attempts: list[MyAttempt] = field(default_factory=list)
    rank: Entry | None = None
    ranked_count: int = 0
    certificates: list[Certificate] = field(default_factory=list)


def _attempt(row, round_id: int, score: Score | None, entrant_id: int, show: bool) -> MyAttempt:
    """`row`: an Attempt, or an AttemptRow read from Redis before a worker copied it."""
    eng = engine()
    token = AttemptToken(
        row.id, round_id, entrant_id, row.deadline_ms, len(row.paper), paper_options(row.paper)
    )
    mine = MyAttempt(row.seq, row.started_at_ms, eng.signer.sign(token), score is not None)
    if score is not None:
        mine.receipt = receipt_code(eng.buffer.secret, row.id, score.submitted_at_ms)
        if show:
            mine.correct, mine.total, mine.time_used_ms = (
                score.correct,
                score.total,
                score.time_used_ms,
            )
    else:
        receipt = eng.buffer.receipt(row.id)
        mine.submitted, mine.receipt = receipt is not None, receipt.code if receipt else None
    return mine


def _not_copied_yet(contest: ContestInfo, entrant_id: int, rows) -> list[tuple]:
    """The latest attempt of each round while it is only in Redis (seconds after its start)."""
    known = {attempt.id for attempt, _score in rows}
    admission, out = engine().admission, []
    for round_id in contest.round_ids:
        running = admission.running(round_id, entrant_id)
        if running is None or running.attempt_id in known:
            continue
        row = load_attempt(running.attempt_id, entrant_id)
        if row is not None:
            out.append((round_id, row, None))
    return out


def my_rounds(contest: ContestInfo, entrant_id: int) -> list[MyRound]:
    """The rounds the entrant took part in, newest attempts last, with rank and certificates."""
    rows = db.session.execute(
        select(Attempt, Score)
        .outerjoin(Score, Score.attempt_id == Attempt.id)
        .where(Attempt.entrant_id == entrant_id, Attempt.round_id.in_(contest.round_ids))
        .order_by(Attempt.round_id, Attempt.seq)
    ).all()
    found = [(a.round_id, a, s) for a, s in rows] + _not_copied_yet(contest, entrant_id, rows)
    rounds: dict[int, MyRound] = {}
    for round_id, attempt, score in found:
        mine = rounds.get(round_id)
        if mine is None:
            info = get_round(round_id)
            mine = rounds[round_id] = MyRound(info, score_visible(info))
        mine.attempts.append(_attempt(attempt, round_id, score, entrant_id, mine.show_score))
    board = leaderboard()
    certificates = entrant_certificates(list(rounds), entrant_id)
    for round_id, mine in rounds.items():
        if mine.show_score:
            mine.rank = board.rank_of(contest.id, round_id, entrant_id)
            mine.ranked_count = board.size(contest.id, round_id)
        mine.certificates = certificates.get(round_id, [])
    return sorted(rounds.values(), key=lambda r: r.info.number)
