"""Question banks in the console: upload, the full validation report, confirm, all or nothing."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from quiz.extensions import db
from quiz.models import AuditEvent, Question
from tests.banks.test_import import row, workbook
from tests.console.conftest import csrf

ROOT = Path(__file__).resolve().parents[2]


def upload(client, bank_id: int, data: bytes, name: str = "cau-hoi.xlsx"):
    return client.post(
        f"/console/banks/{bank_id}/upload",
        data={"csrf_token": csrf(client), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def count(app, bank_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).where(Question.bank_id == bank_id, Question.is_current.is_(True))
        )


def test_preview_then_confirm_imports_the_previewed_file(as_staff, world, app):
    client = as_staff("org1")
    before = count(app, world.bank_d1)
    preview = upload(
        client, world.bank_d1, (ROOT / "question_banks" / "sample_bank.xlsx").read_bytes()
    )
    assert preview.status_code == 200
    assert count(app, world.bank_d1) == before  # nothing written before confirming
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
    done = client.post(
        f"/console/banks/{world.bank_d1}/import", data={"csrf_token": csrf(client), "token": token}
    )
    assert done.status_code == 303
    assert count(app, world.bank_d1) == before + 75
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "bank_imported"))
        assert event.details["added"] == 75
    # The same token cannot import twice.
    again = client.post(
        f"/console/banks/{world.bank_d1}/import", data={"csrf_token": csrf(client), "token": token}
    )
    assert again.status_code == 303 and count(app, world.bank_d1) == before + 75


def test_every_problem_is_listed_and_nothing_is_written(as_staff, world, app):
    client = as_staff("org1")
    client.get("/lang/en")
    data = workbook(
        [row("Q1"), row("Q2", text=""), row("Q3", correct="E"), row("Q4", text="Khác?")]
    )
    response = upload(client, world.bank_d1, data)
    assert response.status_code == 422
    assert "Row 3" in response.text and "Row 4" in response.text
    assert "The question is missing." in response.text
    assert 'name="token"' not in response.text
    assert count(app, world.bank_d1) == 20


def test_a_file_that_is_not_a_workbook_gets_a_reason(as_staff, world):
    client = as_staff("org1")
    client.get("/lang/en")
    response = upload(client, world.bank_d1, b"not a workbook at all", "cau-hoi.xlsx")
    assert response.status_code == 422
    assert "This is not an Excel .xlsx file." in response.text


def test_a_forged_token_imports_nothing(as_staff, world, app):
    client = as_staff("org1")
    response = client.post(
        f"/console/banks/{world.bank_d1}/import",
        data={"csrf_token": csrf(client), "token": "forged"},
    )
    assert response.status_code == 303
    assert count(app, world.bank_d1) == 20


def test_another_districts_upload_token_is_useless(as_staff, world, app):
    owner = as_staff("org1")
    preview = upload(owner, world.bank_d1, workbook([row("Q1")]))
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
    other = as_staff("admin")
    other.post(
        f"/console/banks/{world.bank_d1}/import", data={"csrf_token": csrf(other), "token": token}
    )
    assert count(app, world.bank_d1) == 20  # tokens are bound to the account that uploaded


def test_template_and_export_download(as_staff, world):
    client = as_staff("org1")
    template = client.get("/console/banks/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"
    export = client.get(f"/console/banks/{world.bank_d1}/export.xlsx")
    from quiz.banks.reader import read_bank

    assert len(read_bank(export.data).questions) == 20
