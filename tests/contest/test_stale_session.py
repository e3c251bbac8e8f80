"""A session gone stale while someone typed: the form comes back with what was typed, never lost."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quiz.extensions import db
from quiz.models import Entrant
from tests.contest.test_attempts import setup_contest
from tests.players import csrf_from

STALE = "nên chưa có gì được gửi. Những gì bạn đã nhập vẫn được giữ"


def typed(page_html: str, name: str) -> str | None:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page_html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page_html
    )
    return found.group(1) if found else None


@pytest.fixture
def unit_id(app):
    return setup_contest(app)


def test_registration_with_a_stale_session_keeps_the_form_and_asks_again(app, unit_id):
    client = app.test_client()
    token = csrf_from(client.get("/c/thu/register").text)
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])  # the session expired meanwhile
    data = {
        "csrf_token": token,
        "full_name": "Lò Văn Thử",
        "birth_year": "1987",
        "gender": "male",
        "phone": "0912345678",
        "unit": str(unit_id),
        "occupation": "other",
        "consent": "y",
    }
    again = client.post("/c/thu/register", data=data)
    assert again.status_code == 400
    assert STALE in again.text
    assert typed(again.text, "full_name") == "Lò Văn Thử"
    assert typed(again.text, "phone") == "0912345678"
    assert typed(again.text, "birth_year") == "1987"
    fresh = csrf_from(again.text)
    assert fresh != token
    done = client.post("/c/thu/register", data={**data, "csrf_token": fresh})
    assert done.status_code == 303


def test_registration_without_any_token_is_still_refused(app, unit_id):
    client = app.test_client()
    client.get("/c/thu/register")
    refused = client.post(
        "/c/thu/register",
        data={"full_name": "Lò Văn Thử", "birth_year": "1987", "phone": "0912345678"},
    )
    assert refused.status_code == 400 and STALE in refused.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Entrant)) == 0


def test_sign_in_with_a_stale_session_keeps_the_phone(app, unit_id):
    client = app.test_client()
    token = csrf_from(client.get("/c/thu/login").text)
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    again = client.post(
        "/c/thu/login", data={"csrf_token": token, "phone": "0912345678", "birth_year": "1987"}
    )
    assert again.status_code == 400 and STALE in again.text
    assert typed(again.text, "phone") == "0912345678"
