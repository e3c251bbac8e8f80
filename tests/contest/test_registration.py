"""Registration: every invalid field gets its own precise Vietnamese message."""

from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.models import Entrant
from tests.factories import make_bank, make_contest, make_units
from tests.players import Player, errors_in

# Synthetic test values: 0900 000 xxx phones; citizen IDs built from the rules.
PHONE = "0900000001"


@pytest.fixture
def contest(app):
    """Unit ids by code; no app context stays pushed while the client runs."""
    with app.app_context():
        units = make_units()
        make_contest(make_bank(), owner=units["P"])
        return {code: unit.id for code, unit in units.items()}


def valid(units, **overrides) -> dict:
    data = {
        "full_name": "Lò Thị Thử",
        "birth_year": "1990",
        "gender": "female",
        "phone": PHONE,
        "citizen_id": "",
        "unit": str(units["D1-C1"]),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "Vui lòng nhập họ và tên."),
        ("full_name", "Thử", "Vui lòng nhập đầy đủ họ và tên"),
        ("full_name", "Nguyễn Văn 3", "chỉ gồm chữ cái"),
        ("full_name", "Nguyễn " + "A" * 100, "tối đa 100 ký tự"),
        ("birth_year", "", "Vui lòng nhập năm sinh."),
        ("birth_year", "90", "bốn chữ số"),
        ("birth_year", "1850", "từ 1900 đến"),
        ("birth_year", "3000", "từ 1900 đến"),
        ("gender", "", "Vui lòng chọn giới tính."),
        ("phone", "", "Vui lòng nhập số điện thoại"),
        ("phone", "09000abc01", "chỉ gồm chữ số"),
        ("phone", "090000001", "bạn đã nhập 9 chữ số"),
        ("phone", "0110000001", "011 không phải là đầu số di động"),
        ("citizen_id", "12345", "đúng 12 chữ số"),
        ("citizen_id", "999190000001", "không phải là mã tỉnh"),
        ("citizen_id", "096185000001", "sinh năm 1985, không phải năm 1990"),
        ("citizen_id", "096090000001", "không khớp với giới tính"),
        ("unit", "", "Vui lòng chọn đơn vị"),
        ("unit", "999999", "không có trong danh sách"),
        ("unit_other", "x", "Vui lòng nhập tên đơn vị"),
        ("occupation", "astronaut", "Vui lòng chọn nhóm nghề nghiệp."),
        ("consent", "", "Bạn cần đồng ý"),
    ],
)
def test_each_invalid_field_gets_its_own_message(client, contest, field, value, message):
    overrides = {field: value}
    if field == "unit_other":
        overrides["unit"] = "other"
    response = Player(client).register(**valid(contest, **overrides))
    assert response.status_code == 200
    errors = errors_in(response.text)
    assert any(message in e for e in errors), errors
    assert 'aria-invalid="true"' in response.text
    with client.application.app_context():
        assert db.session.query(Entrant).count() == 0


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0900000001", "0900000001"),
        ("+84 900 000 001", "0900000001"),
        ("84900000001", "0900000001"),
        ("0900.000.001", "0900000001"),
    ],
)
def test_phone_is_stored_in_one_canonical_form(client, contest, typed, stored):
    assert Player(client).register(**valid(contest, phone=typed)).status_code == 303
    with client.application.app_context():
        assert db.session.query(Entrant.phone).scalar() == stored


def test_valid_citizen_id_and_other_unit_are_accepted(client, contest):
    response = Player(client).register(
        **valid(contest, citizen_id="096190000001", unit="other", unit_other="Trường THPT Thử")
    )
    assert response.status_code == 303
    with client.application.app_context():
        entrant = db.session.query(Entrant).one()
        assert (entrant.citizen_id, entrant.unit_id, entrant.unit_other) == (
            "096190000001",
            None,
            "Trường THPT Thử",
        )


def test_decomposed_vietnamese_name_is_stored_nfc(client, contest):
    import unicodedata

    name = unicodedata.normalize("NFD", "Lò   Thị Thử")
    assert Player(client).register(**valid(contest, full_name=name)).status_code == 303
    with client.application.app_context():
        assert db.session.query(Entrant.full_name).scalar() == "Lò Thị Thử"


def test_same_phone_with_another_birth_year_is_refused_and_keeps_the_form(app, contest):
    assert Player(app.test_client()).register(**valid(contest)).status_code == 303
    response = Player(app.test_client()).register(
        **valid(contest, birth_year="1991", full_name="Lò Văn Khác")
    )
    assert response.status_code == 200
    assert any("một năm sinh khác" in e for e in errors_in(response.text))
    assert 'value="Lò Văn Khác"' in response.text
    with app.app_context():
        assert db.session.query(Entrant.full_name, Entrant.birth_year).one() == ("Lò Thị Thử", 1990)


def test_returning_entrant_signs_in_with_phone_and_birth_year(app, contest):
    assert Player(app.test_client()).register(**valid(contest)).status_code == 303
    other_device = Player(app.test_client())
    wrong = other_device.login(PHONE, "1991")
    assert any("không khớp với lượt đăng ký nào" in e for e in errors_in(wrong.text))
    assert other_device.login("+84900000001", "1990").status_code == 303


def test_guessing_birth_years_is_throttled_per_phone(app, contest):
    assert Player(app.test_client()).register(**valid(contest)).status_code == 303
    guesser = Player(app.test_client())
    statuses = [guesser.login(PHONE, str(1950 + i)).status_code for i in range(10)]
    assert statuses == [200] * 9 + [429]  # registering took one try of the budget
    assert guesser.login(PHONE, "1990").status_code == 429  # the right year too, for a while
    assert guesser.login("0900000002", "1990").status_code == 200  # another phone's budget


def test_registration_without_csrf_token_is_refused(client, contest):
    response = client.post("/c/thu/register", data=valid(contest) | {"consent": "y"})
    assert response.status_code == 400
    assert "Trang đã hết hạn" in response.text or "hết hạn" in response.text


def test_entrants_who_cannot_win_are_told_on_the_contest_page(app, contest):
    from quiz.models import Contest

    with app.app_context():
        stored = db.session.scalar(db.select(Contest))
        stored.prize_rules = {"require_citizen_id": True}
        db.session.commit()
    player = Player(app.test_client())
    assert player.register(**valid(contest)).status_code == 303
    player.client.get("/lang/en")
    page = player.client.get("/c/thu").text
    assert "You gave no citizen ID: you may take part, but prizes need one." in page
