"""Signing in to the console: passwords, throttling, session expiry, roles."""

from __future__ import annotations

import time

import pytest

from quiz.console.access import SESSION_KEY
from tests.console.conftest import sign_in
from tests.test_redirects import BYPASSES, stays_on_site


def test_the_console_asks_anonymous_visitors_to_sign_in(client, world):
    response = client.get("/console/contests")
    assert response.status_code == 302
    assert "/console/login" in response.headers["Location"]


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, world):
    response = sign_in(client, "org1", "wrong-password")
    assert response.status_code == 200
    assert "Sai tên tài khoản hoặc mật khẩu" in response.text
    assert sign_in(client, "nobody", "wrong-password").status_code == 200


def test_guessing_passwords_is_throttled_per_account_and_client(client, world):
    statuses = [sign_in(client, "org1", f"guess-{n}").status_code for n in range(7)]
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429, 429]
    # The right password is refused too while this client is throttled, with the wait.
    refused = sign_in(client, "org1")
    assert refused.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in refused.text and refused.headers["Retry-After"]


def test_passwords_are_stored_hashed(app, world):
    from quiz.extensions import db
    from quiz.models import Staff
    from tests.console.conftest import PASSWORD

    with app.app_context():
        stored = db.session.scalar(db.select(Staff.password_hash).where(Staff.username == "org1"))
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_an_idle_session_expires(app, as_staff):
    client = as_staff("org1")
    assert client.get("/console/contests").status_code == 200
    with client.session_transaction() as session:
        session[SESSION_KEY] = int(time.time()) - app.config["STAFF_SESSION_MINUTES"] * 60 - 5
    response = client.get("/console/contests")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_signing_out_needs_a_post_with_csrf(as_staff):
    from tests.console.conftest import csrf

    client = as_staff("org1")
    assert client.get("/console/logout").status_code == 405
    assert client.post("/console/logout").status_code == 400  # no CSRF token
    assert client.post("/console/logout", data={"csrf_token": csrf(client)}).status_code == 303
    assert client.get("/console/contests").status_code == 302


@pytest.mark.parametrize("target", [*BYPASSES, "/c/thi-thu", "/console/../c/x", "/consolex"])
def test_the_sign_in_page_never_sends_anyone_off_the_console(as_staff, target):
    # Signed in already, the sign-in page sends on to `next` at once.
    response = as_staff("org1").get("/console/login", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/"
    assert stays_on_site(response.headers["Location"])


def test_signing_in_goes_on_to_a_console_page_and_only_there(app, world):
    kept = sign_in(app.test_client(), "org1", next="/console/contests?page=2")
    assert kept.headers["Location"] == "/console/contests?page=2"
    refused = sign_in(app.test_client(), "org1", next="/\t/evil.com")
    assert refused.headers["Location"] == "/console/"
