"""Sign-in tries: atomic budgets per account and client, and no clue about which names exist.

The scheme is described in quiz/console/lockout.py; these tests hold it to
its numbers: 5 tries a minute and 10 in 15 minutes per account and client,
30 in 15 minutes per account shared by clients that never signed in to it.
"""

from __future__ import annotations

import threading

import pytest
from werkzeug import security

from quiz import throttle
from quiz.console import lockout
from quiz.extensions import db
from quiz.models import Staff
from quiz.models import staff as staff_model
from tests.console.conftest import PASSWORD, csrf, sign_in
from tests.players import csrf_from

STRANGER, OWNER_HOME, OWNER_AWAY = "10.0.0.66", "10.0.0.1", "10.0.0.2"


@pytest.fixture
def password_checks(monkeypatch) -> list[str]:
    """The hashes the sign-in checks a password against, in order (the real check runs)."""
    checked: list[str] = []

    def check(hashed: str, password: str) -> bool:
        checked.append(hashed)
        return security.check_password_hash(hashed, password)

    monkeypatch.setattr(staff_model, "check_password_hash", check)
    return checked


def signed_in_device(app, username: str = "org1", address: str = OWNER_HOME):
    """A browser the owner signed in with (and then out of): it holds a device cookie."""
    browser = app.test_client()
    assert sign_in(browser, username, address=address).status_code == 303
    browser.post("/console/logout", data={"csrf_token": csrf(browser)})
    return browser


def test_an_unknown_name_is_checked_against_a_hash_like_a_real_one(app, world, password_checks):
    """An unknown name, a deactivated account and a wrong password cost the same work."""
    with app.app_context():
        staff = db.session.scalar(db.select(Staff).where(Staff.username == "org2"))
        staff.is_active_account = False
        db.session.commit()
        stored = db.session.scalar(db.select(Staff.password_hash).where(Staff.username == "org1"))
    for name, password in (("khong-ai-co-ten-nay", "doan"), ("org2", PASSWORD), ("org1", "doan")):
        response = sign_in(app.test_client(), name, password)
        assert response.status_code == 200 and "Sai tên tài khoản hoặc mật khẩu" in response.text
    assert len(password_checks) == 3
    dummy, _deactivated, real = password_checks
    assert real == stored and dummy != stored
    # Same method and cost (e.g. "scrypt:32768:8:1"): the same work for a name that does not exist.
    assert dummy.split("$")[0] == real.split("$")[0]


def test_parallel_wrong_guesses_cannot_pass_the_budget(app, world, password_checks):
    clients = [app.test_client() for _ in range(12)]
    tokens = [csrf_from(client.get("/console/login").text) for client in clients]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def guess(client, token: str, n: int) -> None:
        form = {"csrf_token": token, "username": "org1", "password": f"doan-sai-{n}"}
        start.wait()
        statuses.append(client.post("/console/login", data=form).status_code)

    threads = [
        threading.Thread(target=guess, args=(client, token, n))
        for n, (client, token) in enumerate(zip(clients, tokens, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 5 + [429] * 7
    assert len(password_checks) == 5  # refused tries never reach the password


def test_a_stranger_cannot_lock_the_owner_out(app, world):
    device = signed_in_device(app)
    for n in range(5):
        assert sign_in(app.test_client(), "org1", f"sai-{n}", address=OWNER_HOME).status_code == 200
    assert sign_in(app.test_client(), "org1", address=OWNER_HOME).status_code == 429
    # The owner's browser, at the very address the stranger used: its own budget.
    assert sign_in(device, "org1", address=OWNER_HOME).status_code == 303
    # A new browser of the owner's elsewhere: the stranger's address budget is not theirs.
    assert sign_in(app.test_client(), "org1", address=OWNER_AWAY).status_code == 303


def test_guessing_from_many_addresses_locks_out_only_new_browsers_and_for_15_minutes(app, world):
    device = signed_in_device(app)  # its success gave back its try: the budget is whole
    with app.app_context():
        fill_shared_budget("org1")
    refused = sign_in(app.test_client(), "org1", address=OWNER_AWAY)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert "Vui lòng thử lại sau 15 phút" in refused.text
    assert sign_in(device, "org1", address=OWNER_AWAY).status_code == 303


def test_tries_refused_by_the_shared_budget_do_not_use_up_the_owners_own(app, world):
    with app.app_context():
        fill_shared_budget("org1")
    browser = app.test_client()
    for _ in range(6):  # the owner, on a new browser, tries again and again meanwhile
        assert sign_in(browser, "org1", address=OWNER_AWAY).status_code == 429
    with app.app_context():  # 15 minutes later, the guessing over
        throttle.clear(lockout.UNKNOWN_CLIENTS, *lockout.Client("org1", None, "").budgets()[-1][1])
    assert sign_in(browser, "org1", address=OWNER_AWAY).status_code == 303


def test_a_new_password_voids_the_devices(app, world):
    device = signed_in_device(app)
    with app.app_context():
        staff = db.session.scalar(db.select(Staff).where(Staff.username == "org1"))
        staff.set_password("mat-khau-moi-0123")
        db.session.commit()
        fill_shared_budget("org1")
    assert sign_in(device, "org1", "mat-khau-moi-0123", address=OWNER_AWAY).status_code == 429


def test_guesses_wait_a_minute_then_up_to_15_minutes(app, world):
    for n in range(5):
        assert sign_in(app.test_client(), "org1", f"sai-{n}", address=STRANGER).status_code == 200
    refused = sign_in(app.test_client(), "org1", address=STRANGER)
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 60
    assert "Vui lòng thử lại sau 1 phút" in refused.text
    stranger = lockout.Client("org1", None, STRANGER)
    minute = stranger.budgets()[0][1]  # the 1-minute budget's identifiers
    with app.app_context():
        for _ in range(5):  # five more failures, each more than a minute after the last
            throttle.clear(lockout.PER_CLIENT[0], *minute)
            assert lockout.take(stranger) is None
        throttle.clear(lockout.PER_CLIENT[0], *minute)
    refused = sign_in(app.test_client(), "org1", address=STRANGER)
    assert refused.status_code == 429 and 60 < int(refused.headers["Retry-After"]) <= 15 * 60


def test_a_success_forgives_this_clients_typos(app, world):
    for n in range(4):
        assert sign_in(app.test_client(), "org1", f"sai-{n}").status_code == 200
    assert sign_in(app.test_client(), "org1").status_code == 303
    assert sign_in(app.test_client(), "org1", "sai-5").status_code == 200  # not 6 in a minute


def fill_shared_budget(username: str) -> None:
    """Failures from as many addresses as the shared budget holds."""
    for n in range(int(lockout.UNKNOWN_CLIENTS.split()[0])):
        assert lockout.take(lockout.Client(username, None, f"10.9.{n // 250}.{n % 250}")) is None
