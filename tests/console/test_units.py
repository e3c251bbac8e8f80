"""Console: the unit tree page, editing, moving, merging and the Excel import, by role and scope."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from quiz.console.uploads import KEEP_SECONDS
from quiz.extensions import db, get_redis
from quiz.models import AuditEvent, Entrant, Unit
from quiz.units.reader import read_units
from quiz.units.spec import DATA_SHEET
from tests.console.conftest import csrf
from tests.factories import make_entrant
from tests.units import workbook

CONFIRM = re.compile(r'action="/console/units/import/([A-Za-z0-9_-]+)"')
PROBLEM = re.compile(r'<tr class="problem"><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>')


def english(client):
    client.get("/lang/en")
    return client


def snapshot(app) -> set[tuple]:
    """Every unit's code, name, parent, path and merge mark, straight from the database."""
    with app.app_context():
        rows = db.session.execute(
            select(Unit.code, Unit.name, Unit.parent_id, Unit.path, Unit.merged_into_id)
        )
        return set(rows)


def unit(app, code: str) -> Unit:
    with app.app_context():
        found = db.session.scalar(select(Unit).where(Unit.code == code))
        db.session.expunge(found)
        return found


def audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def upload(client, data: bytes, name: str = "don-vi.xlsx"):
    """POST a file as a browser would. The body is encoded here: for large bodies the
    test client's own encoder leaves a temporary file open, which pytest reports."""
    boundary = "quiz-test-boundary-7d1f"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{csrf(client)}\r\n--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    return client.post(
        "/console/units/import",
        data=head.encode() + data + f"\r\n--{boundary}--\r\n".encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


# --- the tree page ---------------------------------------------------------------------


def test_the_tree_shows_only_the_accounts_own_units(as_staff):
    page = as_staff("org1").get("/console/units")
    assert page.status_code == 200
    for name in ("Huyện D1", "Xã D1-1", "Xã D1-2"):
        assert name in page.text
    for name in ("Huyện D2", "Xã D2-1", "Công an tỉnh", "Tỉnh Thử Nghiệm"):
        assert name not in page.text
    everything = as_staff("admin").get("/console/units").text
    assert all(n in everything for n in ("Huyện D2", "Công an tỉnh", "Tỉnh Thử Nghiệm"))


def test_the_tree_is_indented_and_marks_merged_units(app, as_staff, world):
    client = english(as_staff("admin"))
    with app.app_context():
        source, target = db.session.get(Unit, world.units["D1-C1"]), world.units["D1-C2"]
        source.merged_into_id = target
        db.session.commit()
    page = client.get("/console/units").text
    commune = page[page.index(f'data-unit="{world.units["D1-C1"]}"') :]
    commune = commune[: commune.index("</tr>")]
    assert commune.count("&emsp;") == 2  # two levels below the province
    assert "merged into Xã D1-2 (D1-C2)" in commune
    filtered = client.get("/console/units?q=xa d2").text  # no diacritics, any case
    assert "Xã D2-1" in filtered and "Xã D1-1" not in filtered


def test_viewers_read_the_tree_without_edit_links(as_staff, world):
    page = as_staff("view1").get("/console/units")
    assert page.status_code == 200 and "Huyện D1" in page.text
    assert "/edit" not in page.text and "/console/units/import" not in page.text


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get("/console/units")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


# --- who may do what -------------------------------------------------------------------

ACTIONS = ("edit", "move", "merge")


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("code", ["D2", "D2-C1", "P", "AG"])
def test_an_organizer_cannot_reach_units_outside_their_own(app, as_staff, world, action, code):
    client = as_staff("org1")
    before = snapshot(app)
    target = world.units[code]
    page = client.get(f"/console/units/{target}/{action}")
    assert page.status_code == 404
    data = {
        "csrf_token": csrf(client),
        "code": "HACK",
        "name": "Đã sửa",
        "parent": world.units["D1"],
        "target": world.units["D1"],
        "confirm": "y",
    }
    response = client.post(f"/console/units/{target}/{action}", data=data)
    assert response.status_code == 404
    assert "Huyện D2" not in response.text + page.text
    assert snapshot(app) == before


@pytest.mark.parametrize(
    "path",
    [
        "/console/units/new",
        "/console/units/{c}/edit",
        "/console/units/{c}/move",
        "/console/units/{c}/merge",
        "/console/units/import",
        "/console/units/import/aaaaaaaaaaaaaaaaaaaaaaaa",
    ],
)
def test_viewers_cannot_change_anything(app, as_staff, world, path):
    client = as_staff("view1")
    before = snapshot(app)
    url = path.format(c=world.units["D1-C1"])
    data = {
        "csrf_token": csrf(client),
        "code": "V1",
        "name": "Của người xem",
        "parent": world.units["D1"],
        "target": world.units["D1-C2"],
        "confirm": "y",
        "file": (io.BytesIO(workbook([["V1", "Xã V", "Xã", "D1", None]])), "v.xlsx"),
    }
    assert client.post(url, data=data, content_type="multipart/form-data").status_code == 403
    if not url.startswith("/console/units/import/"):
        assert client.get(url).status_code == 403
    assert snapshot(app) == before
    assert client.get("/console/units/template.xlsx").status_code == 403


# --- create, edit, move, merge ---------------------------------------------------------


def test_an_organizer_adds_a_unit_only_under_their_own(app, as_staff, world):
    client = english(as_staff("org1"))
    form = client.get(f"/console/units/new?parent={world.units['D1']}").text
    assert f'<option selected value="{world.units["D1"]}"' in form
    assert "Huyện D2" not in form and "top level" not in form
    response = client.post(
        "/console/units/new",
        data={
            "csrf_token": csrf(client),
            "parent": world.units["D1"],
            "code": "D1-C3",
            "name": "Xã D1-3",
            "kind": "Xã",
            "population": "4100",
        },
    )
    assert response.status_code == 303
    new = unit(app, "D1-C3")
    assert (new.parent_id, new.depth, new.population) == (world.units["D1"], 2, 4100)
    assert [e.target for e in audit(app, "unit_created")] == ["D1-C3"]
    outside = client.post(
        "/console/units/new",
        data={"csrf_token": csrf(client), "parent": world.units["D2"], "code": "X", "name": "X"},
    )
    assert outside.status_code == 200 and "Not a valid choice" in outside.text
    top = client.post(
        "/console/units/new",
        data={"csrf_token": csrf(client), "parent": 0, "code": "X", "name": "X"},
    )
    assert top.status_code == 200 and "Not a valid choice" in top.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Unit.code == "X")) == 0


