"""The authorization matrix: each role × console routes × own unit and another unit."""

from __future__ import annotations

import pytest

from quiz.console.access import PUBLIC_ENDPOINTS
from quiz.extensions import db
from tests.console.conftest import csrf

# (method, url template, needs editor): {c} contest, {r} round, {b} bank of the district.
OBJECT_ROUTES = [
    ("GET", "/console/contests/{c}", False),
    ("GET", "/console/contests/{c}/edit", True),
    ("POST", "/console/contests/{c}/pause", True),
    ("GET", "/console/contests/{c}/rounds/new", True),
    ("GET", "/console/rounds/{r}/edit", True),
    ("POST", "/console/rounds/{r}/close", True),
    ("GET", "/console/rounds/{r}/results", False),
    ("GET", "/console/rounds/{r}/winners", False),
    ("POST", "/console/rounds/{r}/winners/publish", True),
    ("GET", "/console/rounds/{r}/review", True),
    ("POST", "/console/rounds/{r}/disqualify", True),
    ("GET", "/console/banks/{b}", True),
    ("GET", "/console/banks/{b}/export.xlsx", True),
    ("POST", "/console/banks/{b}/upload", True),
]


def _url(template: str, world, district: str) -> str:
    contest = world.contest_d1 if district == "D1" else world.contest_d2
    bank = world.bank_d1 if district == "D1" else world.bank_d2
    # Round ids follow contest ids in the fixture (one round each).
    return template.format(c=contest, r=contest, b=bank)


def _call(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf(client), "entrant_id": "1", "reason": "x"})


@pytest.mark.parametrize(("method", "template", "needs_editor"), OBJECT_ROUTES)
@pytest.mark.parametrize(
    ("user", "district"),
    [
        ("admin", "D1"),
        ("admin", "D2"),
        ("org1", "D1"),
        ("org1", "D2"),
        ("view1", "D1"),
        ("view1", "D2"),
        ("org2", "D1"),
    ],
)
def test_every_object_route_checks_role_and_unit(
    as_staff, world, method, template, needs_editor, user, district
):
    client = as_staff(user)
    response = _call(client, method, _url(template, world, district))
    home = {"admin": None, "org1": "D1", "org2": "D2", "view1": "D1"}[user]
    out_of_scope = home is not None and home != district
    if out_of_scope:
        expected = {404} if user != "view1" or not needs_editor else {403, 404}
        assert response.status_code in expected, response.status_code
        assert "Cuộc thi thử" not in response.text  # never the data
    elif needs_editor and user == "view1":
        assert response.status_code == 403
    else:
        assert response.status_code in {200, 302, 303}, (response.status_code, response.text[:300])


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/console/staff", {"admin"}),
        ("/console/staff/new", {"admin"}),
        ("/console/audit", {"admin"}),
        ("/console/banks", {"admin", "org1"}),
        ("/console/contests/new", {"admin", "org1"}),
        ("/console/contests", {"admin", "org1", "view1"}),
    ],
)
@pytest.mark.parametrize("user", ["admin", "org1", "view1"])
def test_role_pages(as_staff, url, allowed, user):
    status = as_staff(user).get(url).status_code
    assert (status == 200) == (user in allowed), status
    if user not in allowed:
        assert status == 403


def test_lists_show_only_the_accounts_units(as_staff, world):
    page = as_staff("org1").get("/console/contests").text
    assert f"/console/contests/{world.contest_d1}" in page
    assert f"/console/contests/{world.contest_d2}" not in page
    banks = as_staff("org2").get("/console/banks").text
    assert (
        f"/console/banks/{world.bank_d2}" in banks
        and f"/console/banks/{world.bank_d1}" not in banks
    )


def test_every_console_route_declares_who_may_use_it(app):
    """Closed by default: a view without `@allow` would be refused, so none may lack it."""
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("console.") and endpoint not in PUBLIC_ENDPOINTS:
            assert getattr(view, "allowed_roles", None), endpoint


def test_a_staff_id_of_another_district_is_not_found(as_staff, world, app):
    from quiz.extensions import db
    from quiz.models import Staff

    with app.app_context():
        org2 = db.session.scalar(db.select(Staff.id).where(Staff.username == "org2"))
    assert as_staff("admin").get(f"/console/staff/{org2}/edit").status_code == 200
    assert as_staff("org1").get(f"/console/staff/{org2}/edit").status_code in {403, 404}


