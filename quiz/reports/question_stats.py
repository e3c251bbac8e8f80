"""How each question of a round performed: share of right answers and discrimination.

Read by the statistics page, its export and the statistics job; the same
rules as every statistic (`statistics.py`): scored attempts only, those of
disqualified entrants left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from quiz.extensions import db
from quiz.models import Question, Score
from quiz.models.attempts import Attempt
from quiz.reports.statistics import not_disqualified

# Share of attempts in the upper and lower groups of the discrimination index
# (Kelley's 27%), and the fewest attempts that must have seen a question for
# the index to mean anything.
GROUP_SHARE = 0.27
MIN_SEEN_FOR_DISCRIMINATION = 20


@dataclass(frozen=True)
class QuestionStat:
    question_id: int
    code: str
    topic: str
    text: str
    shown: int  # papers it appeared on (scored attempts)
    correct: int  # of which answered right
    share_correct: float  # correct / shown (0.0 when never shown)
    discrimination: float | None  # upper-minus-lower 27% groups; None with too few answers


def question_stats(round_id: int) -> list[QuestionStat]:
    """Every question shown in the round's scored attempts, hardest first.

    Papers are drawn at random, so each question is seen by a different set
    of attempts: its upper and lower groups are the top and bottom 27% of the
    attempts that saw it, ranked by their share of right answers (each
    attempt stands for the entrant who made it). Attempts tied at a group's
    edge count in proportion, so the index does not depend on storage order.

    Scores are streamed (`yield_per`) and folded into, per question, a count
    per distinct attempt score: memory grows with questions, not attempts.
    """
    query = (
        select(Score.correct, Score.total, Score.marks, Attempt.paper)
        .join(Attempt, Attempt.id == Score.attempt_id)
        .where(Score.round_id == round_id, not_disqualified())
        .execution_options(yield_per=2000)
    )
    # question id → attempt score → [attempts that saw it, of which right]
    seen: dict[int, dict[float, list[int]]] = {}
    for correct, total, marks, paper in db.session.execute(query):
        score = correct / total if total else 0.0
        for position, item in enumerate(paper or ()):
            by_score = seen.setdefault(int(item[0]), {})
            cell = by_score.get(score)
            if cell is None:
                cell = by_score[score] = [0, 0]
            cell[0] += 1
            if position < len(marks) and marks[position] == "1":
                cell[1] += 1
    if not seen:
        return []
    questions = {
        q.id: q
        for q in db.session.execute(
            select(Question.id, Question.code, Question.topic, Question.text).where(
                Question.id.in_(list(seen))
            )
        )
    }
    out = []
    for qid, by_score in seen.items():
        shown = sum(c[0] for c in by_score.values())
        right = sum(c[1] for c in by_score.values())
        q = questions.get(qid)
        out.append(
            QuestionStat(
                qid,
                q.code if q else str(qid),
                q.topic if q else "",
                q.text if q else "",
                shown,
                right,
                right / shown if shown else 0.0,
                discrimination(by_score),
            )
        )
    out.sort(key=lambda s: (s.share_correct, s.code))
    return out


def discrimination(by_score: Mapping[float, list[int] | tuple[int, int]]) -> float | None:
    """Upper-minus-lower index from {attempt score: (attempts, right)} of one question."""
    shown = sum(c[0] for c in by_score.values())
    if shown < MIN_SEEN_FOR_DISCRIMINATION:
        return None
    size = max(1, int(shown * GROUP_SHARE + 0.5))
    ordered = sorted(by_score.items())
    return _group_share(reversed(ordered), size) - _group_share(ordered, size)


def _group_share(blocks, size: int) -> float:
    """Share right among the first `size` attempts of `blocks` (score, (n, right)) in order."""
    taken = 0
    right = 0.0
    for _score, (count, block_right) in blocks:
        use = min(count, size - taken)
        right += block_right * use / count
        taken += use
        if taken >= size:
            break
    return right / size
