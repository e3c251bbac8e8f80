"""The attendee's pages over HTTP: venue code, identification, documents, the linked quiz."""

from __future__ import annotations

import re

import pytest
from flask_babel import gettext
from sqlalchemy import func, select

from quiz.conferences.documents import store
from quiz.conferences.messages import TITLES
from quiz.conferences.venue import SLOT_MS, shown_code
from quiz.extensions import db
from quiz.models import CheckIn, Delegate, Entrant, Reason
from quiz.timeutil import now_ms
from tests.conferences.helpers import delegates_of, make_conference, token_of
from tests.factories import make_bank, make_contest, make_units
from tests.players import csrf_from, errors_in

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def setup(app):
    with app.app_context():
        units = make_units()
        contest = make_contest(make_bank(), owner=units["D1"], slug="sau-hoi-nghi")
        conference = make_conference(units["D1"].id, round_id=contest.rounds[0].id)
        store(conference.id, "Báo cáo chính trị", "bao-cao.pdf", PDF, None)
        db.session.commit()
        return {
            "id": conference.id,
            "session": conference.sessions[0].id,
            "point_b": conference.points[1].id,
            "tokens": [token_of(d) for d in delegates_of(conference)],
        }


def code_now(app, setup, at=None) -> str:
    return shown_code(app.secret_key, setup["id"], setup["session"], at or now_ms()).code


def arrive(client, app, setup, point=None):
    query = f"?p={point}" if point else ""
    response = client.get(f"/d/{setup['id']}/{code_now(app, setup)}{query}")
    assert response.status_code == 303 and response.location.endswith(f"/d/{setup['id']}/who")
    return client.get(response.location)


def checkins(app) -> list[CheckIn]:
    with app.app_context():
        return db.session.scalars(select(CheckIn)).all()


def test_scan_screen_then_phone_checks_in(client, app, setup):
    page = arrive(client, app, setup, point=setup["point_b"])
    done = client.post(
        page.request.path, data={"csrf_token": csrf_from(page.text), "phone": "0900 000 002"}
    )
    assert done.status_code == 200
    assert "Đại Biểu Số 2" in done.text
    rows = checkins(app)
    assert len(rows) == 1
    assert (rows[0].method, rows[0].point_id, rows[0].session_id) == (
        "venue_qr",
        setup["point_b"],
        setup["session"],
    )


def test_typed_code_works_like_the_qr(client, app, setup):
    page = client.get(f"/d/{setup['id']}")
    typed = code_now(app, setup).lower()
    response = client.post(
        f"/d/{setup['id']}", data={"csrf_token": csrf_from(page.text), "code": typed}
    )
    assert response.status_code == 303 and response.location.endswith("/who")


def test_forwarded_link_older_than_a_minute_is_refused(client, app, setup):
    old = code_now(app, setup, at=now_ms() - 2 * SLOT_MS - 61_000)
    response = client.get(f"/d/{setup['id']}/{old}")
    assert response.status_code == 200
    with app.test_request_context():
        expired = gettext(
            "This code has expired. Codes change every 30 seconds: scan the code on the screen "
            "again, or type the one shown now."
        )
    assert expired in response.text
    assert client.get(f"/d/{setup['id']}/who").status_code == 303  # no pass was given
    assert checkins(app) == []


def test_wrong_typed_code_is_refused(client, app, setup):
    page = client.get(f"/d/{setup['id']}")
    response = client.post(
        f"/d/{setup['id']}", data={"csrf_token": csrf_from(page.text), "code": "ZZZZZZ"}
    )
    assert response.status_code == 422


def test_name_search_then_pick_with_the_last_digits_of_the_phone(client, app, setup):
    arrive(client, app, setup)
    found = client.get(f"/d/{setup['id']}/who?q=bieu so 3")
    assert "Đại Biểu Số 3" in found.text and "Đại Biểu Số 1" not in found.text
    assert "0900000003" not in found.text  # no phone is shown
    delegate_id = re.search(r'name="delegate" value="(\d+)"', found.text).group(1)
    data = {"csrf_token": csrf_from(found.text), "delegate": delegate_id, "digits": "0003"}
    done = client.post(found.request.full_path, data=data)
    assert "Đại Biểu Số 3" in done.text
    assert len(checkins(app)) == 1


@pytest.mark.parametrize(
    "data",
    [{"delegate": str(10**20)}, {"delegate": "-1"}, {"phone": "\x00"}, {"phone": "09\x00"}],
)
def test_hostile_identification_checks_nobody_in_and_is_never_a_500(client, app, setup, data):
    page = arrive(client, app, setup)
    response = client.post(page.request.path, data={"csrf_token": csrf_from(page.text), **data})
    assert response.status_code == 200
    assert checkins(app) == []


def test_walk_in_form_drops_control_characters(client, app, setup):
    from quiz.conferences.snapshot import forget
    from quiz.models import Conference

    with app.app_context():
        db.session.get(Conference, setup["id"]).allow_walk_ins = True
        db.session.commit()
        forget(setup["id"])
    arrive(client, app, setup)
    form = client.get(f"/d/{setup['id']}/walk-in")
    client.post(
        form.request.path,
        data={
            "csrf_token": csrf_from(form.text),
            "full_name": "Khách\x00 Vãng Lai",
            "phone": "0900000777",
            "position": "\x00Khách mời",
        },
    )
    with app.app_context():
        walk_in = db.session.scalar(select(Delegate).where(Delegate.phone == "0900000777"))
        assert (walk_in.full_name, walk_in.position) == ("Khách Vãng Lai", "Khách mời")