def test_an_administrator_may_add_a_top_level_unit(app, as_staff, world):
    client = as_staff("admin")
    response = client.post(
        "/console/units/new",
        data={"csrf_token": csrf(client), "parent": 0, "code": "T2", "name": "Tỉnh Hai"},
    )
    assert response.status_code == 303
    assert unit(app, "T2").parent_id is None


def test_editing_a_unit_checks_its_code(app, as_staff, world):
    client = english(as_staff("org1"))
    url = f"/console/units/{world.units['D1-C1']}/edit"
    assert 'value="D1-C1"' in client.get(url).text
    data = {"csrf_token": csrf(client), "code": "D1-C1", "name": "Xã Một", "kind": "Xã"}
    assert client.post(url, data={**data, "population": "2500"}).status_code == 303
    assert (unit(app, "D1-C1").name, unit(app, "D1-C1").population) == ("Xã Một", 2500)
    taken = client.post(url, data={**data, "code": "D2-C1"})  # another district's code
    assert taken.status_code == 200 and "Code D2-C1 is already used" in taken.text
    negative = client.post(url, data={**data, "population": "-3"})
    assert negative.status_code == 200 and "0 or more" in negative.text
    assert unit(app, "D1-C1").code == "D1-C1"


def test_moving_a_unit_within_scope_and_nowhere_else(app, as_staff, world):
    client = english(as_staff("org1"))
    ids = world.units
    url = f"/console/units/{ids['D1-C1']}/move"
    choices = client.get(url).text
    assert "Xã D1-2" in choices and "Huyện D2" not in choices
    assert f'value="{ids["D1-C1"]}"' not in choices  # not under itself
    refused = [
        client.post(url, data={"csrf_token": csrf(client), "parent": ids[code]})
        for code in ("D2", "D2-C1", "P", "D1-C1")
    ]
    assert all(r.status_code == 200 and "Not a valid choice" in r.text for r in refused)
    assert unit(app, "D1-C1").parent_id == ids["D1"]
    moved = client.post(url, data={"csrf_token": csrf(client), "parent": ids["D1-C2"]})
    assert moved.status_code == 303
    assert unit(app, "D1-C1").path == f"/{ids['P']}/{ids['D1']}/{ids['D1-C2']}/{ids['D1-C1']}/"
    (event,) = audit(app, "unit_moved")
    assert (event.target, event.details["old"], event.details["new"]) == ("D1-C1", "D1", "D1-C2")


