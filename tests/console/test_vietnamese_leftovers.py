"""The English and raw leftovers of issue 10, each seen where a person meets it."""

from __future__ import annotations

import io
import re
import secrets

import openpyxl
import pytest
from flask_babel import force_locale

from quiz.catalog.questions import Pool
from quiz.conferences.checkin import VENUE_DEVICE, Scan, Where, record_scan
from quiz.conferences.exports import attendance_workbook
from quiz.conferences.setup import add_point
from quiz.conferences.snapshot import conference_info
from quiz.contest.papers import NotEnoughQuestions, check_drawable
from quiz.extensions import db
from quiz.models import Conference, Unit
from quiz.timeutil import now_ms
from tests.conferences.helpers import delegates_of, make_conference, token_of
from tests.players import Player


@pytest.fixture
def conference_id(app, world) -> int:
    with app.app_context():
        conference = make_conference(world.units["D1"])
        add_point(conference, {"name": "Điểm cầu không đơn vị", "expected": 2})
        db.session.commit()
        return conference.id


def test_a_quota_the_bank_cannot_fill_is_explained_in_vietnamese(app):
    pool = Pool(revision=1, ids=(1, 2, 3), by_topic={"Lịch sử": (1, 2, 3)})
    with app.test_request_context(), force_locale("vi"):
        with pytest.raises(NotEnoughQuestions) as refused:
            check_drawable(pool, 6, (("Lịch sử", 5),))
        assert str(refused.value) == "chủ đề “Lịch sử” có 3 câu hỏi, nhưng cần lấy 5 câu"


@pytest.mark.parametrize(
    ("account", "url", "status", "title"),
    [
        ("view1", "/console/staff", 403, "Không có quyền truy cập"),
        ("org1", "/console/khong-co-trang-nay", 404, "Không tìm thấy"),
    ],
)
def test_refusal_pages_speak_vietnamese(as_staff, account, url, status, title):
    response = as_staff(account).get(url)
    assert response.status_code == status
    assert title in response.text
    assert "Forbidden" not in response.text and "Not Found" not in response.text


def test_connection_point_without_unit_or_contact_shows_no_none(as_staff, conference_id):
    page = as_staff("org1").get(f"/console/conferences/{conference_id}").text
    assert "Điểm cầu không đơn vị" in page
    assert "None" not in page


def test_password_hint_only_where_an_account_has_a_password(as_staff, world):
    admin = as_staff("admin")
    new = admin.get("/console/staff/new").text
    assert "Mật khẩu (ít nhất 10 ký tự)" in new and "giữ" not in new
    with admin.application.app_context():
        from quiz.models import Staff

        staff_id = db.session.scalar(db.select(Staff.id).where(Staff.username == "view1"))
    edit = admin.get(f"/console/staff/{staff_id}/edit").text
    assert "Để trống nếu muốn giữ mật khẩu hiện tại." in edit


def test_scan_page_has_no_stray_separator(as_staff, conference_id):
    page = as_staff("org1").get(f"/console/conferences/{conference_id}/scan").text
    assert "data-net" in page
    assert "</span> · <span" not in page


def test_conference_pages_are_headed_by_the_conference(app, client, conference_id):
    with app.app_context():
        delegate = delegates_of(db.session.get(Conference, conference_id))[0]
        token = token_of(delegate)
    page = client.get(f"/q/{token}").text
    assert '<span class="brand">Hội nghị thử</span>' in page
    assert "Cuộc thi trực tuyến</a>" not in page


def test_attendance_shows_refusal_titles_and_the_venue_device_by_name(app, as_staff, conference_id):
    with app.app_context():
        info = conference_info(conference_id)
        record_scan(info, Scan(secrets.token_hex(12), text="rác"), Where(), now_ms())
        delegate = delegates_of(db.session.get(Conference, conference_id))[0]
        scan = Scan(secrets.token_hex(12), text=token_of(delegate))
        record_scan(info, scan, Where(device=VENUE_DEVICE), now_ms())
        workbook = attendance_workbook(db.session.get(Conference, conference_id))
    page = as_staff("org1").get(f"/console/conferences/{conference_id}/attendance").text
    assert "Không phải mã điểm danh: 1" in page
    assert "unreadable" not in page
    detail = list(openpyxl.load_workbook(io.BytesIO(workbook))["Chi tiết điểm danh"].values)
    assert detail[1][8] == "Điện thoại người dự (QR hội trường)"


def test_demo_units_do_not_repeat_their_kind(app):
    from quiz.demo import seed_units

    with app.app_context():
        seed_units()
        names = db.session.scalars(db.select(Unit.name)).all()
    assert "Thành phố Sơn Lâm" in names
    assert not [n for n in names if n.split()[:2] == n.split()[2:4]]


@pytest.mark.parametrize(("locale", "one"), [("en", "1 entrant,"), ("vi", "1 người dự thi,")])
def test_one_entrant_is_singular(app, world, locale, one):
    player = Player(app.test_client(), slug="d1")
    registered = player.register(phone="0912345678", unit=str(world.units["D1-C1"]))
    assert registered.status_code == 303, registered.text
    player.start()
    player.client.get(f"/lang/{locale}")
    assert one in player.client.get("/c/d1").text


@pytest.mark.parametrize(
    ("max_attempts", "shown", "warned"),
    [(3, "immediately", True), (None, "immediately", True), (1, "immediately", False),
     (3, "after_close", False)],
)  # fmt: skip
def test_round_form_warns_when_the_key_shown_at_once_meets_a_retake(
    app, as_staff, world, max_attempts, shown, warned
):
    from quiz.models import Contest

    with app.app_context():
        round_ = db.session.get(Contest, world.contest_d1).rounds[0]
        round_.max_attempts, round_.show_answers = max_attempts, shown
        db.session.commit()
        round_id = round_.id
    page = as_staff("org1").get(f"/console/rounds/{round_id}/edit").text
    warning = re.search(
        r"<p class=\"flash warning\" role=\"status\" data-key-leak( hidden)?>", page
    )
    assert warning is not None
    assert (warning.group(1) is None) is warned
    assert "có thể học thuộc đáp án" in page


def test_a_round_form_sent_without_its_fields_is_refused_in_vietnamese(app, as_staff, world):
    from quiz.models import Contest
    from tests.console.conftest import csrf

    with app.app_context():
        round_id = db.session.get(Contest, world.contest_d1).rounds[0].id
    organizer = as_staff("org1")
    response = organizer.post(
        f"/console/rounds/{round_id}/edit", data={"csrf_token": csrf(organizer)}
    )
    assert response.status_code == 200  # the form again, never a 500
    assert "Hãy chọn một trong các mục có trong danh sách." in response.text
    assert "Not a valid choice." not in response.text


def test_wtforms_stock_messages_come_from_the_catalog(as_staff):
    from tests.console.conftest import csrf

    admin = as_staff("admin")
    response = admin.post("/console/staff/new", data={"csrf_token": csrf(admin)})
    assert "Vui lòng điền mục này." in response.text
    assert "This field is required." not in response.text


def test_survey_pages_are_headed_as_a_survey(app, client, tmp_path):
    from quiz.demo import seed_demo
    from quiz.demo_surveys import PUBLIC_SLUG

    with app.app_context():
        seed_demo(tmp_path / "password")
    page = client.get(f"/s/{PUBLIC_SLUG}").text
    assert '<span class="brand">Khảo sát</span>' in page
    assert "Cuộc thi trực tuyến</a>" not in page
