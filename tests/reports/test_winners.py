"""Winners: prize structure, shared ranks at a boundary, who may win, disqualification."""

from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import select

from quiz.catalog.rounds import clear_caches
from quiz.extensions import db
from quiz.models import Contest, Entrant, Round, Winner
from quiz.reports.review import disqualify, find_suspects, reinstate
from quiz.reports.winners import compute_winners, publish_winners, published_winners
from quiz.scoring.jobs import drain_submissions
from tests.factories import make_bank, make_contest, make_entrant, make_units
from tests.scoring.simulate import play


@pytest.fixture
def round_id(ctx):
    units = make_units()
    contest = make_contest(make_bank(), owner=units["D1"], max_attempts=None)
    round_ = contest.rounds[0]
    round_.prizes = {"first": 1, "second": 1, "third": 1, "consolation": 0}
    db.session.commit()
    return round_.id


def results(round_id: int, specs: list[tuple[int, int, int]], unit=None) -> dict[int, int]:
    """specs: (entrant number, correct answers, seconds used) → entrant ids by number."""
    ids = {}
    for number, right, seconds in specs:
        entrant = make_entrant(number, unit)
        ids[number] = entrant.id
        play(
            round_id,
            entrant.id,
            random.Random(number),
            right=right,
            duration_ms=seconds * 1000,
            prediction=None,
        )
    drain_submissions(max_seconds=10)
    clear_caches()
    return ids


def prizes(rows) -> list[tuple[str, int]]:
    return [(r.prize, r.entrant_id) for r in rows]


def test_prizes_go_down_the_ranking(round_id):
    ids = results(round_id, [(1, 5, 30), (2, 5, 40), (3, 4, 20), (4, 3, 10)])
    assert prizes(compute_winners(round_id)) == [
        ("first", ids[1]),
        ("second", ids[2]),
        ("third", ids[3]),
    ]


def test_a_tie_across_a_prize_boundary_lists_everyone_tied_for_the_organizers(round_id):
    # Entrants 2 and 3 are tied on every key (same correct, time; submitted time differs
    # unless the order excludes it), so use a contest order without submission time.
    contest = db.session.scalar(select(Contest))
    contest.ranking_order = ["correct", "time"]
    db.session.commit()
    ids = results(round_id, [(1, 5, 30), (2, 4, 40), (3, 4, 40), (4, 3, 10)])
    rows = compute_winners(round_id)
    assert prizes(rows)[0] == ("first", ids[1])
    tied = [r for r in rows if r.tied]
    assert {r.entrant_id for r in tied} == {ids[2], ids[3]} and {r.rank for r in tied} == {2}
    assert prizes(rows)[-1] == ("third", ids[4])


def test_the_winners_page_marks_a_tie_at_a_prize_boundary_for_the_organizers(ctx, round_id):
    from quiz.models import Role
    from tests.console.conftest import make_staff
    from tests.test_vietnamese_pages import _staff_client

    db.session.scalar(select(Contest)).ranking_order = ["correct", "time"]
    db.session.commit()
    ids = results(round_id, [(1, 5, 30), (2, 4, 40), (3, 4, 40), (4, 3, 10)])
    make_staff("admin", Role.ADMIN, None)
    page = _staff_client(ctx, "admin").get(f"/console/rounds/{round_id}/winners").text
    assert "Ban Tổ chức cần quyết định trước khi công bố" in page  # the warning
    marked = re.findall(
        r"<tr><td>[^<]*<span class=\"tag bad\">đồng hạng</span></td>(.*?)</tr>", page
    )
    names = {db.session.get(Entrant, ids[n]).full_name for n in (2, 3)}
    assert len(marked) == 2 and all(any(n in row for n in names) for row in marked)


def test_a_prize_goes_only_to_entrants_with_its_minimum_of_correct_answers(round_id):
    round_ = db.session.get(Round, round_id)
    round_.prize_min_correct = {"first": 5, "second": 4}
    db.session.commit()
    ids = results(round_id, [(1, 5, 30), (2, 3, 10), (3, 2, 10)])
    # Nobody else reaches 4 right: no second prize; the third has no minimum.
    assert prizes(compute_winners(round_id)) == [("first", ids[1]), ("third", ids[2])]


def test_below_a_minimum_an_entrant_stays_in_line_for_lower_prizes(round_id):
    contest = db.session.scalar(select(Contest))
    contest.ranking_order = ["time", "correct"]  # the fastest ranks first, whatever its score
    db.session.get(Round, round_id).prize_min_correct = {"first": 5}
    db.session.commit()
    ids = results(round_id, [(1, 3, 10), (2, 5, 50), (3, 4, 20)])
    assert prizes(compute_winners(round_id)) == [
        ("first", ids[2]),
        ("second", ids[1]),
        ("third", ids[3]),
    ]


