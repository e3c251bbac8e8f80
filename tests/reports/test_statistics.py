"""Statistics on known data: units and merges, local days, rounds, questions, the cache job.

Most data sets are written as score rows directly, so every figure below can
be worked out by hand; one test goes through the real engine (play + drain)
to check the functions read what the scorer actually writes.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from rq import SimpleWorker
from sqlalchemy import func, select

from quiz.extensions import DEFAULT_QUEUE, db, get_queue, get_redis
from quiz.models import Disqualification, Question, Unit
from quiz.models.attempts import Attempt, Score
from quiz.reports import question_stats as qs
from quiz.reports import statistics as st
from quiz.reports import stats_jobs
from quiz.scoring.jobs import drain_submissions
from quiz.timeutil import to_ms
from tests.factories import make_bank, make_contest, make_entrant, make_units
from tests.scoring.simulate import play


def at(text: str) -> int:
    """Epoch ms of a UTC time written as 2025-03-10T16:59."""
    return to_ms(datetime.fromisoformat(text).replace(tzinfo=UTC))


def add_score(round_id, entrant, qids, marks, submitted_at_ms, seq=1) -> int:
    """A scored attempt written as the scorer would: paper, answers and marks per position."""
    attempt_id = (db.session.scalar(select(func.max(Attempt.id))) or 0) + 1
    db.session.add(
        Attempt(
            id=attempt_id,
            round_id=round_id,
            entrant_id=entrant.id,
            seq=seq,
            paper=[[q, "0123"] for q in qids],
            started_at_ms=submitted_at_ms - 60_000,
            deadline_ms=submitted_at_ms + 600_000,
        )
    )
    db.session.flush()
    db.session.add(
        Score(
            attempt_id=attempt_id,
            round_id=round_id,
            entrant_id=entrant.id,
            seq=seq,
            correct=marks.count("1"),
            total=len(marks),
            time_used_ms=60_000,
            started_at_ms=submitted_at_ms - 60_000,
            submitted_at_ms=submitted_at_ms,
            answers=[[0] if m == "1" else [1] for m in marks],
            marks=marks,
        )
    )
    db.session.flush()
    return attempt_id


def disqualify(round_id: int, entrant) -> None:
    db.session.add(Disqualification(round_id=round_id, entrant_id=entrant.id, reason="thử"))
    db.session.flush()


@dataclass
class Data:
    units: dict[str, Unit]
    contest_id: int
    round1: int
    round2: int


@pytest.fixture
def data(ctx) -> Data:
    """Two rounds, seven entrants in the unit tree (one in a merged unit, one outside it).

    Local days (UTC+7) of the scored attempts:
      10/3: e1 (23:59), e2, e6                     → 3 entrants, 3 attempts
      11/3: e1 (00:01), e3, e5 twice               → 3 entrants, 4 attempts
      12/3: e1 (round 2), e4 (round 2)             → 2 entrants, 2 attempts
      13/3: only e4's round-1 attempt, disqualified → 0
      14/3: e7                                     → 1 entrant, 1 attempt
    """
    units = make_units()
    old = Unit(code="D2-C9", name="Xã cũ", kind="Xã")
    db.session.add(old)
    db.session.flush()
    old.place_under(units["D2"])
    old.merged_into_id = units["D1-C1"].id  # merged across districts: counts under D1
    units["D2-C9"] = old
    units["D1"].population = 100
    units["D1-C1"].population = 40
    units["AG"].population = 0  # unknown in effect: no rate, no division by zero
    contest = make_contest(make_bank(), owner=units["P"], rounds=2)
    r1, r2 = (r.id for r in contest.rounds)
    e = {n: make_entrant(n) for n in range(1, 9)}
    for n, code in {1: "D1-C1", 2: "D1-C2", 3: "D1", 4: "D2-C1", 5: "D2-C9", 7: "AG"}.items():
        e[n].unit_id = units[code].id
    e[6].unit_other = "Một đơn vị khác"
    e[8].unit_id = units["D2-C2"].id
    q = list(db.session.scalars(select(Question.id).order_by(Question.id)))[:5]
    add_score(r1, e[1], q, "10000", at("2025-03-10T16:59"), seq=1)
    add_score(r1, e[1], q, "11111", at("2025-03-10T17:01"), seq=2)
    add_score(r2, e[1], q, "11000", at("2025-03-12T02:00"))
    add_score(r1, e[2], q, "11110", at("2025-03-10T10:00"))
    add_score(r1, e[3], q, "10000", at("2025-03-11T03:00"))
    add_score(r1, e[4], q, "11111", at("2025-03-13T03:00"))
    disqualify(r1, e[4])
    add_score(r2, e[4], q, "11100", at("2025-03-12T03:00"))
    add_score(r1, e[5], q, "10000", at("2025-03-10T20:00"), seq=1)
    add_score(r1, e[5], q, "10000", at("2025-03-11T01:00"), seq=2)
    add_score(r1, e[6], q, "10000", at("2025-03-10T05:00"))
    add_score(r1, e[7], q, "11111", at("2025-03-14T03:00"))
    # Started but never scored: not a participation.
    db.session.add(
        Attempt(
            id=99_999,
            round_id=r1,
            entrant_id=e[8].id,
            seq=1,
            paper=[[q[0], "0123"]],
            started_at_ms=at("2025-03-11T03:00"),
            deadline_ms=at("2025-03-11T03:10"),
        )
    )
    db.session.commit()
    return Data(units, contest.id, r1, r2)


def subtree_ids(data: Data, code: str) -> list[int]:
    path = data.units[code].path
    return list(db.session.scalars(select(Unit.id).where(Unit.path.startswith(path))))


def figures(rows) -> dict[str, tuple]:
    return {r.code: (r.entrants, r.attempts, r.population, r.rate) for r in rows}


def test_units_count_their_subtree_without_the_disqualified(data):
    roots = st.participation_by_unit(data.contest_id)
    # e6 typed a unit of their own: under no unit of the tree.
    assert figures(roots) == {"P": (6, 9, None, None)}
    districts = st.participation_by_unit(data.contest_id, data.units["P"].id)
    assert figures(districts) == {
        "D1": (4, 7, 100, 0.04),  # e1 (3 attempts), e2, e3, and e5 of the merged commune
        "D2": (1, 1, None, None),  # e4 counts by round 2 only: disqualified from round 1
        "AG": (1, 1, 0, None),
    }
    # In tree order (sort order, then name), with the names of the units above.
    assert [r.full_name for r in districts] == [
        "Công an tỉnh, Tỉnh Thử Nghiệm",
        "Huyện D1, Tỉnh Thử Nghiệm",
        "Huyện D2, Tỉnh Thử Nghiệm",
    ]


def test_a_merged_unit_counts_under_its_target_and_is_not_listed(data):
    communes = st.participation_by_unit(data.contest_id, data.units["D1"].id)
    assert figures(communes) == {
        "D1-C1": (2, 5, 40, 0.05),  # e1 with 3 attempts, e5 (merged commune) with 2
        "D1-C2": (1, 1, None, None),
    }
    d2 = st.participation_by_unit(data.contest_id, data.units["D2"].id)
    assert figures(d2) == {"D2-C1": (1, 1, None, None), "D2-C2": (0, 0, None, None)}


def test_a_scope_keeps_the_units_and_entrants_inside_it(data):
    d1 = subtree_ids(data, "D1")
    rows = st.participation_by_unit(data.contest_id, data.units["P"].id, unit_ids=d1)
    assert figures(rows) == {"D1": (4, 7, 100, 0.04)}
    d2 = subtree_ids(data, "D2")  # includes the merged commune, whose entrants went to D1
    rows = st.participation_by_unit(data.contest_id, data.units["P"].id, unit_ids=d2)
    assert figures(rows) == {"D2": (1, 1, None, None)}
    assert st.contest_totals(data.contest_id) == (7, 10)
    assert st.contest_totals(data.contest_id, d1) == (4, 7)


def test_merge_chains_end_where_the_unit_operations_say(ctx):
    """One query maps every merged unit; it must agree with `effective_unit_ids` per unit."""
    from quiz.units.operations import effective_unit_ids

    units = make_units()
    older, old = Unit(code="X1", name="Xã cũ 1"), Unit(code="X2", name="Xã cũ 2")
    db.session.add_all([older, old])
    db.session.flush()
    older.place_under(units["D2"])
    old.place_under(units["D2"])
    old.merged_into_id = units["D1-C1"].id
    older.merged_into_id = old.id  # merged before `old` itself was merged away
    db.session.commit()
    targets = st.merge_targets()
    assert targets == {older.id: units["D1-C1"].id, old.id: units["D1-C1"].id}
    for unit_id in db.session.scalars(select(Unit.id).where(Unit.merged_into_id.is_(None))):
        mine = {u for u in db.session.scalars(select(Unit.id)) if targets.get(u, u) == unit_id}
        assert mine == set(effective_unit_ids(unit_id))
    contest = make_contest(make_bank(), owner=units["P"])
    add_score(contest.rounds[0].id, make_entrant(1, older), [1], "1", at("2025-03-10T03:00"))
    rows = st.participation_by_unit(contest.id, units["D1"].id)
    assert figures(rows)["D1-C1"][:2] == (1, 1)
    assert st.participation_by_unit(contest.id, units["P"].id, [units["D1-C1"].id]) == []
    scoped = st.unit_counts(contest.id, [units["D1-C1"].id]).subtree
    assert scoped[units["D1-C1"].id] == (1, 1)


def test_days_are_local_dates_with_the_empty_days_between(data):
    days = st.participation_by_day(data.contest_id)
    assert [(d.day, d.entrants, d.attempts) for d in days] == [
        (date(2025, 3, 10), 3, 3),
        (date(2025, 3, 11), 3, 4),
        (date(2025, 3, 12), 2, 2),
        (date(2025, 3, 13), 0, 0),
        (date(2025, 3, 14), 1, 1),
    ]
    d2 = subtree_ids(data, "D2")
    assert st.participation_by_day(data.contest_id, d2) == [
        st.DayParticipation(date(2025, 3, 12), 1, 1)
    ]


def test_rounds_and_the_score_distribution(data):
    first, second = st.per_round_counts(data.contest_id)
    assert (first.round_id, first.entrants, first.attempts, first.fully_correct) == (
        data.round1,
        6,
        8,
        2,  # e1 and e7; e4's perfect paper was disqualified
    )
    assert first.average_correct == pytest.approx(19 / 8)
    assert (second.entrants, second.attempts, second.fully_correct) == (2, 2, 0)
    assert second.average_correct == pytest.approx(2.5)
    assert st.round_summary(data.round1) == first
    d1 = subtree_ids(data, "D1")
    scoped = st.round_summary(data.round1, d1)
    assert (scoped.entrants, scoped.attempts, scoped.fully_correct) == (4, 6, 1)
    ag_only = st.round_summary(data.round2, [data.units["AG"].id])
    assert (ag_only.entrants, ag_only.attempts, ag_only.average_correct) == (0, 0, None)
    distribution = st.score_distribution(data.round1)
    assert (distribution.total, distribution.attempts) == (5, [0, 5, 0, 0, 1, 2])
    assert st.score_distribution(data.round1, d1).attempts == [0, 4, 0, 0, 1, 1]


def test_question_share_and_discrimination_on_a_crafted_round(ctx):
    """20 attempts in three groups plus one disqualified; papers list questions in any order.

    best 5 (4/5):  q1 q2 q3 q4 right       → upper group
    middle 10 (3/5): q1 q2 q3 right; three of them also drew q6 (one right)
    weakest 5 (2/5): q1 q5 right           → lower group
    """
    contest = make_contest(make_bank())
    round_id = contest.rounds[0].id
    q1, q2, q3, q4, q5, q6 = db.session.scalars(select(Question.id).order_by(Question.id)).all()[:6]
    when = at("2025-03-10T03:00")
    n = 0

    def entrant():
        nonlocal n
        n += 1
        return make_entrant(n)

    for _ in range(5):
        add_score(round_id, entrant(), [q4, q3, q2, q1, q5], "11110", when)
    for k in range(10):
        if k < 3:  # a sixth question drawn: 3/6 or 4/6, still in the middle
            marks = "111" + ("1" if k == 0 else "0") + "00"
            add_score(round_id, entrant(), [q1, q2, q3, q6, q4, q5], marks, when)
        else:
            add_score(round_id, entrant(), [q1, q2, q3, q4, q5], "11100", when)
    for _ in range(5):
        add_score(round_id, entrant(), [q5, q1, q2, q3, q4], "11000", when)
    cheat = entrant()
    add_score(round_id, cheat, [q1, q2, q3, q4, q5], "00000", when)
    disqualify(round_id, cheat)
    db.session.commit()

    stats = {s.question_id: s for s in qs.question_stats(round_id)}
    got = {qid: (s.shown, s.correct, s.share_correct, s.discrimination) for qid, s in stats.items()}
    assert got == {
        q1: (20, 20, 1.0, 0.0),  # everyone right: separates nobody
        q2: (20, 15, 0.75, 1.0),
        q3: (20, 15, 0.75, 1.0),
        q4: (20, 5, 0.25, 1.0),
        q5: (20, 5, 0.25, -1.0),  # only the weakest get it right: a suspicious key
        q6: (3, 1, 1 / 3, None),  # too few attempts for the index
    }
    assert stats[q2].code == "B1-002" and stats[q2].topic == "Chủ đề A"
    hardest_first = [s.question_id for s in qs.question_stats(round_id)]
    assert hardest_first[:3] == [q4, q5, q6] and hardest_first[-1] == q1


def test_ties_at_a_group_edge_count_in_proportion():
    # 20 attempts, groups of 5: the upper group is 3 attempts at 100% (all right)
    # plus 2 of the 14 tied at 50% (of whom 7 right), the lower group likewise.
    blocks = {1.0: (3, 3), 0.5: (14, 7), 0.0: (3, 0)}
    assert qs.discrimination(blocks) == pytest.approx((3 + 1) / 5 - (0 + 1) / 5)
    assert qs.discrimination({0.5: (20, 10)}) == pytest.approx(0.0)
    assert qs.discrimination({0.5: (19, 10)}) is None


def test_statistics_read_what_the_real_scorer_writes(ctx):
    units = make_units()
    contest = make_contest(make_bank(), owner=units["P"])
    round_id = contest.rounds[0].id
    rng = random.Random(7)
    players = [
        make_entrant(1, units["D1-C1"]),
        make_entrant(2, units["D1-C2"]),
        make_entrant(3, units["D2-C1"]),
    ]
    for player, right in zip(players, (5, 3, 0), strict=True):
        play(round_id, player.id, rng, right=right)
    play(round_id, players[0].id, rng, right=4)
    drain_submissions(max_seconds=10)
    assert db.session.scalar(select(func.count()).select_from(Score)) == 4
    rows = st.participation_by_unit(contest.id, units["P"].id)
    assert figures(rows)["D1"][:2] == (2, 3)
    assert figures(rows)["D2"][:2] == (1, 1)
    summary = st.round_summary(round_id)
    assert (summary.entrants, summary.attempts, summary.fully_correct) == (3, 4, 1)
    assert st.score_distribution(round_id).attempts == [1, 0, 0, 1, 1, 1]
    questions = qs.question_stats(round_id)
    assert sum(q.shown for q in questions) == 20
    assert sum(q.correct for q in questions) == 5 + 3 + 0 + 4


# --- the cache job ------------------------------------------------------------


def test_the_job_caches_the_numbers_as_json_in_redis(data):
    assert stats_jobs.stats_for(data.contest_id) is None
    stats_jobs.compute_contest_stats(data.contest_id)
    raw = get_redis().get(stats_jobs.stats_key(data.contest_id))
    assert raw is not None and stats_jobs.stats_key(data.contest_id).startswith("q:stats:")
    stored = json.loads(raw)
    assert stored == stats_jobs.stats_for(data.contest_id)
    assert stored["totals"] == {"entrants": 7, "attempts": 10}
    assert stored["days"][0] == {"day": "2025-03-10", "entrants": 3, "attempts": 3}
    assert [r["attempts"] for r in stored["rounds"]] == [8, 2]
    assert stored["units"][str(data.units["D1"].id)] == [4, 7]
    assert stored["units"][str(data.units["D1-C1"].id)] == [2, 5]
    assert stored["no_unit"] == [1, 1]
    assert stored["distribution"][str(data.round1)] == [0, 5, 0, 0, 1, 2]
    assert len(stored["questions"][str(data.round1)]) == 5
    assert stored["duration_ms"] >= 0
    assert not stats_jobs.is_stale(stored)
    assert stats_jobs.is_stale(stored, now=stored["computed_at_ms"] + 301_000)
    assert ttl_days(stats_jobs.stats_key(data.contest_id)) == 7


def ttl_days(key: str) -> int:
    return round(get_redis().ttl(key) / 86400)


def test_requests_enqueue_one_job_until_a_worker_ran_it(data):
    queue = get_queue(DEFAULT_QUEUE)
    assert stats_jobs.request_stats(data.contest_id) is True
    assert stats_jobs.request_stats(data.contest_id) is False  # already queued
    assert queue.count == 1
    assert stats_jobs.is_queued(data.contest_id)
    assert SimpleWorker([queue], connection=get_redis()).work(burst=True)
    assert not stats_jobs.is_queued(data.contest_id)
    assert stats_jobs.stats_for(data.contest_id)["totals"]["attempts"] == 10
    assert stats_jobs.request_stats(data.contest_id) is True  # free again once done
