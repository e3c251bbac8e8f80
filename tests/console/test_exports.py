"""Exports in the console: who may ask for what, scopes, real workers, downloads, the audit log."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import openpyxl
import pytest
from rq import SimpleWorker
from sqlalchemy import select

from quiz.extensions import DEFAULT_QUEUE, db, get_queue, get_redis
from quiz.models import AuditEvent, Contest, ExportFile, Round
from quiz.reports import export_jobs
from tests.console.conftest import csrf
from tests.factories import make_entrant
from tests.reports.test_exports import add_score, at


@pytest.fixture
def rounds(app, world, tmp_path) -> dict[str, int]:
    """Round ids of D1's and D2's contests, two scored attempts in D1's; files under tmp_path."""
    app.instance_path = str(tmp_path)
    with app.app_context():
        d1 = db.session.get(Contest, world.contest_d1).rounds[0]
        d2 = db.session.get(Contest, world.contest_d2).rounds[0]
        for n in (101, 102):  # the world has entrant 1 already
            entrant = make_entrant(n)
            entrant.unit_id = world.units["D1-C1"]
            add_score(d1.id, entrant, [], "", at(f"2025-03-10T10:00:{n - 100:02d}"))
        db.session.commit()
        return {"d1": d1.id, "d2": d2.id}


def ask(client, **form):
    return client.post("/console/exports", data={"csrf_token": csrf(client), **form})


def run_worker(app) -> None:
    with app.app_context():
        SimpleWorker([get_queue(DEFAULT_QUEUE)], connection=get_redis()).work(burst=True)


def exports_in_db(app) -> list[ExportFile]:
    with app.app_context():
        found = list(db.session.scalars(select(ExportFile).order_by(ExportFile.id)))
        db.session.expunge_all()
        return found


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return found


def get(client, url: str):
    """A GET whose response is closed (a sent file holds an open file until then)."""
    response = client.get(url)
    response.get_data()  # buffered, then the file is closed
    response.close()
    return response


def make_ready(app, kind: str, params: dict, owner: int) -> int:
    """An export made directly (by whoever), run to completion."""
    with app.app_context():
        export = export_jobs.create_export(kind, params, None, owner)
        db.session.commit()
        export_jobs.make_export(export.id)
        return export.id


