"""Console conference pages over HTTP: scope, roles, the check-in API, imports, exports."""

from __future__ import annotations

import io
import re
import secrets

import openpyxl
import pytest
from sqlalchemy import func, select

from quiz.extensions import db
from quiz.models import AuditEvent, CheckIn, Conference, ConferenceDocument, Delegate
from tests.conferences.helpers import delegates_of, make_conference, token_of
from tests.console.conftest import csrf


@pytest.fixture
def app_config(schema, database_url, redis_url, tmp_path):
    from tests.conftest import make_config

    return make_config(database_url, redis_url, CONFERENCE_DOCUMENTS_DIR=str(tmp_path / "docs"))


@pytest.fixture
def conf(app, world):
    with app.app_context():
        conference = make_conference(world.units["D1"])
        return {
            "id": conference.id,
            "session": conference.sessions[0].id,
            "points": [p.id for p in conference.points],
            "tokens": [token_of(d) for d in delegates_of(conference)],
        }


def pages(c) -> list[str]:
    base = f"/console/conferences/{c['id']}"
    return [
        base,
        f"{base}/edit",
        f"{base}/attendance",
        f"{base}/attendance.xlsx",
        f"{base}/absentees.xlsx",
        f"{base}/delegates",
        f"{base}/delegates/template.xlsx",
        f"{base}/invitations",
        f"{base}/scan",
        f"{base}/offline.json",
        f"{base}/search.json?q=dai",
        f"{base}/sessions/{c['session']}/screen",
        f"{base}/sessions/{c['session']}/code.json",
    ]


def test_organizer_of_another_unit_sees_nothing(as_staff, conf):
    client = as_staff("org2")
    for url in pages(conf):
        with client.get(url) as response:
            assert response.status_code == 404, url
    assert "Hội nghị thử" not in client.get("/console/conferences").text
    response = client.post(
        f"/console/conferences/{conf['id']}/checkins",
        json={"nonce": secrets.token_hex(8), "text": conf["tokens"][0]},
        headers={"X-CSRFToken": csrf(client)},
    )
    assert response.status_code == 404


def test_organizer_of_the_unit_sees_everything(as_staff, conf):
    client = as_staff("org1")
    for url in pages(conf):
        with client.get(url) as response:
            assert response.status_code == 200, url
    assert "Hội nghị thử" in client.get("/console/conferences").text


def test_viewer_sees_attendance_but_no_personal_data(as_staff, conf):
    client = as_staff("view1")
    assert client.get(f"/console/conferences/{conf['id']}/attendance").status_code == 200
    for url in ("attendance.xlsx", "absentees.xlsx", "delegates", "scan", "offline.json"):
        assert client.get(f"/console/conferences/{conf['id']}/{url}").status_code == 403, url


def test_exports_with_personal_data_are_audited(app, as_staff, conf):
    client = as_staff("org1")
    with client.get(f"/console/conferences/{conf['id']}/attendance.xlsx") as response:
        book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[:2] == ["Theo điểm cầu", "Chi tiết điểm danh"]
    client.get(f"/console/conferences/{conf['id']}/absentees.xlsx").close()
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"conference_attendance_exported", "conference_absentees_exported"} <= actions


def post_scans(client, conf, body):
    return client.post(
        f"/console/conferences/{conf['id']}/checkins",
        json=body,
        headers={"X-CSRFToken": csrf(client)},
    )


def test_check_in_api_single_scan_and_retry(app, as_staff, conf):
    client = as_staff("org1")
    nonce = secrets.token_hex(12)
    body = {
        "device": "tablet-1",
        "point_id": conf["points"][0],
        "nonce": nonce,
        "text": conf["tokens"][0],
    }
    first = post_scans(client, conf, body).get_json()["results"][0]
    assert (first["code"], first["ok"], first["point"]) == ("checked_in", True, "Điểm cầu A")
    assert first["delegate"]["name"] == "Đại Biểu Số 1" and "phone" not in first["delegate"]
    retried = post_scans(client, conf, body).get_json()["results"][0]
    assert retried["code"] == "checked_in" and retried["repeat"]
    again = post_scans(client, conf, dict(body, nonce=secrets.token_hex(12))).get_json()["results"][
        0
    ]
    assert again["code"] == "already_checked_in" and first["time"] in again["detail"]
    with app.app_context():
        row = db.session.scalar(select(CheckIn))
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
        assert (row.device, row.staff_id is not None) == ("tablet-1", True)