def test_the_scoring_backlog_is_visible_to_administrators(as_staff, app):
    import random

    from quiz.scoring.jobs import drain_submissions
    from tests.factories import make_bank, make_contest, make_entrant
    from tests.scoring.simulate import play

    with app.app_context():
        round_id = make_contest(make_bank(), slug="backlog", max_attempts=None).rounds[0].id
        for n in range(100, 103):
            play(round_id, make_entrant(n).id, random.Random(n))
    page = as_staff("admin").get("/console/system")
    assert page.status_code == 200 and "<b>3</b>" in page.text
    with app.app_context():
        drain_submissions(max_seconds=10)
    assert "<b>0</b>" in as_staff("admin").get("/console/system").text
    assert as_staff("org1").get("/console/system").status_code == 403


# --- conferences: every console route that names a conference -------------------------


@pytest.fixture
def app_config(schema, database_url, redis_url, tmp_path):
    from tests.conftest import make_config

    return make_config(database_url, redis_url, CONFERENCE_DOCUMENTS_DIR=str(tmp_path / "docs"))


@pytest.fixture
def conference_ids(app, world) -> dict[str, int]:
    """A conference of district D1 with a session, point, delegate and document of its own."""
    from quiz.conferences.documents import store
    from tests.conferences.helpers import delegates_of, make_conference

    with app.app_context():
        conference = make_conference(world.units["D1"])
        document = store(conference.id, "Tài liệu thử", "tl.pdf", b"%PDF-1.4 thu", None)
        db.session.commit()
        return {
            "conference_id": conference.id,
            "session_id": conference.sessions[0].id,
            "point_id": conference.points[0].id,
            "delegate_id": delegates_of(conference)[0].id,
            "document_id": document.id,
            "fmt": "png",
        }


def conference_routes(app) -> list[tuple[str, str, bool]]:
    """(method, endpoint, editors only) of every console view taking a conference id,
    read from the URL map: a route added later is in the matrix without editing it."""
    from quiz.models import Role

    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console.") or "conference_id" not in rule.arguments:
            continue
        view = app.view_functions[rule.endpoint]
        editors_only = Role.VIEWER not in view.allowed_roles
        for method in sorted(rule.methods & {"GET", "POST"}):
            routes.append((method, rule.endpoint, editors_only))
    return routes


def _conference_call(app, client, method: str, endpoint: str, ids: dict):
    from flask import url_for

    with app.test_request_context():
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        url = url_for(endpoint, **{k: v for k, v in ids.items() if k in rule.arguments})
    if method == "GET":
        return client.get(url)
    token = csrf(client)
    return client.post(
        url, data={"csrf_token": token, "title": "x"}, headers={"X-CSRFToken": token}
    )


def _conference_unchanged(app, ids: dict) -> None:
    from quiz.models import CheckIn, Conference, ConferenceDocument, Delegate

    with app.app_context():
        conference = db.session.get(Conference, ids["conference_id"])
        assert conference.title == "Hội nghị thử" and len(conference.sessions) == 2
        assert len(conference.points) == 2
        assert db.session.get(Delegate, ids["delegate_id"]) is not None
        assert db.session.get(ConferenceDocument, ids["document_id"]) is not None
        assert db.session.scalar(db.select(db.func.count()).select_from(CheckIn)) == 0


def test_the_conference_matrix_covers_every_conference_route(app):
    endpoints = {endpoint for _m, endpoint, _e in conference_routes(app)}
    assert len(endpoints) >= 25, sorted(endpoints)
    assert {"console.checkins", "console.attendance_export", "console.document_add"} <= endpoints


@pytest.mark.parametrize("user", ["org2", "view1"])
def test_every_conference_route_refuses_other_units_and_viewers_writes(
    app, as_staff, conference_ids, user
):
    """An organizer of another district gets 404 on every page, file, export and action
    of the conference (ids reveal nothing); a viewer of the district gets 403 on
    whatever only editors may do, and no change goes through."""
    client = as_staff(user)
    checked = 0
    for method, endpoint, editors_only in conference_routes(app):
        with _conference_call(app, client, method, endpoint, conference_ids) as response:
            if user == "org2":
                assert response.status_code == 404, (method, endpoint, response.status_code)
            elif editors_only:
                assert response.status_code == 403, (method, endpoint, response.status_code)
            else:
                assert response.status_code in {200, 303}, (method, endpoint)
                continue
            body = response.get_data(as_text=True)
            assert "Hội nghị thử" not in body and "Đại Biểu Số" not in body, endpoint
            checked += 1
    assert checked >= 20
    _conference_unchanged(app, conference_ids)
