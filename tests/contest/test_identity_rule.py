"""An entrant's identity belongs to that entrant: registering again, signing in, guessing."""

from __future__ import annotations

import re

import pytest

from quiz.contest.identity_rule import IDENTITY_LIMIT
from quiz.extensions import db
from quiz.models import Entrant
from tests.factories import make_bank, make_contest, make_entrant, make_units
from tests.players import Player, errors_in

PHONE = "0900000001"
CITIZEN_ID = "096190000001"  # a woman born in 1990, province 096
BUDGET = int(IDENTITY_LIMIT.split()[0])


@pytest.fixture
def unit(app) -> int:
    with app.app_context():
        units = make_units()
        make_contest(make_bank(), owner=units["P"])
        return units["D1-C1"].id


def details(unit_id: int, **overrides) -> dict:
    data = {
        "full_name": "Lò Thị Thử",
        "birth_year": "1990",
        "gender": "female",
        "phone": PHONE,
        "citizen_id": CITIZEN_ID,
        "unit": str(unit_id),
        "occupation": "official",
    }
    return data | overrides


def stored(app) -> tuple:
    with app.app_context():
        entrant = db.session.query(Entrant).one()
        return (
            entrant.full_name,
            entrant.birth_year,
            entrant.gender,
            entrant.citizen_id,
            entrant.unit_id,
            entrant.unit_other,
            entrant.occupation,
        )


def test_registering_a_known_phone_signs_in_and_changes_nothing(app, unit):
    assert Player(app.test_client()).register(**details(unit)).status_code == 303
    before = stored(app)
    again = Player(app.test_client())
    response = again.register(
        **details(
            unit,
            full_name="Lò Thị Đổi Tên",
            citizen_id="",  # left blank: must not erase the one a prize needs
            unit="other",
            unit_other="Đơn vị khác",
            occupation="farmer",
        )
    )
    assert response.status_code == 303
    assert stored(app) == before
    page = again.client.get("/c/thu").text
    assert "Lò Thị Thử" in page and "Lò Thị Đổi Tên" not in page  # signed in, as stored
    assert "thông tin đăng ký trước đây được giữ nguyên" in page


def test_sign_in_answers_an_unknown_phone_as_it_answers_a_wrong_year(app, unit):
    with app.app_context():
        make_entrant(1, birth_year=1990)  # PHONE, registered before this window
    unknown, known = "0900000002", PHONE

    def answers(phone: str) -> list[tuple[int, list[str], str]]:
        player, seen = Player(app.test_client()), []
        for _ in range(BUDGET + 1):
            response = player.login(phone, "1991")
            page = re.sub(r'name="csrf_token"[^>]*>', "", response.text).replace(phone, "")
            seen.append((response.status_code, errors_in(response.text), page))
        return seen

    told = answers(known)
    assert answers(unknown) == told
    assert [status for status, _errors, _page in told] == [200] * BUDGET + [429]
    assert "không khớp với lượt đăng ký nào" in told[0][1][0]


def test_registering_and_signing_in_draw_from_one_budget_per_phone(app, unit):
    assert Player(app.test_client()).register(**details(unit)).status_code == 303
    for n in range(4):
        other_year = details(unit, birth_year=str(1980 + n), citizen_id="")
        refused = Player(app.test_client()).register(**other_year)
        assert any("một năm sinh khác" in e for e in errors_in(refused.text))
    for n in range(5):
        assert Player(app.test_client()).login(PHONE, str(1960 + n)).status_code == 200
    owner = Player(app.test_client())
    spent = owner.register(**details(unit, full_name="Lò Thị Gõ Lại"))
    assert spent.status_code == 429
    assert any("thử quá nhiều lần" in e for e in errors_in(spent.text))
    assert 'value="Lò Thị Gõ Lại"' in spent.text  # what was typed is kept
    assert owner.login(PHONE, "1990").status_code == 429
