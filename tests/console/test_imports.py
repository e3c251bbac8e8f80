"""Every console import (banks, units, delegates) answers a damaged file the same way (422,
the reason, nothing written) and shows what it will import."""

from __future__ import annotations

import io
import re

import pytest

from tests.banks.test_import import HEADER as BANK_HEADER
from tests.banks.test_import import row as bank_row
from tests.conferences.helpers import make_conference
from tests.console.conftest import csrf
from tests.spreadsheets.damage import DAMAGED, damaged_files
from tests.spreadsheets.xlsx import Sheet, xlsx
from tests.units import HEADER as UNIT_HEADER

DELEGATE_HEADER = ["Họ và tên", "Chức vụ", "Đơn vị", "Số điện thoại", "Điểm cầu"]
FILES = {
    "banks": (BANK_HEADER, [bank_row("Q1"), bank_row("Q2", text="Câu hai?")]),
    "units": (UNIT_HEADER, [["D1-N1", "Xã Mới", "Xã", "D1", None]]),
    "delegates": (DELEGATE_HEADER, [["Lò Thị Mai", "", "", "0900000401", ""]]),
}


@pytest.fixture
def conference_id(app, world) -> int:
    with app.app_context():
        return make_conference(world.units["D1"]).id


def send(client, url: str, data: bytes, name: str = "tep.xlsx"):
    client.get("/lang/en")
    return client.post(
        url,
        data={"csrf_token": csrf(client), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def upload_url(kind: str, world, conference_id: int) -> str:
    return {
        "banks": f"/console/banks/{world.bank_d1}/upload",
        "units": "/console/units/import",
        "delegates": f"/console/conferences/{conference_id}/delegates/upload",
    }[kind]


@pytest.mark.parametrize("kind", ["banks", "units", "delegates"])
@pytest.mark.parametrize("damage", ["truncated sheet", "control character", "damaged second sheet"])
def test_a_damaged_file_is_refused_with_the_reason_by_every_console_import(
    as_staff, world, conference_id, kind, damage
):
    data, message = damaged_files(*FILES[kind])[damage]
    assert message == DAMAGED
    response = send(as_staff("org1"), upload_url(kind, world, conference_id), data)
    assert response.status_code == 422
    assert message in response.text
    assert 'name="token"' not in response.text and "/console/units/import/" not in response.text


def test_the_bank_preview_shows_every_column_that_reaches_entrants(as_staff, world):
    question = bank_row("Q1")
    question[-1] = "Huế là cố đô; Hà Nội là thủ đô từ năm 1010."
    response = send(
        as_staff("org1"),
        upload_url("banks", world, 0),
        xlsx(Sheet("Câu hỏi", [BANK_HEADER, question])),
    )
    assert response.status_code == 200
    headers = re.findall(r'<th scope="col">([^<]+)</th>', response.text)
    assert headers == ["Row", "Code", "Topic", "Question", "Options", "Explanation"]
    assert "Hà Nội là thủ đô từ năm 1010." in response.text


def test_the_delegate_preview_names_the_sheet_it_read(as_staff, world, conference_id):
    rows = [["DANH SÁCH ĐẠI BIỂU"], *([DELEGATE_HEADER, *FILES["delegates"][1]])]
    data = xlsx(Sheet("Hướng dẫn", [["Điền ở trang sau."]]), Sheet("Danh sách", rows))
    response = send(as_staff("org1"), upload_url("delegates", world, conference_id), data)
    assert response.status_code == 200
    assert "No problem found in sheet “Danh sách”: 1 delegates ready to import." in response.text


def test_a_file_with_thousands_of_problems_lists_the_first_and_counts_all(as_staff, world):
    rows = [bank_row(f"Q{n}", text="") for n in range(1, 1_101)]
    data = xlsx(Sheet("Câu hỏi", [BANK_HEADER, *rows]))
    response = send(as_staff("org1"), upload_url("banks", world, 0), data)
    assert response.status_code == 422
    assert "1100 problems: nothing was imported." in response.text
    assert response.text.count("The question is missing.") == 1_000
    assert "… and 100 more." in response.text


def _confirm(client, kind: str, world, conference_id: int, token: str):
    if kind == "units":
        return client.post(f"/console/units/import/{token}", data={"csrf_token": csrf(client)})
    url = {
        "banks": f"/console/banks/{world.bank_d1}/import",
        "delegates": f"/console/conferences/{conference_id}/delegates/import",
    }[kind]
    return client.post(url, data={"csrf_token": csrf(client), "token": token})


def _token(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"|/console/units/import/([A-Za-z0-9_-]+)"', html)
    return found.group(1) or found.group(2)


@pytest.mark.parametrize("kind", ["banks", "units", "delegates"])
def test_every_console_import_confirms_the_previewed_upload_once_and_only_for_its_account(
    as_staff, world, conference_id, kind
):
    """The one stash (quiz/console/uploads.py): another account's confirm finds nothing,
    and the owner's second confirm finds nothing either once the first has imported."""
    owner = as_staff("org1")
    preview = send(
        owner,
        upload_url(kind, world, conference_id),
        xlsx(Sheet("Tờ 1", [FILES[kind][0], *FILES[kind][1]])),
    )
    assert preview.status_code == 200
    token = _token(preview.text)
    admin = as_staff("admin")
    admin.get("/lang/en")
    assert _confirm(admin, kind, world, conference_id, token).status_code == 303
    assert (
        "expired" in admin.get(upload_url(kind, world, conference_id).replace("/upload", "")).text
    )
    assert _confirm(owner, kind, world, conference_id, token).status_code == 303
    page = owner.get(upload_url(kind, world, conference_id).replace("/upload", ""))
    assert "Imported" in page.text or "Import done" in page.text
    assert _confirm(owner, kind, world, conference_id, token).status_code == 303
    follow = owner.get(upload_url(kind, world, conference_id).replace("/upload", ""))
    assert "expired" in follow.text