@pytest.mark.parametrize("rule", ["require_citizen_id", "residents_only"])
def test_entrants_who_may_play_but_not_win_are_skipped(round_id, rule):
    ids = results(round_id, [(1, 5, 10), (2, 4, 10), (3, 3, 10), (4, 2, 10)])
    contest = db.session.scalar(select(Contest))
    contest.prize_rules = {rule: True}
    entrants = {e.id: e for e in db.session.scalars(select(Entrant))}
    from quiz.models import Unit

    commune = db.session.scalar(select(Unit).where(Unit.code == "D1-C1"))
    outside = db.session.scalar(select(Unit).where(Unit.code == "D2-C1"))
    for number, entrant_id in ids.items():
        entrant = entrants[entrant_id]
        entrant.unit_id = commune.id if number != 1 else outside.id
        entrant.citizen_id = f"0961900000{number:02d}" if number != 1 else None
    db.session.commit()
    winners = prizes(compute_winners(round_id))
    assert ids[1] not in [e for _, e in winners]  # best score, but may not win
    assert [e for _, e in winners] == [ids[2], ids[3], ids[4]]


def test_one_prize_per_person_across_rounds(ctx):
    units = make_units()
    contest = make_contest(make_bank(), owner=units["D1"], rounds=2, max_attempts=None)
    contest.prize_rules = {"one_prize_per_person": True}
    for r in contest.rounds:
        r.prizes = {"first": 1}
        r.starts_at = contest.rounds[0].starts_at
    db.session.commit()
    first, second = contest.rounds
    ids = results(first.id, [(1, 5, 10), (2, 4, 10)])
    publish_winners(first.id)
    db.session.commit()
    for number, right in ((1, 5), (2, 4)):
        play(second.id, ids[number], random.Random(number), right=right, duration_ms=10_000)
    drain_submissions(max_seconds=10)
    assert prizes(compute_winners(second.id)) == [("first", ids[2])]


def test_disqualification_recomputes_winners_and_revokes_a_published_prize(round_id):
    ids = results(round_id, [(1, 5, 30), (2, 5, 40), (3, 4, 20), (4, 3, 10)])
    publish_winners(round_id)
    db.session.commit()
    assert prizes(published_winners(round_id))[0] == ("first", ids[1])
    assert disqualify(round_id, ids[1], "dùng công cụ tự động", None)
    db.session.commit()
    assert prizes(compute_winners(round_id)) == [
        ("first", ids[2]),
        ("second", ids[3]),
        ("third", ids[4]),
    ]
    revoked = db.session.scalar(select(Winner).where(Winner.entrant_id == ids[1]))
    assert revoked.revoked_at is not None and "dùng công cụ" in revoked.revoke_reason
    assert ids[1] not in [e for _, e in prizes(published_winners(round_id))]
    assert reinstate(round_id, ids[1])
    db.session.commit()
    assert prizes(compute_winners(round_id))[0] == ("first", ids[1])


def test_republishing_keeps_the_earlier_list_on_record(round_id):
    ids = results(round_id, [(1, 5, 30), (2, 4, 40)])
    publish_winners(round_id)
    db.session.commit()
    disqualify(round_id, ids[1], "kiểm tra danh tính không đạt", None)
    publish_winners(round_id)
    db.session.commit()
    rows = db.session.scalars(select(Winner).order_by(Winner.id)).all()
    # Entrant 1 lost the prize (revoked, kept on record); entrant 2 now holds first prize.
    state = {w.entrant_id: (w.prize, w.revoked_at is None) for w in rows}
    assert state == {ids[1]: ("first", False), ids[2]: ("first", True)}
    assert revoked_reason(ids[1]).startswith("disqualified")


def revoked_reason(entrant_id: int) -> str:
    return db.session.scalar(select(Winner.revoke_reason).where(Winner.entrant_id == entrant_id))


def test_suspicious_signs_are_found(round_id):
    fast = results(round_id, [(1, 5, 3)])[1]  # 5 right in 3 seconds
    from quiz.models import Attempt

    # Five entrants on one browser.
    shared = [make_entrant(n).id for n in range(10, 15)]
    for person in shared:
        play(round_id, person, random.Random(person), right=2, duration_ms=60_000)
    drain_submissions(max_seconds=10)
    for attempt in db.session.scalars(select(Attempt).where(Attempt.entrant_id.in_(shared))):
        attempt.device = "abcdef0123456789"
    # Random predictions across attempts.
    bot = make_entrant(20).id
    for prediction in (1600, 2900, 3400):
        play(
            round_id,
            bot,
            random.Random(prediction),
            right=3,
            duration_ms=60_000,
            prediction=prediction,
        )
    drain_submissions(max_seconds=10)
    db.session.commit()
    suspects = {s.entrant_id: s.reasons for s in find_suspects(round_id)}
    assert "too_fast" in suspects[fast]
    assert all("shared_device" in suspects[p] for p in shared)
    assert "random_prediction" in suspects[bot]
