"""Ending sessions: sign-out and changes to an account end every session of it, copies included.

Each test copies a signed-in cookie to a second client (as someone who
stole it would), uses it once (so the process's cookie cache holds it),
then makes the change in the first client and checks that the copy now
gets the sign-in page.
"""

from __future__ import annotations

import time

import pytest
from flask.testing import FlaskClient

from quiz.console.access import SESSION_KEY
from quiz.extensions import db
from quiz.models import AuditEvent, Staff
from tests.console.conftest import PASSWORD, csrf, sign_in

PAGE = "/console/contests"


def copy_of(client: FlaskClient) -> FlaskClient:
    """Another browser holding the same session cookie."""
    cookie = client.get_cookie("quiz_session")
    other = client.application.test_client()
    other.set_cookie(cookie.key, cookie.value)
    assert other.get(PAGE).status_code == 200  # the copy works until the change
    return other


def signed_out(client: FlaskClient) -> bool:
    response = client.get(PAGE)
    return response.status_code == 302 and "/console/login" in response.headers["Location"]


def edit(admin: FlaskClient, staff_id: int, world, **changes):
    """Post the account form of org1 as an administrator, with `changes` to its fields."""
    form = {
        "csrf_token": csrf(admin),
        "username": "org1",
        "full_name": "Cán bộ org1",
        "role": "organizer",
        "unit": str(world.units["D1"]),
        "password": "",
        "active": "y",
    }
    form.update(changes)
    form = {key: value for key, value in form.items() if value is not None}
    return admin.post(f"/console/staff/{staff_id}/edit", data=form)


def staff_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Staff.id).where(Staff.username == username))


def test_signing_out_ends_a_copied_session(app, world):
    owner = app.test_client()
    assert sign_in(owner, "org1").status_code == 303
    thief = copy_of(owner)
    owner.post("/console/logout", data={"csrf_token": csrf(owner)})
    assert signed_out(thief)


def test_signing_out_ends_the_accounts_sessions_on_other_devices(as_staff):
    phone, laptop = as_staff("org1"), as_staff("org1")
    phone.post("/console/logout", data={"csrf_token": csrf(phone)})
    assert signed_out(laptop)


@pytest.mark.parametrize(
    "change",
    [
        {"password": "mat-khau-moi-0123"},
        {"role": "viewer"},
        {"unit": "D2"},
    ],
    ids=["password", "role", "unit"],
)
def test_an_administrators_change_ends_the_accounts_sessions(app, world, as_staff, change):
    thief = copy_of(as_staff("org1"))
    if change.get("unit"):
        change = {"unit": str(world.units[change["unit"]])}
    response = edit(as_staff("admin"), staff_id(app, "org1"), world, **change)
    assert response.status_code == 303
    assert signed_out(thief)
    with app.app_context():
        event = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.action, event.details["sessions_ended"]) == ("staff_changed", True)


def test_deactivation_ends_the_sessions_for_good(app, world, as_staff):
    """Not only while the account is inactive: reactivating it revives no old session."""
    thief = copy_of(as_staff("org1"))
    admin = as_staff("admin")
    assert edit(admin, staff_id(app, "org1"), world, active=None).status_code == 303
    assert signed_out(thief)
    assert edit(admin, staff_id(app, "org1"), world).status_code == 303  # active again
    assert signed_out(thief)


def test_a_change_of_name_only_keeps_the_sessions(app, world, as_staff):
    organizer = as_staff("org1")
    response = edit(as_staff("admin"), staff_id(app, "org1"), world, full_name="Tên mới")
    assert response.status_code == 303
    assert organizer.get(PAGE).status_code == 200
    with app.app_context():
        event = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.details["sessions_ended"] is False


def test_an_administrator_changing_their_own_password_stays_signed_in_here_only(
    app, world, as_staff
):
    admin = as_staff("admin")
    elsewhere = copy_of(admin)
    form = {"username": "admin", "role": "admin", "unit": str(world.units["P"])}
    response = edit(admin, staff_id(app, "admin"), world, password="mat-khau-moi-0123", **form)
    assert response.status_code == 303
    assert admin.get(PAGE).status_code == 200
    assert signed_out(elsewhere)


def test_resetting_a_password_from_the_command_line_ends_the_sessions(app, world, as_staff):
    thief = copy_of(as_staff("org1"))
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--username", "org1", "--role", "organizer", "--unit", "D1"],
        input=f"{PASSWORD}-2\n{PASSWORD}-2\n",
    )
    assert result.exit_code == 0, result.output
    assert signed_out(thief)


def test_a_session_from_before_versions_is_refused(app, world):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(staff_id(app, "org1"))  # an id alone, as sessions held it
        session[SESSION_KEY] = int(time.time())
    assert signed_out(client)
