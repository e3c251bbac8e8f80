"""Drawing papers: randomness, per-topic quotas, shuffled choices (pure functions)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from quiz.catalog.questions import Pool, QuestionView
from quiz.contest.papers import NotEnoughQuestions, draw_paper, draw_question_ids


def pool_of(topics: dict[str, int], keep_order: set[int] = frozenset()):
    views: dict[int, QuestionView] = {}
    by_topic: dict[str, list[int]] = {}
    qid = 0
    for topic, n in topics.items():
        for _ in range(n):
            qid += 1
            views[qid] = QuestionView(
                qid,
                f"Q{qid}",
                topic,
                f"text {qid}",
                ("a", "b", "c", "d"),
                frozenset({0}),
                "",
                qid in keep_order,
            )
            by_topic.setdefault(topic, []).append(qid)
    pool = Pool(1, tuple(views), {t: tuple(ids) for t, ids in by_topic.items()})
    return pool, views


def test_every_question_is_drawn_about_equally_often():
    pool, _ = pool_of({"A": 40})
    rng = random.Random(1)
    counts = Counter()
    draws = 4000
    for _ in range(draws):
        counts.update(draw_question_ids(pool, 10, (), rng))
    expected = draws * 10 / 40  # 1000 each
    # Pearson's chi-square with 39 degrees of freedom; 75 is far beyond p = 0.001.
    chi2 = sum((counts[q] - expected) ** 2 / expected for q in pool.ids)
    assert chi2 < 75, chi2
    assert set(counts) == set(pool.ids)


def test_a_paper_never_repeats_a_question():
    pool, _ = pool_of({"A": 12, "B": 3})
    rng = random.Random(2)
    for _ in range(500):
        ids = draw_question_ids(pool, 12, (("B", 3),), rng)
        assert len(ids) == len(set(ids)) == 12


def test_topic_quotas_are_met_exactly_and_the_rest_comes_from_any_topic():
    pool, views = pool_of({"A": 20, "B": 20, "C": 20})
    rng = random.Random(3)
    rest_topics = Counter()
    for _ in range(300):
        ids = draw_question_ids(pool, 10, (("A", 3), ("B", 2)), rng)
        topics = Counter(views[q].topic for q in ids)
        assert topics["A"] >= 3 and topics["B"] >= 2
        rest_topics.update(topics)
    assert rest_topics["C"] > 0  # the five free places reach every topic


def test_quotas_alone_fill_the_paper():
    pool, views = pool_of({"A": 5, "B": 5})
    ids = draw_question_ids(pool, 4, (("A", 2), ("B", 2)), random.Random(4))
    assert Counter(views[q].topic for q in ids) == {"A": 2, "B": 2}


def test_choices_are_shuffled_per_attempt_except_order_bound_questions():
    pool, views = pool_of({"A": 10}, keep_order={1})
    rng = random.Random(5)
    orders = Counter()
    for _ in range(400):
        for qid, order in draw_paper(pool, views, 10, (), rng):
            if qid == 1:
                assert order == "0123"
            elif qid == 2:
                orders[order] += 1
                assert sorted(order) == list("0123")
    assert len(orders) > 12  # most of the 24 orders appear


@pytest.mark.parametrize(
    ("n", "quotas", "reason"),
    [
        (30, (), "the bank has 20 questions, the paper needs 30"),
        (12, (("A", 11),), "topic “A” has 10 questions, its quota is 11"),
        (5, (("Z", 1),), "topic “Z” has 0 questions"),
        (3, (("A", 2), ("B", 2)), "add up to more"),
        (0, (), "at least one"),
    ],
)
def test_impossible_papers_say_why(n, quotas, reason):
    pool, _ = pool_of({"A": 10, "B": 10})
    with pytest.raises(NotEnoughQuestions, match=reason):
        draw_question_ids(pool, n, quotas, random.Random(6))
