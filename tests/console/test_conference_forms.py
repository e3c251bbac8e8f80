"""Conference console forms and endpoints under hostile input: a precise message on the
field at fault (never WTForms' stock English), and never a 500."""

from __future__ import annotations

import html
import io
import re
import secrets

import pytest
from flask_babel import gettext
from sqlalchemy import select

from quiz.extensions import db
from quiz.models import Conference, ConferenceSession, ConnectionPoint, Delegate
from tests.conferences.helpers import make_conference
from tests.console.conftest import csrf
from tests.players import csrf_from

STOCK = ("This field is required", "Not a valid", "Invalid Choice", "Number must", "Field ")
HUGE = str(10**20)


@pytest.fixture
def app_config(schema, database_url, redis_url, tmp_path):
    from tests.conftest import make_config

    return make_config(database_url, redis_url, CONFERENCE_DOCUMENTS_DIR=str(tmp_path / "docs"))


@pytest.fixture
def cid(app, world) -> int:
    with app.app_context():
        return make_conference(world.units["D1"]).id


def said(app, message: str, **values) -> str:
    """The message as the interface says it (in Vietnamese once translated)."""
    with app.test_request_context():
        return gettext(message, **values)


def error_of(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def no_stock_english(page: str) -> None:
    errors = re.findall(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)
    assert errors and not [e for e in errors if e.startswith(STOCK)], errors


def post_conference(client, world, **changes):
    page = client.get("/console/conferences/new")
    data = {
        "csrf_token": csrf_from(page.text),
        "title": "Hội nghị mẫu",
        "owner_unit": str(world.units["D1"]),
        "starts_at": "2026-12-01T07:30",
        "ends_at": "2026-12-01T11:30",
        "round": "0",
        "checkin_opens_minutes": "60",
        "late_after_minutes": "10",
        **changes,
    }
    return client.post("/console/conferences/new", data=data)


YEARS = ("Enter a date between the years %(first)s and %(last)s.", {"first": 2000, "last": 2099})
MINUTES = ("Enter a whole number of minutes from 0 to 1440 (one day).", {})


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", ("Enter the conference's title.", {})),
        ({"title": "T" * 301}, "title", ("A title has at most 300 characters.", {})),
        ({"owner_unit": "x"}, "owner_unit", ("Choose the organizing unit from the list.", {})),
        ({"owner_unit": HUGE}, "owner_unit", ("Choose the organizing unit from the list.", {})),
        ({"round": HUGE}, "round", ("Choose a round from the list, or none.", {})),
        ({"venue": "V" * 301}, "venue", ("A venue has at most 300 characters.", {})),
        ({"starts_at": ""}, "starts_at", ("Enter when the conference starts.", {})),
        (
            {"starts_at": "mai"},
            "starts_at",
            ("Enter a date and a time (day, month, year, hour and minute).", {}),
        ),
        (
            {"ends_at": "2026-13-45T99:99"},
            "ends_at",
            ("Enter a date and a time (day, month, year, hour and minute).", {}),
        ),
        ({"starts_at": "0001-01-01T00:00"}, "starts_at", YEARS),
        ({"ends_at": "9999-12-31T23:59"}, "ends_at", YEARS),
        ({"checkin_opens_minutes": "-5"}, "checkin_opens_minutes", MINUTES),
        ({"checkin_opens_minutes": HUGE}, "checkin_opens_minutes", MINUTES),
        ({"late_after_minutes": "1e5"}, "late_after_minutes", MINUTES),
        ({"late_after_minutes": ""}, "late_after_minutes", MINUTES),
        ({"ends_at": "2026-12-01T06:30"}, "ends_at", ("The end must come after the start.", {})),
    ],
)
def test_conference_form_names_the_field_and_what_it_expects(
    app, as_staff, world, changes, field, message
):
    response = post_conference(as_staff("org1"), world, **changes)
    assert response.status_code == 200
    assert error_of(response.text, field) == said(app, message[0], **message[1])
    no_stock_english(response.text)
    with app.app_context():
        assert db.session.scalar(select(Conference.id)) is None


