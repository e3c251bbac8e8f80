"""Certificates: a signed code per prize or participation, checked by the public verify page."""

from __future__ import annotations

import re

from sqlalchemy import select

from quiz.extensions import db
from quiz.models import Winner
from quiz.reports.review import disqualify
from quiz.reports.winners import revoke_winner
from quiz.results.certificates import participation_code, read_code, winner_code
from tests.results.conftest import close, publish


def my_certificates(player) -> list[str]:
    page = player.client.get("/c/thu/my-attempts").text
    return re.findall(r'href="/certificate/([^"]+)"', page)


def test_a_winner_prints_a_certificate_that_the_verify_page_confirms(app, played):
    publish(app, played.round_id)
    codes = my_certificates(played.players[0])
    assert len(codes) == 1 and codes[0].startswith("W-")
    client = app.test_client()  # anyone holding the code, not signed in
    page = client.get(f"/certificate/{codes[0]}").text
    assert "Giấy khen" in page and "Trần Thị Thử Nghiệm" in page and "Giải Nhất" in page
    assert "Cuộc thi thử" in page and "Tỉnh Thử Nghiệm" in page and codes[0] in page
    checked = client.get("/verify", query_string={"code": codes[0].lower()})
    assert checked.status_code == 200 and "Giấy chứng nhận hợp lệ" in checked.text
    assert "Trần T. T. N." in checked.text and "Trần Thị" not in checked.text


def test_a_forged_or_mistyped_code_is_refused_with_a_message(app, played):
    publish(app, played.round_id)
    with app.app_context():
        genuine = winner_code(db.session.scalar(select(Winner.id).where(Winner.prize == "first")))
        forged = winner_code(999)[:-1] + ("A" if winner_code(999)[-1] != "A" else "B")
        assert read_code(genuine) is not None and read_code(forged) is None
        other = genuine.replace("W-", "W-1", 1)  # another id with this signature
    client = app.test_client()
    for code in (forged, other, "W-1", "xyz"):
        response = client.get("/verify", query_string={"code": code})
        assert response.status_code == 404
        assert "Không có giấy chứng nhận hợp lệ nào mang mã này" in response.text
    assert client.get(f"/certificate/{forged}").status_code == 404


def test_a_revoked_prize_no_longer_verifies(app, played):
    publish(app, played.round_id)
    code = my_certificates(played.players[0])[0]
    with app.app_context():
        revoke_winner(db.session.scalar(select(Winner).where(Winner.prize == "first")), "sai")
        db.session.commit()
    assert app.test_client().get("/verify", query_string={"code": code}).status_code == 404
    assert my_certificates(played.players[0]) == []


def test_participation_certificates_follow_the_rounds_threshold_once_it_has_ended(app, played):
    assert my_certificates(played.players[1]) == []  # the round is still open
    close(app, played.round_id)
    fours, twos = my_certificates(played.players[1]), my_certificates(played.players[2])
    assert [c[:2] for c in fours] == ["P-"] and twos == []  # 4 right ≥ 3; 2 right < 3
    page = app.test_client().get(f"/certificate/{fours[0]}").text
    assert "Giấy chứng nhận tham gia" in page and "Lê Văn Mẫu" in page
    with app.app_context():
        entrant_id = read_code(fours[0])[1][1]
        disqualify(played.round_id, entrant_id, "dùng công cụ tự động", None)
        db.session.commit()
        assert participation_code(played.round_id, entrant_id) == fours[0]
    assert app.test_client().get("/verify", query_string={"code": fours[0]}).status_code == 404
