"""Drawing a paper: N questions at random, per-topic quotas, choices shuffled.

The paper is drawn once, at start, and stored with the attempt; a reload,
another device or the scorer all read that same paper back.
"""

from __future__ import annotations

import os
import random
from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l

from quiz.catalog.questions import Pool, QuestionView
from quiz.formatting import number

# Seeded from os.urandom, and reseeded in every forked worker so two gunicorn
# workers never hand out the same sequence of papers.
_rng = random.Random()
os.register_at_fork(after_in_child=_rng.seed)


class NotEnoughQuestions(ValueError):
    """The bank cannot fill the paper the round asks for."""


def check_drawable(pool: Pool, n: int, quotas: Sequence[tuple[str, int]]) -> None:
    """Raise NotEnoughQuestions, saying why, when no paper can be drawn."""
    if n < 1:
        raise NotEnoughQuestions(_l("a paper needs at least one question"))
    if sum(k for _, k in quotas) > n:
        raise NotEnoughQuestions(_l("the topic quotas add up to more questions than the paper has"))
    for topic, k in quotas:
        have = len(pool.by_topic.get(topic, ()))
        if have < k:
            raise NotEnoughQuestions(
                _l(
                    "topic “%(topic)s” has %(have)s questions, its quota is %(k)s",
                    topic=topic,
                    have=number(have),
                    k=number(k),
                )
            )
    if len(pool.ids) < n:
        raise NotEnoughQuestions(
            _l(
                "the bank has %(have)s questions, the paper needs %(n)s",
                have=number(len(pool.ids)),
                n=number(n),
            )
        )


def draw_question_ids(
    pool: Pool, n: int, quotas: Sequence[tuple[str, int]], rng: random.Random | None = None
) -> list[int]:
    rng = rng or _rng
    check_drawable(pool, n, quotas)
    chosen: list[int] = []
    for topic, k in quotas:
        chosen += rng.sample(pool.by_topic[topic], k)
    rest = n - len(chosen)
    if rest:
        taken = set(chosen)
        # Over-sample and drop what quotas took: avoids copying a large pool.
        candidates = rng.sample(pool.ids, min(len(pool.ids), rest + len(taken)))
        chosen += [qid for qid in candidates if qid not in taken][:rest]
    rng.shuffle(chosen)
    return chosen


def choice_order(question: QuestionView, rng: random.Random | None = None) -> str:
    """The order the options are shown in, as a string of original indices."""
    order = list(range(len(question.choices)))
    if not question.keep_choice_order:
        (rng or _rng).shuffle(order)
    return "".join(str(i) for i in order)


def draw_paper(
    pool: Pool,
    questions: Mapping[int, QuestionView],
    n: int,
    quotas: Sequence[tuple[str, int]],
    rng: random.Random | None = None,
) -> list[list]:
    ids = draw_question_ids(pool, n, quotas, rng)
    return [[qid, choice_order(questions[qid], rng)] for qid in ids]
