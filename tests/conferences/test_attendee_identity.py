"""At the venue, checking in proves presence; who one is needs what only that person knows.

The linked quiz identifies by the year of birth typed (on the phone's one
budget), never by the delegate record; picking a name needs the last digits
of the phone on record, on the same budget, whatever the pass.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quiz.conferences.delegates import new_delegate
from quiz.contest.identity_rule import IDENTITY_LIMIT
from quiz.extensions import db
from quiz.models import Delegate, Entrant
from tests.conferences.helpers import make_conference
from tests.conferences.test_attendee import arrive, checkins
from tests.factories import make_bank, make_contest, make_entrant, make_units
from tests.helpers.pages import without_asset_urls
from tests.players import Player, csrf_from, errors_in

BUDGET = int(IDENTITY_LIMIT.split()[0])
SLUG = "sau-hoi-nghi"
REGISTERED = 1975


@pytest.fixture
def hall(app):
    """A conference under way with walk-ins and a linked quiz; delegate 1 (0900000001) is
    an entrant born in 1975 with a citizen ID, and the list has one name without a phone."""
    with app.app_context():
        units = make_units()
        contest = make_contest(make_bank(), owner=units["D1"], slug=SLUG)
        conference = make_conference(units["D1"].id, walk_ins=True, round_id=contest.rounds[0].id)
        for n in (1, 7):
            make_entrant(n, birth_year=REGISTERED).citizen_id = f"0961750000{n:02d}"
        db.session.add(new_delegate(conference.id, "Đại Biểu Không Số", position="Khách mời"))
        db.session.commit()
        return {"id": conference.id, "session": conference.sessions[0].id}


def entrant_row(app, phone: str) -> tuple:
    with app.app_context():
        e = db.session.scalar(select(Entrant).where(Entrant.phone == phone))
        return (e.full_name, e.birth_year, e.gender, e.citizen_id, e.unit_id, e.occupation)


def check_in_by_phone(client, app, hall, phone: str = "0900000001") -> None:
    page = arrive(client, app, hall)
    done = client.post(page.request.path, data={"csrf_token": csrf_from(page.text), "phone": phone})
    assert 'class="card result ok"' in done.text


def walk_in(client, app, hall, name: str, phone: str) -> None:
    arrive(client, app, hall)
    form = client.get(f"/d/{hall['id']}/walk-in")
    data = {"csrf_token": csrf_from(form.text), "full_name": name, "phone": phone}
    assert 'class="card result ok"' in client.post(form.request.path, data=data).text


def quiz(client, hall, **fields):
    form = client.get(f"/d/{hall['id']}/quiz")
    data = {"csrf_token": csrf_from(form.text), "gender": "male", "occupation": "official"}
    return client.post(form.request.path, data=data | {"consent": "y"} | fields)


@pytest.mark.parametrize(
    ("arrival", "phone"),
    [("listed delegate", "0900000001"), ("walk-in", "0900000007")],
)
def test_the_quiz_signs_an_existing_entrant_in_unchanged(client, app, hall, arrival, phone):
    if arrival == "walk-in":
        walk_in(client, app, hall, "Khách Mạo Danh", phone)
    else:
        check_in_by_phone(client, app, hall, phone)
    before = entrant_row(app, phone)
    done = quiz(client, hall, birth_year=str(REGISTERED))
    assert done.status_code == 303 and done.location.endswith(f"/c/{SLUG}")
    assert entrant_row(app, phone) == before  # not renamed, no field replaced
    page = client.get(f"/c/{SLUG}").text
    assert before[0] in page  # signed in as the stored entrant
    assert "thông tin đăng ký trước đây được giữ nguyên" in page  # and told so


def test_the_quiz_asks_the_year_even_when_the_delegate_record_has_it(client, app, hall):
    with app.app_context():
        delegate = db.session.scalar(select(Delegate).where(Delegate.phone == "0900000001"))
        delegate.birth_year, delegate.gender = REGISTERED, "male"
        db.session.commit()
    check_in_by_phone(client, app, hall)
    form = client.get(f"/d/{hall['id']}/quiz")
    assert 'name="birth_year"' in form.text
    shown = re.sub(r'name="csrf_token"[^>]*>', "", form.text)
    assert str(REGISTERED) not in shown and "0900000001" not in shown  # nothing to copy
    blank = quiz(client, hall)
    assert blank.status_code == 200
    assert any("Vui lòng nhập năm sinh" in e for e in errors_in(blank.text))
    wrong = quiz(client, hall, birth_year="1976")
    assert any("một năm sinh khác" in e for e in errors_in(wrong.text))
    assert "Đang đăng nhập" not in client.get(f"/c/{SLUG}").text  # nobody signed in


def test_year_guesses_on_the_quiz_and_at_sign_in_share_the_phone_budget(client, app, hall):
    for n in range(BUDGET // 2):
        Player(app.test_client(), SLUG).login("0900000001", str(1950 + n))
    check_in_by_phone(client, app, hall)
    for n in range(BUDGET - BUDGET // 2):
        assert quiz(client, hall, birth_year=str(1960 + n)).status_code == 200
    spent = quiz(client, hall, birth_year=str(REGISTERED))
    assert spent.status_code == 429
    assert any("thử quá nhiều lần" in e for e in errors_in(spent.text))
    assert Player(app.test_client(), SLUG).login("0900000001", REGISTERED).status_code == 429


def pick(client, app, hall, name: str, digits: str | None, fresh_pass: bool = True):
    """Search the name and pick it (the only one found), typing `digits` if given."""
    if fresh_pass:
        arrive(client, app, hall)
    found = client.get(f"/d/{hall['id']}/who?q={name}")
    picked = re.search(r'value="(\d+)"', found.text.split('class="matches"')[1]).group(1)
    data = {"csrf_token": csrf_from(found.text), "delegate": picked}
    if digits is not None:
        data["digits"] = digits
    return client.post(found.request.full_path, data=data)


def test_picking_a_name_needs_the_last_digits_of_the_phone_on_record(client, app, hall):
    arrive(client, app, hall)
    found = client.get(f"/d/{hall['id']}/who?q=bieu so 3")
    assert "Đại Biểu Số 3" in found.text
    assert "003" not in without_asset_urls(found.text)  # no digit of the phone as a hint
    for typed, message in ((None, "4 chữ số cuối"), ("1234", "Đây không phải 4 chữ số cuối")):
        refused = pick(client, app, hall, "bieu so 3", typed, fresh_pass=False)
        assert any(message in e for e in errors_in(refused.text))
        assert " checked>" in refused.text and 'value="1234"' not in refused.text
    assert checkins(app) == []
    done = pick(client, app, hall, "bieu so 3", "0003", fresh_pass=False)
    assert 'class="card result ok"' in done.text and "Đại Biểu Số 3" in done.text


def test_wrong_digits_are_counted_on_the_server_whatever_the_pass(app, hall):
    for browser in range(2):  # a new browser, and a new pass, for each half of the tries
        client = app.test_client()
        for n in range(BUDGET // 2):
            wrong = pick(client, app, hall, "bieu so 2", f"9{browser}{n:02d}", fresh_pass=n == 0)
            assert any("Đây không phải" in e for e in errors_in(wrong.text))
    spent = pick(app.test_client(), app, hall, "bieu so 2", "0002")
    assert spent.status_code == 429
    assert any("nhập sai quá nhiều lần" in e for e in errors_in(spent.text))
    assert checkins(app) == []
    check_in_by_phone(app.test_client(), app, hall, "0900000002")  # the full number still works


def test_the_attendee_search_does_not_find_delegates_by_phone_digits(client, app, hall):
    arrive(client, app, hall)
    found = client.get(f"/d/{hall['id']}/who?q=0003")
    assert "Đại Biểu Số 3" not in found.text


def test_a_delegate_without_a_phone_cannot_be_picked(client, app, hall):
    arrive(client, app, hall)
    found = client.get(f"/d/{hall['id']}/who?q=khong so")
    assert "Đại Biểu Không Số" in found.text and 'name="delegate"' not in found.text
    with app.app_context():
        no_phone = db.session.scalar(select(Delegate.id).where(Delegate.phone.is_(None)))
    data = {"csrf_token": csrf_from(found.text), "delegate": no_phone, "digits": "0000"}
    refused = client.post(found.request.path, data=data)
    assert any("điểm danh tại cửa" in e for e in errors_in(refused.text))
    assert checkins(app) == []
