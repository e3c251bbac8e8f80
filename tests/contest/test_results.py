"""What entrants see after submitting: receipt, score, rank, answers, leaderboards."""

from __future__ import annotations

import re

import pytest

from quiz.models.contests import Visibility
from quiz.scoring.jobs import close_round, drain_submissions
from tests.contest.test_attempts import registered, setup_contest
from tests.players import Player


def submit_all_first_options(app, player: Player) -> str:
    from quiz.contest.attempts import engine
    from quiz.scoring.persistence import load_attempt

    token = player.start()
    with app.app_context():
        paper = load_attempt(engine().signer.verify(token).attempt_id).paper
    answers = {f"q{i}": str(order.index("0")) for i, (_qid, order) in enumerate(paper)}
    player.submit(token, answers)
    return token


def drain(app) -> None:
    with app.app_context():
        drain_submissions(max_seconds=10)


def test_answers_are_shown_only_after_the_round_closes(app):
    unit = setup_contest(app, show_answers=Visibility.AFTER_CLOSE)
    player = registered(app, unit)
    token = submit_all_first_options(app, player)
    drain(app)
    before = player.result(token).text
    assert "Đúng 5/5 câu" in before
    assert "Giải thích câu" not in before and "✔" not in before
    with app.app_context():
        from quiz.catalog.rounds import clear_caches

        assert close_round(1)
        clear_caches()
    after = player.result(token).text
    assert after.count("✔") == 5 and "Giải thích câu" in after


def test_scores_never_shown_keep_the_receipt_only(app):
    unit = setup_contest(app, show_score=Visibility.NEVER, show_answers=Visibility.NEVER)
    player = registered(app, unit)
    token = submit_all_first_options(app, player)
    drain(app)
    page = player.result(token).text
    assert re.search(r'class="code">[A-Z0-9]{4}-[A-Z0-9]{4}<', page)
    assert "Đúng 5/5" not in page and "không hiển thị cho người dự thi" in page
    board = player.client.get("/c/thu/r/1/leaderboard").text
    assert "Người Thử" not in board


def test_round_leaderboard_ranks_names_and_units_and_shows_your_rank(app):
    unit = setup_contest(app)
    players = [registered(app, unit, phone=f"09000000{n:02d}") for n in range(1, 4)]
    for player in players:
        submit_all_first_options(app, player)
    drain(app)
    page = players[1].client.get("/c/thu/r/1/leaderboard").text
    assert page.count('<tr class="me">') == 1
    assert "Xã D1-1" in page
    assert "0900000" not in page  # phone numbers are never shown
    ranks = re.findall(r"<tr(?: class=\"me\")?><td>(\d+)</td>", page)
    assert ranks[0] == "1" and len(ranks) == 3
    overall = players[0].client.get("/c/thu/leaderboard").text
    assert len(re.findall(r"<tr(?: class=\"me\")?><td>\d+</td>", overall)) == 3


@pytest.mark.parametrize("path", ["/c/none", "/c/none/r/1/leaderboard", "/c/thu/r/9/leaderboard"])
def test_unknown_contests_and_rounds_are_404_pages(app, path):
    setup_contest(app)
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert "Không tìm thấy" in response.text or "không tồn tại" in response.text.lower()
