"""The demo seed plays its contests: leaderboard, review list, winners and results not empty."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quiz.demo import DEMO_SLUG, seed_demo
from quiz.demo_results import ENTRANTS, FINISHED_SLUG
from quiz.extensions import db
from quiz.models import Attempt, Contest, Entrant, Round, Score, Winner
from quiz.reports.review import find_suspects
from quiz.scoring.leaderboard import leaderboard
from tests.helpers.pages import without_asset_urls


@pytest.fixture
def seeded(app, tmp_path):
    """Seeded twice, as run.sh does on every start."""
    with app.app_context():
        seed_demo(tmp_path / "password")
        counts = [db.session.scalar(select(func.count()).select_from(Score))]
        seed_demo(tmp_path / "password")
        counts.append(db.session.scalar(select(func.count()).select_from(Score)))
        rounds = {
            slug: db.session.execute(
                select(Round.contest_id, Round.id)
                .join(Contest)
                .where(Contest.slug == slug, Round.number == 1)
            ).one()
            for slug in (DEMO_SLUG, FINISHED_SLUG)
        }
    return counts, rounds


def test_the_demo_entrants_attempts_are_all_scored_once(app, seeded):
    counts, _rounds = seeded
    with app.app_context():
        attempts = db.session.scalar(select(func.count()).select_from(Attempt))
        entrants = db.session.scalar(select(func.count()).select_from(Entrant))
    assert entrants == ENTRANTS and attempts >= 2 * ENTRANTS
    assert counts[0] == attempts and counts[1] == counts[0]  # the second run adds nothing


def test_the_open_rounds_leaderboard_and_review_list_are_not_empty(app, seeded):
    _counts, rounds = seeded
    with app.app_context():
        contest_id, round_id = rounds[DEMO_SLUG]
        assert leaderboard().size(contest_id, round_id) == ENTRANTS
        reasons = {code for s in find_suspects(round_id) for code in s.reasons}
    assert {"too_fast", "shared_device"} <= reasons
    page = app.test_client().get(f"/c/{DEMO_SLUG}/r/1/leaderboard").text
    assert page.count("<tr") > 10


def test_the_finished_contest_has_published_winners_on_its_results_page(app, seeded):
    _counts, rounds = seeded
    with app.app_context():
        prizes = db.session.scalars(
            select(Winner.prize).where(Winner.round_id == rounds[FINISHED_SLUG][1])
        ).all()
    assert "first" in prizes and len(prizes) >= 5
    page = app.test_client().get(f"/c/{FINISHED_SLUG}/results").text
    assert "Giải Nhất" in page and "Giải Khuyến khích" in page
    assert "0900" not in without_asset_urls(page)  # no phone number
    errors = re.findall(r'data-label="Sai số dự đoán">([^<]*)<', page)
    assert errors and all(e.isdigit() for e in errors)  # the round has a prediction question