def test_an_organizer_cannot_move_or_merge_their_own_top_unit(app, as_staff, world):
    client = english(as_staff("org1"))
    before = snapshot(app)
    for action, field in (("move", "parent"), ("merge", "target")):
        url = f"/console/units/{world.units['D1']}/{action}"
        assert "None of your units can take it" in client.get(url).text
        data = {"csrf_token": csrf(client), field: world.units["P"], "confirm": "y"}
        assert client.post(url, data=data).status_code == 200
    assert snapshot(app) == before


def test_an_administrator_moves_a_district_with_its_communes(app, as_staff, world):
    client = as_staff("admin")
    ids = world.units
    response = client.post(
        f"/console/units/{ids['D1']}/move", data={"csrf_token": csrf(client), "parent": ids["AG"]}
    )
    assert response.status_code == 303
    assert unit(app, "D1-C2").path == f"/{ids['P']}/{ids['AG']}/{ids['D1']}/{ids['D1-C2']}/"
    assert unit(app, "D1-C2").depth == 3
    assert audit(app, "unit_moved")[0].details["units"] == 3


def test_merging_keeps_results_attached_and_is_recorded(app, as_staff, world):
    client = english(as_staff("org1"))
    ids = world.units
    with app.app_context():
        entrant_id = make_entrant(7, db.session.get(Unit, ids["D1-C1"])).id
    url = f"/console/units/{ids['D1-C1']}/merge"
    page = client.get(url).text
    assert "Xã D1-2" in page and "Xã D2-1" not in page
    unconfirmed = client.post(url, data={"csrf_token": csrf(client), "target": ids["D1-C2"]})
    assert unconfirmed.status_code == 200 and "Tick the box" in unconfirmed.text
    outside = client.post(
        url, data={"csrf_token": csrf(client), "target": ids["D2-C1"], "confirm": "y"}
    )
    assert outside.status_code == 200 and unit(app, "D1-C1").merged_into_id is None
    merged = client.post(
        url, data={"csrf_token": csrf(client), "target": ids["D1-C2"], "confirm": "y"}
    )
    assert merged.status_code == 303
    assert unit(app, "D1-C1").merged_into_id == ids["D1-C2"]
    with app.app_context():
        assert db.session.get(Entrant, entrant_id).unit_id == ids["D1-C1"]
    (event,) = audit(app, "unit_merged")
    assert (event.target, event.details["into"], event.unit_id) == ("D1-C1", "D1-C2", ids["D1-C1"])
    assert "merged into Xã D1-2" in client.get("/console/units").text


