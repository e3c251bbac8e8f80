"""What the entrant's pages show, assembled from caches, Redis and the database.

Views call these functions and render; nothing here knows about requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from quiz.catalog.questions import QuestionView, question_cache
from quiz.catalog.rounds import ContestInfo, RoundInfo, get_round
from quiz.contest.attempts import engine
from quiz.contest.session import EntrantSession
from quiz.contest.starting import running_attempt
from quiz.contest.tokens import AttemptToken
from quiz.extensions import DATABASE_DOWN, db, get_redis
from quiz.models import Entrant, Unit
from quiz.models.attempts import Attempt, Score
from quiz.models.contests import Visibility
from quiz.scoring import keys
from quiz.scoring.leaderboard import Entry, leaderboard
from quiz.scoring.live_counts import contest_counts, round_counts
from quiz.scoring.ranking import decode_key


@dataclass
class RoundCard:
    info: RoundInfo
    state: str  # upcoming, open, ended
    attempts: int
    entrants: int
    used: int = 0
    running_token: str | None = None
    best: Entry | None = None


def contest_totals(contest: ContestInfo) -> tuple[int, int]:
    """(entrants, attempts) across the contest, from the live counters."""
    return contest_counts([contest.id])[0]


def round_cards(
    contest: ContestInfo, entrant: EntrantSession | None, now_ms: int
) -> list[RoundCard]:
    infos = [i for i in (get_round(rid) for rid in contest.round_ids) if i is not None]
    cards = []
    for info, (entrants, attempts) in zip(infos, round_counts([i.id for i in infos]), strict=True):
        if info.is_open(now_ms):
            state = "open"
        elif now_ms < info.starts_at_ms and not info.closed:
            state = "upcoming"
        else:
            state = "ended"
        card = RoundCard(info, state, attempts, entrants)
        if entrant is not None:
            card.used = attempts_used(info, entrant.id)
            if state == "open" and card.used:
                card.running_token = running_attempt(info, entrant.id, now_ms)
            if score_visible(info):
                card.best = leaderboard().rank_of(info.contest_id, info.id, entrant.id)
        cards.append(card)
    return cards


def attempts_used(info: RoundInfo, entrant_id: int) -> int:
    """From the start script's count; from the database if Redis has not seeded the round."""
    used = engine().admission.used(info.id, entrant_id)
    if used is not None or get_redis().exists(keys.round_seqs(info.id)):
        return used or 0
    return int(
        db.session.scalar(
            select(func.count()).where(
                Attempt.round_id == info.id, Attempt.entrant_id == entrant_id
            )
        )
        or 0
    )


def score_visible(info: RoundInfo) -> bool:
    return _visible(info.show_score, info)


def answers_visible(info: RoundInfo) -> bool:
    return _visible(info.show_answers, info)


def _visible(setting: str, info: RoundInfo) -> bool:
    if setting == Visibility.IMMEDIATELY:
        return True
    if setting == Visibility.AFTER_CLOSE:
        return info.closed
    return False


@dataclass
class PaperItem:
    position: int
    question: QuestionView
    order: list[int]  # original choice indices in display order
    chosen: set[int] = field(default_factory=set)  # displayed positions

    @property
    def options(self) -> list[tuple[int, str]]:
        return [(shown, self.question.choices[orig]) for shown, orig in enumerate(self.order)]


def paper_items(paper: list, saved: dict[str, str]) -> list[PaperItem]:
    questions = question_cache().get_many(q[0] for q in paper)
    items = []
    for position, (qid, order) in enumerate(paper):
        raw = saved.get(str(position), "")
        chosen = {int(c) for c in raw.split(",") if c.isdigit()}
        items.append(PaperItem(position, questions[qid], [int(c) for c in order], chosen))
    return items


@dataclass
class ResultView:
    received: bool
    submitted_at_ms: int | None = None
    code: str | None = None
    auto: bool = False
    scored: bool = False
    correct: int | None = None
    total: int | None = None
    time_used_ms: int | None = None
    rank: Entry | None = None
    ranked_count: int = 0
    show_score: bool = False
    review: list[dict] | None = None
    time_up: bool = False