def test_another_units_id_is_not_a_choice(app, as_staff, world):
    response = post_conference(as_staff("org1"), world, owner_unit=str(world.units["D2"]))
    assert error_of(response.text, "owner_unit") == said(
        app, "Choose the organizing unit from the list."
    )


def test_control_characters_are_dropped_not_a_500(app, as_staff, world):
    response = post_conference(
        as_staff("org1"), world, title="Hội\x00 nghị", agenda="Một\x00\nHai\x1b", venue="\x00"
    )
    assert response.status_code == 303
    with app.app_context():
        conference = db.session.scalar(select(Conference))
        assert (conference.title, conference.agenda, conference.venue) == (
            "Hội nghị",
            "Một\nHai",
            "",
        )


PREFIX = {"sessions": "session-", "points": "point-", "documents": "document-", "delegates": ""}


def post_child(client, cid: int, path: str, data: dict, files: bool = False):
    page = client.get(f"/console/conferences/{cid}")
    return client.post(
        f"/console/conferences/{cid}/{path}",
        data={"csrf_token": csrf_from(page.text)}
        | {PREFIX[path] + name: value for name, value in data.items()},
        content_type="multipart/form-data" if files else None,
    )


@pytest.mark.parametrize(
    ("path", "data", "field", "message"),
    [
        ("sessions", {"title": "", "starts_at": "2026-12-01T07:30", "ends_at": "2026-12-01T09:00"},
         "title", "Give the session a title."),
        ("sessions", {"title": "Chiều", "starts_at": "zz", "ends_at": "2026-12-01T09:00"},
         "starts_at", "Enter a date and a time (day, month, year, hour and minute)."),
        ("sessions", {"title": "Chiều", "starts_at": "2026-12-01T07:30", "ends_at": ""},
         "ends_at", "Enter when the session ends."),
        ("sessions", {"title": "Chiều", "starts_at": "2026-12-01T07:30",
                      "ends_at": "2026-12-01T06:30"},
         "ends_at", "The end must come after the start."),
        ("points", {"name": ""}, "name", "Give the connection point a name."),
        ("points", {"name": "Điểm cầu A"}, "name",
         "This conference already has a connection point of that name."),
        ("points", {"name": "C", "unit": HUGE}, "unit",
         "Choose the point's unit from the list, or none."),
        ("points", {"name": "C", "expected": "-5"}, "expected",
         "Expected delegates: a whole number from 0 to 100,000."),
        ("points", {"name": "C", "contact_phone": "<script>"}, "contact_phone",
         "A contact phone has at most 20 characters: digits, spaces and + ( ) . -"),
        ("delegates", {"full_name": "", "point": "0"}, "full_name",
         "Please enter your full name."),
        ("delegates", {"full_name": "Đại Biểu Mới", "phone": "12"}, "phone",
         "A mobile number has 10 digits starting with 0 (e.g. 0912 345 678); you typed %(n)s."),
        ("delegates", {"full_name": "Đại Biểu Mới", "point": HUGE}, "point",
         "Choose a connection point from the list, or none."),
        ("delegates", {"full_name": "Đại Biểu Mới", "phone": "0900000001"}, "phone",
         "This delegate is already on the list."),
    ],
)  # fmt: skip
def test_session_point_and_delegate_forms_show_the_error_on_the_field(
    app, as_staff, cid, path, data, field, message
):
    response = post_child(as_staff("org1"), cid, path, data)
    assert response.status_code == 422
    assert error_of(response.text, PREFIX[path] + field) == said(app, message, n=2)
    no_stock_english(response.text)
    with app.app_context():
        assert len(db.session.scalars(select(ConferenceSession)).all()) == 2
        assert len(db.session.scalars(select(ConnectionPoint)).all()) == 2
        assert len(db.session.scalars(select(Delegate)).all()) == 3