def test_pass_is_good_for_one_check_in(client, app, setup):
    page = arrive(client, app, setup)
    client.post(page.request.path, data={"csrf_token": csrf_from(page.text), "phone": "0900000001"})
    again = client.get(f"/d/{setup['id']}/who")
    assert again.status_code == 303


def test_unknown_phone_is_not_invited_and_nothing_recorded(client, app, setup):
    page = arrive(client, app, setup)
    response = client.post(
        page.request.path, data={"csrf_token": csrf_from(page.text), "phone": "0900000999"}
    )
    with app.test_request_context():
        assert str(TITLES[Reason.NOT_INVITED]) in response.text
    assert checkins(app) == []


def test_walk_in_form_is_closed_when_walk_ins_are_off(client, app, setup):
    arrive(client, app, setup)
    assert client.get(f"/d/{setup['id']}/walk-in").status_code == 303


def test_walk_in_registers_and_checks_in_when_allowed(client, app, setup):
    from quiz.models import Conference

    with app.app_context():
        db.session.get(Conference, setup["id"]).allow_walk_ins = True
        db.session.commit()
        from quiz.conferences.snapshot import forget

        forget(setup["id"])
    arrive(client, app, setup)
    form = client.get(f"/d/{setup['id']}/walk-in")
    done = client.post(
        form.request.path,
        data={
            "csrf_token": csrf_from(form.text),
            "full_name": "Khách Vãng Lai",
            "phone": "0900000777",
            "unit_name": "Xã Mẫu",
        },
    )
    assert "Khách Vãng Lai" in done.text
    with app.app_context():
        walk_in = db.session.scalar(select(Delegate).where(Delegate.phone == "0900000777"))
        assert walk_in.is_walk_in
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_documents_only_after_check_in(client, app, setup):
    assert client.get(f"/d/{setup['id']}/me").status_code == 303
    assert client.get(f"/d/{setup['id']}/documents/1").status_code == 403
    page = arrive(client, app, setup)
    client.post(page.request.path, data={"csrf_token": csrf_from(page.text), "phone": "0900000001"})
    home = client.get(f"/d/{setup['id']}/me")
    assert "Báo cáo chính trị" in home.text
    link = re.search(r'href="(/d/\d+/documents/\d+)"', home.text).group(1)
    document = client.get(link)
    assert document.status_code == 200 and document.data == PDF
    assert document.headers["Content-Disposition"].startswith("attachment")
    assert document.headers["X-Content-Type-Options"] == "nosniff"
    assert document.mimetype == "application/pdf"
    document.close()


def test_invitation_address_shows_the_card_but_does_not_check_in(client, app, setup):
    response = client.get(f"/Q/{setup['tokens'][0].upper()}")
    assert response.status_code == 200 and "Đại Biểu Số 1" in response.text
    assert checkins(app) == []
    assert client.get("/q/1-1-" + "A" * 26).status_code == 404


def test_invitation_opened_after_check_in_leads_to_the_documents(client, app, setup):
    page = arrive(client, app, setup)
    client.post(page.request.path, data={"csrf_token": csrf_from(page.text), "phone": "0900000001"})
    other = app.test_client()
    response = other.get(f"/q/{setup['tokens'][0]}")
    assert response.status_code == 303 and response.location.endswith("/me")


def test_linked_quiz_starts_identified_and_asks_the_year_of_birth(client, app, setup):
    page = arrive(client, app, setup)
    client.post(page.request.path, data={"csrf_token": csrf_from(page.text), "phone": "0900000001"})
    form = client.get(f"/d/{setup['id']}/quiz")
    assert 'name="birth_year"' in form.text and 'name="phone"' not in form.text
    refused = client.post(
        form.request.path, data={"csrf_token": csrf_from(form.text), "occupation": "official"}
    )
    assert refused.status_code == 200 and 'aria-invalid="true"' in refused.text
    done = client.post(
        form.request.path,
        data={
            "csrf_token": csrf_from(form.text),
            "birth_year": "1980",
            "gender": "male",
            "occupation": "official",
            "consent": "y",
        },
    )
    assert done.status_code == 303 and done.location.endswith("/c/sau-hoi-nghi")
    with app.app_context():
        entrant = db.session.scalar(select(Entrant).where(Entrant.phone == "0900000001"))
        assert (entrant.full_name, entrant.birth_year) == ("Đại Biểu Số 1", 1980)
    contest = client.get("/c/sau-hoi-nghi")
    assert "Đại Biểu Số 1" in contest.text


def test_quiz_keeps_the_phone_and_year_rule_for_returning_entrants(client, app, setup):
    from tests.factories import make_entrant

    with app.app_context():
        make_entrant(1, birth_year=1975)  # phone 0900000001 already an entrant, born 1975
    page = arrive(client, app, setup)
    client.post(page.request.path, data={"csrf_token": csrf_from(page.text), "phone": "0900000001"})
    form = client.get(f"/d/{setup['id']}/quiz")
    response = client.post(
        form.request.path,
        data={
            "csrf_token": csrf_from(form.text),
            "birth_year": "1980",
            "gender": "male",
            "occupation": "official",
            "consent": "y",
        },
    )
    assert response.status_code == 200  # refused: another year of birth for this phone
    assert any("một năm sinh khác" in e for e in errors_in(response.text))
    with app.app_context():
        assert (
            db.session.scalar(select(Entrant.birth_year).where(Entrant.phone == "0900000001"))
            == 1975
        )


def test_check_in_page_is_light(client, app, setup):
    page = client.get(f"/d/{setup['id']}")
    assets = re.findall(r'(?:href|src)="(/(?:static|conferences)[^"]+)"', page.text)
    total = len(page.data)
    for address in assets:
        with client.get(address) as asset:
            total += len(asset.data)
    assert assets and total < 50_000
    assert "<script>" not in page.text and "style=" not in page.text