# --- Excel -----------------------------------------------------------------------------

GOOD = [
    ["D1-C3", "Xã D1-3", "Xã", "D1", 3200],
    ["D1-C3-T1", "Thôn Một", "Thôn", "D1-C3", None],
    ["D1-C1", "Xã D1-1 (đổi tên)", "Xã", "D1", 5100],
]


def test_an_upload_is_previewed_then_imported_on_confirmation(app, as_staff, world):
    client = english(as_staff("org1"))
    before = snapshot(app)
    preview = upload(client, workbook(GOOD))
    assert preview.status_code == 200
    assert "2 units will be added, 1 updated and 0 are unchanged." in preview.text
    assert "Thôn Một" in preview.text and PROBLEM.search(preview.text) is None
    assert snapshot(app) == before  # nothing written before the confirmation
    token = CONFIRM.search(preview.text).group(1)
    with app.app_context():
        (key,) = get_redis().keys(f"*upload*:{token}")
        assert 0 < get_redis().ttl(key) <= KEEP_SECONDS
    done = client.post(f"/console/units/import/{token}", data={"csrf_token": csrf(client)})
    assert done.status_code == 303 and done.headers["Location"].endswith("/console/units")
    assert unit(app, "D1-C3-T1").depth == 3
    assert unit(app, "D1-C1").name == "Xã D1-1 (đổi tên)"
    (event,) = audit(app, "units_imported")
    assert (event.target, event.details["created"], event.details["updated"]) == (
        "don-vi.xlsx",
        2,
        1,
    )
    assert "Import done: 2 added, 1 updated" in client.get("/console/units").text
    after = snapshot(app)
    again = client.post(f"/console/units/import/{token}", data={"csrf_token": csrf(client)})
    assert again.status_code == 303 and again.headers["Location"].endswith("/units/import")
    assert "expired or was already imported" in client.get("/console/units/import").text
    assert snapshot(app) == after


def test_a_file_with_problems_is_reported_in_full_and_writes_nothing(app, as_staff, world):
    client = english(as_staff("org1"))
    before = snapshot(app)
    bad = [*GOOD, ["D1-C4", "", "Xã", "D1", None], ["D1-C5", "Xã D1-5", "Xã", "NOWHERE", "x"]]
    preview = upload(client, workbook(bad))
    assert preview.status_code == 422  # as the bank and delegate previews answer
    found = PROBLEM.findall(preview.text)
    assert [(r, c) for r, c, _ in found] == [
        ("5", "Tên đơn vị"),
        ("6", "Dân số / số đảng viên"),
        ("6", "Mã đơn vị cấp trên"),
    ]
    assert "NOWHERE is neither in the file nor among the existing units" in found[2][2]
    assert "3 problems found; nothing was imported." in preview.text
    assert CONFIRM.search(preview.text) is None
    with app.app_context():
        assert get_redis().keys("*upload*") == []
    assert snapshot(app) == before


def test_an_organizer_cannot_import_into_another_district(app, as_staff, world):
    client = english(as_staff("org1"))
    before = snapshot(app)
    rows = [["D1-C3", "Xã D1-3", "Xã", "D1", None], ["D2-C9", "Xã lạc", "Xã", "D2", None]]
    rows += [["D2", "Huyện D2 bị sửa", "Huyện", "P", None]]
    found = PROBLEM.findall(upload(client, workbook(rows)).text)
    assert [(r, c) for r, c, _ in found] == [("3", "Mã đơn vị cấp trên"), ("4", "Mã đơn vị")]
    assert "outside your units" in found[0][2] and "outside your units" in found[1][2]
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("data", "message", "status"),
    [
        (b"", "The file is empty.", 422),
        (b"Ma don vi;Ten don vi\n", "This is not an Excel .xlsx file.", 422),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
            "This is an old Excel file (.xls). Open it in Excel and save it as .xlsx.",
            422,
        ),
        (b"PK\x03\x04 not really a zip", "The file is damaged and cannot be opened.", 422),
        # Refused by the form's size check before any reading, as a form error.
        (b"PK" + b"\0" * (10 * 1024 * 1024 + 10), "The file is larger than 10 MB.", 200),
    ],
)
def test_unreadable_uploads_are_refused_with_a_message(app, as_staff, world, data, message, status):
    client = english(as_staff("org1"))
    response = upload(client, data)
    assert response.status_code == status
    assert re.search(r'class="error"[^>]*>([^<]+)<', response.text).group(1).strip() == message