def result_view(token: AttemptToken, info: RoundInfo) -> ResultView:
    buffer = engine().buffer
    receipt = buffer.receipt(token.attempt_id)
    score = None
    if receipt is None:
        score = _score_row(token.attempt_id)
        if score is None:
            return ResultView(received=False)
        view = ResultView(True, score.submitted_at_ms, None, score.auto_submitted)
    else:
        view = ResultView(True, receipt.submitted_at_ms, receipt.code, receipt.auto)
    view.show_score = score_visible(info)
    view.time_up = view.auto or (view.submitted_at_ms or 0) > token.deadline_ms
    cached = get_redis().hget(keys.results(token.round_id), token.attempt_id)
    if cached:
        correct, total, used = (int(x) for x in cached.decode().split("|"))
        view.scored, view.correct, view.total, view.time_used_ms = True, correct, total, used
    else:
        try:
            score = score or _score_row(token.attempt_id)
        except DATABASE_DOWN:
            # Only reached with a receipt in hand: "received, being scored"
            # until the database is back, rather than an error page.
            db.session.rollback()
        if score is not None:
            view.scored = True
            view.correct, view.total, view.time_used_ms = (
                score.correct,
                score.total,
                score.time_used_ms,
            )
    if view.scored and view.show_score:
        board = leaderboard()
        view.rank = board.rank_of(info.contest_id, info.id, token.entrant_id)
        view.ranked_count = board.size(info.contest_id, info.id)
    if view.scored and answers_visible(info):
        view.review = review(token.attempt_id)
    if not view.show_score:
        view.correct = view.total = view.time_used_ms = None
    return view


def _score_row(attempt_id: int):
    return db.session.execute(
        select(
            Score.correct,
            Score.total,
            Score.time_used_ms,
            Score.submitted_at_ms,
            Score.auto_submitted,
        ).where(Score.attempt_id == attempt_id)
    ).first()


def review(attempt_id: int) -> list[dict]:
    """Each question with the entrant's choice and the correct one (when shown)."""
    row = db.session.execute(
        select(Attempt.paper, Score.answers, Score.marks)
        .join(Score, Score.attempt_id == Attempt.id)
        .where(Attempt.id == attempt_id)
    ).first()
    if row is None:
        return []
    questions = question_cache().get_many(q[0] for q in row.paper)
    out = []
    for position, (qid, _order) in enumerate(row.paper):
        q = questions[qid]
        out.append(
            {
                "position": position,
                "question": q,
                "chosen": set(row.answers[position]),
                "right": row.marks[position] == "1",
            }
        )
    return out


@dataclass
class BoardRow:
    rank: int
    name: str
    unit: str
    entrant_id: int
    values: dict[str, int]


def board_rows(entries: list[Entry], order) -> list[BoardRow]:
    """Names, units and ranked values for leaderboard entries (phones never shown)."""
    ids = [e.entrant_id for e in entries]
    people = {
        row.id: row
        for row in db.session.execute(
            select(Entrant.id, Entrant.full_name, Entrant.unit_other, Unit.name)
            .outerjoin(Unit, Unit.id == Entrant.unit_id)
            .where(Entrant.id.in_(ids))
        )
    }
    rows = []
    for e in entries:
        person = people.get(e.entrant_id)
        if person is None:
            continue
        rows.append(
            BoardRow(
                e.rank,
                person.full_name,
                person.name or person.unit_other or "",
                e.entrant_id,
                decode_key(e.key, order),
            )
        )
    return rows


def prize_warnings(contest: ContestInfo, entrant_id: int) -> list:
    """Why this entrant may play but not win, if that is the case (shown on the contest page)."""
    from flask_babel import lazy_gettext as _l

    from quiz.units.tree import unit_tree

    rules = contest.prize_rules
    if not rules:
        return []
    entrant = db.session.get(Entrant, entrant_id)
    if entrant is None:
        return []
    warnings = []
    if rules.get("require_citizen_id") and not entrant.citizen_id:
        warnings.append(
            _l(
                "You gave no citizen ID: you may take part, but prizes need one. "
                "Register again with the same phone to add it."
            )
        )
    if rules.get("residents_only") and contest.owner_unit_id:
        area = unit_tree().get(contest.owner_unit_id)
        home = unit_tree().get(entrant.unit_id)
        if area is not None and (home is None or not home.path.startswith(area.path)):
            warnings.append(
                _l(
                    "Prizes are for entrants from %(area)s: you may take part, "
                    "but cannot win a prize.",
                    area=area.name,
                )
            )
    return warnings
