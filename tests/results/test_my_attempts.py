"""'My attempts': the signed-in entrant's attempts with score, rank and receipt; nobody else's."""

from __future__ import annotations

import re

from tests.results.conftest import answer


def test_my_attempts_lists_each_attempt_with_score_rank_and_receipt(app, played):
    player = played.players[1]
    answer(app, player, 3)  # a second attempt, scored later
    page = player.client.get("/c/thu/my-attempts")
    assert page.headers["Cache-Control"] == "no-store"
    rows = re.findall(r"<tr><td[^>]*><a href=\"(/a/[^\"]+)\">Lần (\d)</a>", page.text)
    assert [n for _, n in rows] == ["1", "2"]
    assert rows[0][0].endswith("/result")  # each attempt links to its result page
    assert "4/5" in page.text and "Thứ hạng của bạn: 2/3" in page.text
    receipts = re.findall(r'<td class="code"[^>]*>([A-Z0-9]{4}-[A-Z0-9]{4})</td>', page.text)
    result = player.client.get(rows[0][0]).text
    assert len(receipts) == 2 and receipts[0] in result  # the receipt the submit gave


def test_my_attempts_shows_only_my_own(app, played):
    page = played.players[0].client.get("/c/thu/my-attempts").text
    assert "5/5" in page and "4/5" not in page and "2/5" not in page


def test_my_attempts_asks_to_sign_in_first(app, played):
    response = app.test_client().get("/c/thu/my-attempts")
    assert response.status_code == 303 and response.headers["Location"].endswith("/c/thu/login")