def test_the_projector_shows_how_many_are_checked_in_and_follows_new_scans(as_staff, conf):
    client = as_staff("org1")
    screen = f"/console/conferences/{conf['id']}/sessions/{conf['session']}"
    assert "Đã điểm danh: 0" in client.get(f"{screen}/screen").text
    for token in conf["tokens"][:2]:
        body = {"point_id": conf["points"][0], "nonce": secrets.token_hex(12), "text": token}
        assert post_scans(client, conf, body).get_json()["results"][0]["ok"]
    state = client.get(f"{screen}/code.json").get_json()
    assert (state["checked_in"], state["checked_in_text"]) == (2, "Đã điểm danh: 2")
    at_b = client.get(f"{screen}/code.json?point={conf['points'][1]}").get_json()
    assert at_b["checked_in"] == 0  # the screen of another connection point counts its own


def test_check_in_api_takes_an_offline_batch_and_reports_the_conflict(app, as_staff, conf):
    from quiz.timeutil import now_ms

    client = as_staff("org1")
    post_scans(
        client,
        conf,
        {"device": "door-1", "nonce": secrets.token_hex(12), "text": conf["tokens"][0]},
    )
    made = now_ms() - 120_000
    batch = {
        "device": "door-2",
        "point_id": conf["points"][1],
        "scans": [
            {
                "nonce": secrets.token_hex(12),
                "text": conf["tokens"][0],
                "at_ms": made,
                "queued": True,
            },
            {
                "nonce": secrets.token_hex(12),
                "text": conf["tokens"][1],
                "at_ms": made + 1000,
                "queued": True,
            },
            {
                "nonce": secrets.token_hex(12),
                "text": "1-999-" + "A" * 26,
                "at_ms": made,
                "queued": True,
            },
        ],
    }
    results = post_scans(client, conf, batch).get_json()["results"]
    assert [r["code"] for r in results] == ["conflict", "checked_in", "forged"]
    dashboard = client.get(f"/console/conferences/{conf['id']}/attendance?part=1").text
    assert "Đại Biểu Số 1" in dashboard  # listed under the conflicts


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"scans": []},
        {"nonce": "short", "text": "x"},
        {"nonce": "a" * 20, "method": "hack"},
        {"scans": "x"},
    ],
)
def test_check_in_api_refuses_malformed_requests(as_staff, conf, body):
    assert post_scans(as_staff("org1"), conf, body).status_code == 400


def test_check_in_api_requires_the_csrf_token(as_staff, conf):
    client = as_staff("org1")
    response = client.post(
        f"/console/conferences/{conf['id']}/checkins", json={"nonce": "a" * 20, "text": "x"}
    )
    assert response.status_code == 400


def test_scan_page_loads_the_local_decoder_without_inline_script(as_staff, conf):
    page = as_staff("org1").get(f"/console/conferences/{conf['id']}/scan")
    assert "/static/vendor/qr-scanner.umd.min.js" in page.text and "<script>" not in page.text
    assert "worker-src 'self' blob:" in page.headers["Content-Security-Policy"]


def upload(client, conf, data: bytes):
    page = client.get(f"/console/conferences/{conf['id']}/delegates")
    from tests.players import csrf_from

    return client.post(
        f"/console/conferences/{conf['id']}/delegates/upload",
        data={"csrf_token": csrf_from(page.text), "file": (io.BytesIO(data), "ds.xlsx")},
        content_type="multipart/form-data",
    )


def sheet(rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Họ và tên", "Chức vụ", "Đơn vị", "Số điện thoại", "Điểm cầu"])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def delegate_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Delegate))


def test_bad_delegate_file_imports_nothing(app, as_staff, conf):
    client = as_staff("org1")
    response = upload(
        client, conf, sheet([["Hà Văn Tốt", "", "", "0900000401", ""], ["Sai", "", "", "999", ""]])
    )
    assert response.status_code == 422 and "Import these delegates" not in response.text
    assert upload(client, conf, b"not a workbook").status_code == 422
    assert delegate_count(app) == 3


def test_good_delegate_file_is_previewed_then_imported_and_audited(app, as_staff, conf):
    import re

    client = as_staff("org1")
    preview = upload(client, conf, sheet([["Hà Văn Tốt", "", "", "0900000401", "Điểm cầu B"]]))
    assert preview.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
    from tests.players import csrf_from

    done = client.post(
        f"/console/conferences/{conf['id']}/delegates/import",
        data={"csrf_token": csrf_from(preview.text), "token": token},
    )
    assert done.status_code == 303
    assert delegate_count(app) == 4
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent.id).where(AuditEvent.action == "conference_delegates_imported")
        )


