"""The demo seed's conference: under way, its delegates reachable the ways the load test uses."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import func, select

from quiz.conferences.tokens import parse_token
from quiz.conferences.venue import shown_code
from quiz.demo import DEMO_DELEGATES, demo_phone, seed_demo
from quiz.extensions import db
from quiz.models import Conference, ConferenceDocument, Delegate
from quiz.timeutil import now_ms
from tests.players import csrf_from


@pytest.fixture
def seeded(app, tmp_path):
    """The demo seeded twice, as run.sh does on every start: nothing is doubled."""
    files = tmp_path / "demo_admin_password", tmp_path / "demo_delegate_tokens"
    with app.app_context():
        seed_demo(*files)
        _contest, conference, _password = seed_demo(*files)
        return {"id": conference.id, "session": conference.sessions[0].id, "tokens": files[1]}


def test_demo_has_one_conference_with_its_delegates_and_a_document(app, seeded):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Conference)) == 1
        phones = db.session.scalars(
            select(Delegate.phone).where(Delegate.conference_id == seeded["id"])
        ).all()
        documents = db.session.scalar(select(func.count()).select_from(ConferenceDocument))
    assert sorted(phones) == [demo_phone(n) for n in range(DEMO_DELEGATES)]
    assert all(p.startswith("0900") for p in phones) and documents == 1


def test_tokens_file_holds_every_delegates_code_privately(app, seeded):
    path = seeded["tokens"]
    lines = path.read_text().split()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(lines) == DEMO_DELEGATES
    tokens = [parse_token(line) for line in lines]
    assert {t.conference_id for t in tokens} == {seeded["id"]}
    with app.app_context():
        secrets = set(db.session.scalars(select(Delegate.secret)))
    assert {t.secret for t in tokens} == secrets


def test_a_demo_delegate_checks_in_at_the_venue_now(client, app, seeded):
    code = shown_code(app.secret_key, seeded["id"], seeded["session"], now_ms()).code
    arrived = client.get(f"/d/{seeded['id']}/{code}")
    page = client.get(arrived.location)
    done = client.post(
        page.request.path, data={"csrf_token": csrf_from(page.text), "phone": demo_phone(42)}
    )
    assert done.status_code == 200 and 'class="card result ok"' in done.text
    home = client.get(f"/d/{seeded['id']}/me")
    assert "Chương trình hội nghị" in home.text