def test_an_organizer_asks_a_worker_makes_it_and_the_download_is_audited(app, as_staff, rounds):
    client = as_staff("org1")
    page = client.get("/console/exports")
    assert page.status_code == 200
    assert f'<option value="{rounds["d1"]}"' in page.text
    assert f'<option value="{rounds["d2"]}"' not in page.text  # another district's round
    response = ask(client, kind="attempts", round_id=rounds["d1"])
    assert response.status_code == 303
    [export] = exports_in_db(app)
    assert (export.kind, export.params, export.personal_data) == (
        "attempts",
        {"round_id": rounds["d1"]},
        True,
    )
    with app.app_context():
        assert export.owner_unit_id == db.session.get(Round, rounds["d1"]).contest.owner_unit_id
    [asked] = events(app, "export_personal_data")
    assert asked.details["export_id"] == export.id and asked.staff.username == "org1"
    # Queued: the page reloads itself and offers no download yet.
    page = client.get("/console/exports")
    assert 'data-reload-after="3"' in page.text
    assert f"/console/exports/{export.id}/download" not in page.text
    assert get(client, f"/console/exports/{export.id}/download").status_code == 404
    run_worker(app)
    page = client.get("/console/exports")
    assert "data-reload-after" not in page.text
    assert f"/console/exports/{export.id}/download" in page.text
    assert not events(app, "download_personal_data")
    download = get(client, f"/console/exports/{export.id}/download")
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    name = unquote(re.search(r"filename\*=UTF-8''(.+)$", disposition).group(1))
    assert name.startswith("Các lượt thi - d1 - Vòng 1 - ") and name.endswith(f"-{export.id}.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(download.data), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == ["Người Thử 101", "Người Thử 102"]
    [downloaded] = events(app, "download_personal_data")
    assert downloaded.details["export_id"] == export.id
    assert downloaded.staff.username == "org1"


def test_an_organizer_cannot_export_or_download_another_districts_data(
    app, as_staff, rounds, world
):
    client = as_staff("org1")
    assert ask(client, kind="attempts", round_id=rounds["d2"]).status_code == 404
    assert ask(client, kind="questions", round_id=rounds["d2"]).status_code == 404
    assert ask(client, kind="participation_units", contest_id=world.contest_d2).status_code == 404
    assert ask(client, kind="ranking", contest_id=world.contest_d2).status_code == 404
    assert ask(client, kind="attempts", round_id=999_999).status_code == 404
    assert exports_in_db(app) == []
    theirs = make_ready(app, "questions", {"round_id": rounds["d2"]}, world.units["D2"])
    ours = make_ready(app, "questions", {"round_id": rounds["d1"]}, world.units["D1"])
    assert get(client, f"/console/exports/{theirs}/download").status_code == 404
    assert get(client, f"/console/exports/{ours}/download").status_code == 200
    page = client.get("/console/exports").text
    assert f"/exports/{ours}/download" in page and f"/exports/{theirs}/download" not in page
    # The organizer of D2 and the administrator see D2's export.
    assert get(as_staff("org2"), f"/console/exports/{theirs}/download").status_code == 200
    admin_page = as_staff("admin").get("/console/exports").text
    assert f"/exports/{ours}/download" in admin_page and f"/exports/{theirs}/download" in admin_page


def test_a_viewer_gets_statistics_but_no_personal_data(app, as_staff, rounds, world):
    client = as_staff("view1")
    page = client.get("/console/exports").text
    assert 'value="attempts"' not in page and 'value="questions"' in page
    for form in (
        {"kind": "attempts", "round_id": rounds["d1"]},
        {"kind": "ranking", "round_id": rounds["d1"]},
        {"kind": "ranking", "contest_id": world.contest_d1},
        {"kind": "winners", "round_id": rounds["d1"]},
    ):
        assert ask(client, **form).status_code == 403, form
    assert exports_in_db(app) == []
    assert ask(client, kind="questions", round_id=rounds["d1"]).status_code == 303
    assert ask(client, kind="participation_days", contest_id=world.contest_d1).status_code == 303
    assert [e.personal_data for e in exports_in_db(app)] == [False, False]
    assert not events(app, "export_personal_data")  # nothing personal was asked for
    # An organizer's file with personal data is listed, but not for the viewer to take.
    personal = make_ready(app, "attempts", {"round_id": rounds["d1"]}, world.units["D1"])
    page = client.get("/console/exports").text
    assert f"/exports/{personal}/download" not in page
    assert get(client, f"/console/exports/{personal}/download").status_code == 403
    assert not events(app, "download_personal_data")


def test_statistics_downloads_are_not_audited_as_personal_data(app, as_staff, rounds, world):
    client = as_staff("org1")
    assert ask(client, kind="participation_days", contest_id=world.contest_d1).status_code == 303
    run_worker(app)
    [export] = exports_in_db(app)
    assert export.status == "ready" and not export.personal_data
    assert get(client, f"/console/exports/{export.id}/download").status_code == 200
    assert not events(app, "download_personal_data")
    assert not events(app, "export_personal_data")


def test_requests_that_make_no_sense_are_refused(app, as_staff, rounds, world):
    client = as_staff("org1")
    assert ask(client, kind="everything", round_id=rounds["d1"]).status_code == 400
    assert ask(client, kind="attempts").status_code == 400
    assert ask(client, kind="attempts", contest_id=world.contest_d1).status_code == 400
    assert ask(client, kind="participation_units", round_id=rounds["d1"]).status_code == 400
    no_token = client.post("/console/exports", data={"kind": "attempts", "round_id": rounds["d1"]})
    assert no_token.status_code == 400
    assert exports_in_db(app) == []


def test_a_failed_export_is_shown_failed_and_cannot_be_downloaded(app, as_staff, rounds, world):
    with app.app_context():
        export = export_jobs.create_export(
            "questions", {"round_id": 987_654}, None, world.units["D1"]
        )
        db.session.commit()
        export_jobs.make_export(export.id)
        export_id = export.id
    client = as_staff("org1")
    page = client.get("/console/exports").text
    assert "data-reload-after" not in page
    assert get(client, f"/console/exports/{export_id}/download").status_code == 404
    admin_page = as_staff("admin").get("/console/exports").text
    assert "987654" in admin_page  # the error, for whoever runs the servers