def test_create_conference_with_a_plenary_session(app, as_staff, world):
    client = as_staff("org1")
    from tests.players import csrf_from

    page = client.get("/console/conferences/new")
    response = client.post(
        "/console/conferences/new",
        data={
            "csrf_token": csrf_from(page.text),
            "title": "Hội nghị học tập nghị quyết",
            "owner_unit": world.units["D1-C1"],
            "starts_at": "2026-12-01T07:30",
            "ends_at": "2026-12-01T11:30",
            "round": "0",
            "checkin_opens_minutes": "60",
            "late_after_minutes": "10",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        conference = db.session.scalar(select(Conference))
        assert len(conference.sessions) == 1 and conference.owner_unit_id == world.units["D1-C1"]
    other = as_staff("org2").get(response.location)
    assert other.status_code == 404


def test_organizer_cannot_create_for_another_unit(as_staff, world):
    client = as_staff("org1")
    from tests.players import csrf_from

    page = client.get("/console/conferences/new")
    response = client.post(
        "/console/conferences/new",
        data={
            "csrf_token": csrf_from(page.text),
            "title": "X",
            "owner_unit": world.units["D2"],
            "starts_at": "2026-12-01T07:30",
            "ends_at": "2026-12-01T11:30",
            "round": "0",
            "checkin_opens_minutes": "60",
            "late_after_minutes": "10",
        },
    )
    assert response.status_code == 200  # not a choice for this account: the form refuses it


def document_post(client, conf, data: bytes, name: str):
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    from tests.players import csrf_from

    page = client.get(f"/console/conferences/{conf['id']}")
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(
        {
            "csrf_token": csrf_from(page.text),
            "document-title": "",
            "document-file": FileStorage(io.BytesIO(data), filename=name),
        }
    )
    return client.post(
        f"/console/conferences/{conf['id']}/documents",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_document_upload_checks_content_and_allows_20_mb(app, as_staff, conf):
    client = as_staff("org1")
    document_post(client, conf, b"<script>alert(1)</script>", "x.pdf")
    big = b"%PDF-1.4\n" + b"0" * (17 * 1024 * 1024)
    assert document_post(client, conf, big, "lon.pdf").status_code == 303
    with app.app_context():
        documents = db.session.scalars(select(ConferenceDocument)).all()
    assert [d.filename for d in documents] == ["lon.pdf"]
    with as_staff("org2").get(
        f"/console/conferences/{conf['id']}/documents/{documents[0].id}"
    ) as r:
        assert r.status_code == 404


def test_period_summary_is_scoped(as_staff, conf):
    body = as_staff("org2").get("/console/conferences/summary").text
    assert "Huyện D1" not in body
    assert "Huyện D1" in as_staff("org1").get("/console/conferences/summary").text


def edit_conference(client, world, conf, **changes):
    from tests.players import csrf_from

    page = client.get(f"/console/conferences/{conf['id']}/edit")
    assert page.status_code == 200 and "Hội nghị thử" in page.text
    form = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page.text))
    form.update(
        {
            "csrf_token": csrf_from(page.text),
            "title": "Hội nghị thử (sửa)",
            "starts_at": "2026-12-01T07:30",
            "ends_at": "2026-12-02T11:30",
            "owner_unit": str(world.units["D1"]),
            "round": "0",
            **changes,
        }
    )
    return client.post(f"/console/conferences/{conf['id']}/edit", data=form)


def test_edit_links_a_round_of_the_unit_and_opens_walk_ins(app, as_staff, world, conf):
    client = as_staff("org1")
    response = edit_conference(client, world, conf, round=str(world.contest_d1), allow_walk_ins="y")
    assert response.status_code == 303
    with app.app_context():
        from quiz.conferences.snapshot import conference_info

        conference = db.session.get(Conference, conf["id"])
        assert (conference.title, conference.round_id) == ("Hội nghị thử (sửa)", world.contest_d1)
        assert conference.allow_walk_ins and conference_info(conf["id"]).allow_walk_ins


def test_edit_refuses_a_round_of_another_unit(app, as_staff, world, conf):
    response = edit_conference(as_staff("org1"), world, conf, round=str(world.contest_d2))
    assert response.status_code == 200 and 'id="round-error"' in response.text
    with app.app_context():
        assert db.session.get(Conference, conf["id"]).round_id is None


@pytest.mark.parametrize("page", ["", "/delegates", "/edit", "/invitations"])
def test_no_two_elements_share_an_id(as_staff, conf, page):
    """Labels point at their own field (the detail page has three forms), and a sheet of
    invitation codes does not repeat the SVG's ids."""
    from collections import Counter

    text = as_staff("org1").get(f"/console/conferences/{conf['id']}{page}").text
    ids = Counter(re.findall(r'\bid="([^"]+)"', text))
    assert [i for i, n in ids.items() if n > 1 and i != "csrf_token"] == []