def test_uploads_without_a_file_or_beyond_the_request_limit_are_refused(as_staff, world):
    client = english(as_staff("org1"))
    empty = client.post(
        "/console/units/import",
        data={"csrf_token": csrf(client)},
        content_type="multipart/form-data",
    )
    assert empty.status_code == 200 and "Choose a file." in empty.text
    huge = upload(client, b"PK" + b"\0" * (17 * 1024 * 1024))
    assert huge.status_code == 413


def test_the_confirmation_imports_the_stored_upload_only(app, as_staff, world):
    org1, org2 = english(as_staff("org1")), as_staff("org2")
    token = CONFIRM.search(upload(org1, workbook(GOOD[:1])).text).group(1)
    # Another account cannot use the token, and a file sent with the confirmation is ignored.
    stolen = org2.post(f"/console/units/import/{token}", data={"csrf_token": csrf(org2)})
    assert stolen.status_code == 303 and "/units/import" in stolen.headers["Location"]
    other = workbook([["D1-X", "Xã chen ngang", "Xã", "D1", None]])
    done = org1.post(
        f"/console/units/import/{token}",
        data={"csrf_token": csrf(org1), "file": (io.BytesIO(other), "khac.xlsx")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("/console/units")
    assert unit(app, "D1-C3").name == "Xã D1-3"
    with app.app_context():
        assert db.session.scalar(select(Unit).where(Unit.code == "D1-X")) is None
    assert org1.post(
        "/console/units/import/bad token!", data={"csrf_token": csrf(org1)}
    ).status_code in (
        303,
        404,
    )


def test_the_confirmation_checks_the_file_again_against_the_current_tree(app, as_staff, world):
    client = english(as_staff("org1"))
    token = CONFIRM.search(upload(client, workbook(GOOD)).text).group(1)
    with app.app_context():  # meanwhile an administrator merges the new units' parent away
        db.session.get(Unit, world.units["D1"]).merged_into_id = world.units["D1-C2"]
        db.session.commit()
    before = snapshot(app)
    again = client.post(f"/console/units/import/{token}", data={"csrf_token": csrf(client)})
    assert again.status_code == 422
    assert any("D1 has been merged" in m for _, _, m in PROBLEM.findall(again.text))
    assert snapshot(app) == before and audit(app, "units_imported") == []


def test_the_template_and_the_export_download_as_workbooks(app, as_staff, world):
    template = as_staff("org1").get("/console/units/template.xlsx")
    assert template.status_code == 200
    assert template.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in template.headers["Content-Disposition"]
    with app.app_context():
        assert read_units(template.data).ok
    export = as_staff("view1").get("/console/units/export.xlsx")
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.data))[DATA_SHEET]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == ["D1", "D1-C1", "D1-C2"]  # the viewer's district only


def test_an_exported_tree_imports_back_unchanged(app, as_staff, world):
    client = english(as_staff("org1"))
    before = snapshot(app)
    exported = client.get("/console/units/export.xlsx").data
    preview = upload(client, exported)
    assert "0 units will be added, 0 updated and 3 are unchanged." in preview.text
    token = CONFIRM.search(preview.text).group(1)
    assert (
        client.post(f"/console/units/import/{token}", data={"csrf_token": csrf(client)}).status_code
        == 303
    )
    assert snapshot(app) == before
