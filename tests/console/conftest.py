"""Console fixtures: units, staff of each role in two districts, and signing in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from quiz.extensions import db
from quiz.models import Role, Staff
from tests.factories import make_bank, make_contest, make_entrant, make_units
from tests.players import csrf_from

PASSWORD = "mat-khau-thu-nghiem-123"


@dataclass
class World:
    """Ids of what the console tests play with."""

    units: dict[str, int]
    contest_d1: int  # owned by district D1
    contest_d2: int  # owned by district D2
    bank_d1: int
    bank_d2: int


_HASHES: dict[str, str] = {}


def make_staff(username: str, role: str, unit_id: int | None) -> Staff:
    staff = Staff(username=username, full_name=f"Cán bộ {username}", role=role, unit_id=unit_id)
    # Hashing is slow on purpose; the tests hash the shared password once.
    if PASSWORD not in _HASHES:
        staff.set_password(PASSWORD)
        _HASHES[PASSWORD] = staff.password_hash
    staff.password_hash = _HASHES[PASSWORD]
    db.session.add(staff)
    db.session.commit()
    return staff


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        units = make_units()
        bank_1 = make_bank(code="BD1")
        bank_1.owner_unit_id = units["D1"].id
        bank_2 = make_bank(code="BD2")
        bank_2.owner_unit_id = units["D2"].id
        c1 = make_contest(bank_1, owner=units["D1"], slug="d1")
        c2 = make_contest(bank_2, owner=units["D2"], slug="d2")
        make_staff("admin", Role.ADMIN, units["P"].id)
        make_staff("org1", Role.ORGANIZER, units["D1"].id)
        make_staff("org2", Role.ORGANIZER, units["D2"].id)
        make_staff("view1", Role.VIEWER, units["D1"].id)
        make_entrant(1, units["D1-C1"])
        db.session.commit()
        return World({code: u.id for code, u in units.items()}, c1.id, c2.id, bank_1.id, bank_2.id)


def sign_in(
    client: FlaskClient,
    username: str,
    password: str = PASSWORD,
    *,
    next: str | None = None,  # noqa: A002 - the query parameter's name
    address: str = "127.0.0.1",
):
    """Sign in through the form, from `address` (the client's IP as the server sees it)."""
    query = {"next": next} if next is not None else {}
    environ = {"REMOTE_ADDR": address}
    page = client.get("/console/login", query_string=query, environ_base=environ)
    return client.post(
        "/console/login",
        query_string=query,
        environ_base=environ,
        data={"csrf_token": csrf_from(page.text), "username": username, "password": password},
    )


@pytest.fixture
def as_staff(app, world):
    """as_staff("org1") → a test client signed in as that account.

    The session is set the way Flask-Login sets it on sign-in, skipping the
    deliberately slow password check (test_auth.py covers signing in itself).
    """
    from tests.helpers.staff import signed_in_client

    def make(username: str) -> FlaskClient:
        with app.app_context():
            staff = db.session.scalar(db.select(Staff).where(Staff.username == username))
            return signed_in_client(app, staff)

    return make


def csrf(client: FlaskClient) -> str:
    return csrf_from(client.get("/console/").text)
