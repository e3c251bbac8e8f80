"""Behind nginx, the client's address is the one nginx forwards (TRUSTED_PROXIES)."""

from __future__ import annotations

import pytest

from tests.conftest import make_config
from tests.console.conftest import PASSWORD


@pytest.fixture
def app_config(schema, database_url, redis_url):
    return make_config(database_url, redis_url, TRUSTED_PROXIES=1)


def _try(app, forwarded_for: str, password: str):
    from tests.players import csrf_from

    client = app.test_client()
    environ = {"REMOTE_ADDR": "127.0.0.1"}  # every request comes from nginx
    headers = {"X-Forwarded-For": forwarded_for}
    page = client.get("/console/login", environ_base=environ, headers=headers)
    data = {"csrf_token": csrf_from(page.text), "username": "org1", "password": password}
    return client.post("/console/login", environ_base=environ, headers=headers, data=data)


def test_one_clients_wrong_guesses_do_not_spend_another_clients_budget(app, world):
    for n in range(5):
        assert _try(app, "203.0.113.7", f"sai-{n}").status_code == 200
    assert _try(app, "203.0.113.7", PASSWORD).status_code == 429
    # Another phone behind the same nginx: its own address, its own budget.
    assert _try(app, "198.51.100.23", PASSWORD).status_code == 303