def test_document_form_names_a_missing_or_refused_file(app, as_staff, cid):
    client = as_staff("org1")
    missing = post_child(client, cid, "documents", {"title": ""}, files=True)
    assert missing.status_code == 422
    assert error_of(missing.text, "document-file") == said(app, "Choose a file to upload.")
    wrong = post_child(
        client, cid, "documents", {"file": (io.BytesIO(b"MZ\x90 exe"), "a.pdf")}, files=True
    )
    assert wrong.status_code == 422
    assert error_of(wrong.text, "document-file") == said(
        app, "Only PDF, Word (.docx) and Excel (.xlsx) files can be attached."
    )


def test_child_forms_drop_control_characters(app, as_staff, cid):
    client = as_staff("org1")
    post_child(
        client,
        cid,
        "sessions",
        {"title": "Chiều\x00", "starts_at": "2026-12-01T13:30", "ends_at": "2026-12-01T17:00"},
    )
    post_child(client, cid, "points", {"name": "Điểm\x00 C", "contact_phone": "0214\x00"})
    post_child(client, cid, "delegates", {"full_name": "Đại Biểu Mới", "position": "\x00Tổ"})
    with app.app_context():
        assert db.session.scalar(
            select(ConferenceSession.id).where(ConferenceSession.title == "Chiều")
        )
        assert (
            db.session.scalar(
                select(ConnectionPoint.contact_phone).where(ConnectionPoint.name == "Điểm C")
            )
            == "0214"
        )
        assert (
            db.session.scalar(select(Delegate.position).where(Delegate.full_name == "Đại Biểu Mới"))
            == "Tổ"
        )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"method": "manual", "delegate_id": 10**20}, "not_invited"),
        ({"method": "manual", "delegate_id": True}, "not_invited"),
        ({"text": "khong phai ma", "at_ms": 10**20, "queued": True}, "unreadable"),
        ({"text": "khong phai ma", "at_ms": -(10**20), "queued": True}, "unreadable"),
        ({"text": "khong phai ma", "at_ms": 1.5e300, "queued": "yes"}, "unreadable"),
        ({"text": "x\x00", "device": "cua\x00"}, "unreadable"),
        ({"text": "1-1-" + "A" * 26, "point_id": 10**20, "session_id": 10**20}, "forged"),
        ({"text": "001185000123|1|L\x00ò Thị|15061985|Nữ|x|01022021"}, "not_invited"),
        ({"text": ["x"]}, "unreadable"),
    ],
)
def test_check_in_api_answers_hostile_scans_with_a_reason_code(as_staff, cid, body, code):
    client = as_staff("org1")
    response = client.post(
        f"/console/conferences/{cid}/checkins",
        json={"nonce": secrets.token_hex(10), **body},
        headers={"X-CSRFToken": csrf(client)},
    )
    assert response.status_code == 200
    assert response.get_json()["results"][0]["code"] == code


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"/console/conferences/{HUGE}", 404),
        (f"/console/conferences/{{c}}/sessions/{HUGE}/screen", 404),
        (f"/console/conferences/{{c}}/delegates/{HUGE}/qr.png", 404),
        ("/console/conferences/{c}/search.json?q=%00dai", 200),
        ("/console/conferences/{c}/delegates?q=%00dai", 200),
        (f"/console/conferences/{{c}}/delegates?page={HUGE}", 200),
        (f"/console/conferences/{{c}}/invitations?page={HUGE}&point={HUGE}", 200),
        (f"/console/conferences/{{c}}/sessions/1/screen?point={HUGE}", 200),
        ("/console/conferences/summary?first=0001-01-01&last=9999-12-31", 200),
        ("/console/conferences/summary.xlsx?first=0001-01-01&last=0001-01-02", 200),
        (f"/d/{HUGE}", 404),
        (f"/d/{{c}}/ABCDEF?p={HUGE}", 200),
    ],
)
def test_hostile_addresses_are_never_a_500(as_staff, cid, url, status):
    with as_staff("org1").get(url.format(c=cid)) as response:
        assert response.status_code == status
