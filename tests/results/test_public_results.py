"""Public results: published prizes with masked names, gone when revoked; prizes shown up front."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quiz.extensions import db
from quiz.models import Round, Winner
from quiz.reports.winners import revoke_winner
from quiz.results.public import mask_name
from tests.results.conftest import publish


@pytest.mark.parametrize(
    ("full", "masked"),
    [
        ("Trần Thị Thử Nghiệm", "Trần T. T. N."),
        ("Lê Mẫu", "Lê M."),
        ("  Đỗ   văn  Ảnh ", "Đỗ v. Ả."),
        ("Mẫu", "M."),
    ],
)
def test_names_are_masked_to_family_name_and_initials(full, masked):
    assert mask_name(full) == masked


def test_results_appear_once_published_with_masked_names_and_no_personal_data(app, played):
    client = app.test_client()
    assert "Chưa có kết quả nào được công bố" in client.get("/c/thu/r/1/results").text
    publish(app, played.round_id)
    page = client.get("/c/thu/r/1/results").text
    first, second = page.index("Trần T. T. N."), page.index("Lê V. M.")
    assert first < second and "Giải Nhất" in page and "Giải Nhì" in page
    assert "Phạm M. V. D." not in page  # 2 right: below the third prize's minimum of 3
    assert "Trần Thị" not in page and "0900000" not in page
    assert "5/5" in page and "Xã D1-1" in page
    assert len(re.findall(r'<td class="num"[^>]*>—</td>', page)) == 2  # no prediction question: "—"
    assert "Trần T. T. N." in client.get("/c/thu/results").text


def test_a_revoked_prize_disappears_from_the_results(app, played):
    publish(app, played.round_id)
    with app.app_context():
        winner = db.session.scalar(select(Winner).where(Winner.prize == "first"))
        revoke_winner(winner, "không xác minh được danh tính")
        db.session.commit()
    page = app.test_client().get("/c/thu/r/1/results").text
    assert "Trần T. T. N." not in page and "Lê V. M." in page


def test_the_contest_page_shows_prizes_minimums_and_how_winners_are_chosen(app, played):
    with app.app_context():
        db.session.scalar(select(Round)).prizes = {"first": 1, "second": 2, "consolation": 10}
        db.session.commit()
        from quiz.catalog.rounds import clear_caches

        clear_caches()
    page = app.test_client().get("/c/thu").text
    assert "Giải Nhất: 1" in page and "Giải Nhì: 2" in page and "Giải Khuyến khích: 10" in page
    assert "từ 3 câu đúng" in page  # the third prize's minimum, though none is given now
    assert "Giấy chứng nhận tham gia từ 3 câu đúng" in page
    assert "nhiều câu trả lời đúng hơn" in page  # the ranking order, in words


@pytest.mark.parametrize("path", ["/c/none/results", "/c/thu/r/9/results"])
def test_unknown_contests_and_rounds_have_no_results_page(app, played, path):
    assert app.test_client().get(path).status_code == 404
