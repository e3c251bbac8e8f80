"""The scanning page's service worker over HTTP: what it keeps, who gets it, forgetting it,
and the CSRF answer the page renews its token on."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass

import pytest

from tests.conferences.helpers import delegates_of, make_conference, token_of
from tests.conftest import ROOT
from tests.console.conftest import csrf, sign_in
from tests.players import csrf_from


@dataclass(frozen=True)
class Conf:
    id: int
    token: str  # a delegate's personal code

    @property
    def scan(self) -> str:
        return f"/console/conferences/{self.id}/scan"

    @property
    def worker(self) -> str:
        return f"/console/conferences/{self.id}/scan-worker.js"

    @property
    def checkins(self) -> str:
        return f"/console/conferences/{self.id}/checkins"


@pytest.fixture
def conf(app, world) -> Conf:
    with app.app_context():
        conference = make_conference(world.units["D1"])
        return Conf(conference.id, token_of(delegates_of(conference)[0]))


def cache_prefix() -> str:
    # Imported once the app is built: the console package imports the routes.
    from quiz.console.conferences.scan_worker import CACHE_PREFIX

    return CACHE_PREFIX


def worker_config(script: str) -> dict:
    match = re.search(r"^var SCAN = (\{.*\});$", script, re.MULTILINE)
    assert match, "the worker names what it keeps on one line"
    return json.loads(match.group(1))


def test_worker_is_javascript_allowed_to_control_the_scan_page_only(as_staff, conf):
    response = as_staff("org1").get(conf.worker)
    assert response.status_code == 200
    assert response.content_type == "text/javascript; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Service-Worker-Allowed"] == conf.scan
    assert set(response.headers["Cache-Control"].split(", ")) == {"private", "no-cache"}


def test_scan_page_registers_the_worker_for_itself(as_staff, conf):
    page = as_staff("org1").get(conf.scan)
    assert f'data-worker-url="{conf.worker}"' in page.text
    assert f'data-worker-scope="{conf.scan}"' in page.text
    assert "worker-src 'self'" in page.headers["Content-Security-Policy"]


def test_worker_keeps_the_scan_page_its_list_and_static_files_only(as_staff, conf):
    config = worker_config(as_staff("org1").get(conf.worker).text)
    assert config["fresh"] == [conf.scan, f"/console/conferences/{conf.id}/offline.json"]
    assert config["kept"]
    assert all(url.startswith(("/static/", "/conferences.css?v=")) for url in config["kept"])


def test_worker_keeps_everything_the_scan_page_loads(as_staff, conf):
    client = as_staff("org1")
    page = client.get(conf.scan).text
    loaded = set(re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', page))
    loaded.discard("data:,")  # the empty icon
    kept = set(worker_config(client.get(conf.worker).text)["kept"])
    assert len(loaded) >= 6 and loaded <= kept, loaded - kept
    # qr-scanner imports its decoder when the camera starts, by an unversioned address.
    assert "/static/vendor/qr-scanner-worker.min.js" in kept


def test_each_conference_has_its_own_cache(app, world, as_staff, conf):
    with app.app_context():
        other = make_conference(world.units["D1"], title="Hội nghị khác").id
    client = as_staff("org1")
    mine = worker_config(client.get(conf.worker).text)
    theirs = worker_config(client.get(f"/console/conferences/{other}/scan-worker.js").text)
    assert mine["prefix"] == f"{cache_prefix()}{conf.id}-"
    assert mine["cache"].startswith(mine["prefix"])
    assert theirs["cache"].startswith(f"{cache_prefix()}{other}-")
    # A worker cleans up only its own conference's older caches.
    assert not theirs["cache"].startswith(mine["prefix"])
    assert not mine["cache"].startswith(theirs["prefix"])


@pytest.mark.parametrize(("user", "status"), [("org2", 404), ("view1", 403)])
def test_worker_is_refused_outside_the_conferences_editors(as_staff, conf, user, status):
    response = as_staff(user).get(conf.worker)
    assert response.status_code == status
    assert "offline.json" not in response.text and cache_prefix() not in response.text


def test_worker_asks_anonymous_visitors_to_sign_in(client, conf):
    response = client.get(conf.worker)
    assert response.status_code == 302
    assert "/console/login" in response.headers["Location"]


def test_pages_shown_signed_out_forget_the_scan_copies(as_staff, conf):
    client = as_staff("org1")
    assert "forget-scans.js" not in client.get(conf.scan).text
    response = client.post(
        "/console/logout", data={"csrf_token": csrf(client)}, follow_redirects=True
    )
    assert response.request.path == "/console/login"
    assert re.search(r'<script src="/static/forget-scans\.js\?v=\w+" defer>', response.text)
    # It deletes the caches the worker names.
    assert f'"{cache_prefix()}"' in (ROOT / "static" / "forget-scans.js").read_text()


def scan_with(client, conf: Conf, token: str, nonce: str):
    return client.post(
        conf.checkins,
        json={"nonce": nonce, "text": conf.token},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )


def test_a_token_from_before_signing_in_again_is_refused_as_csrf_and_renewed(as_staff, conf):
    """What scan.js relies on: the refusal says "csrf" in JSON, and the page gives a new token."""
    client = as_staff("org1")
    old = csrf_from(client.get(conf.scan).text)
    client.post("/console/logout", data={"csrf_token": old})
    assert sign_in(client, "org1").status_code == 303  # a new session, a new token
    nonce = secrets.token_hex(12)
    refused = scan_with(client, conf, old, nonce)
    assert refused.status_code == 400
    assert refused.get_json()["reason"] == "csrf"
    fresh = csrf_from(client.get(conf.scan).text)
    result = scan_with(client, conf, fresh, nonce).get_json()["results"][0]
    assert (result["code"], result["nonce"]) == ("checked_in", nonce)


def test_a_malformed_scan_is_not_taken_for_a_csrf_refusal(as_staff, conf):
    client = as_staff("org1")
    response = client.post(
        conf.checkins,
        json={"nonce": "short", "text": "x"},
        headers={"X-CSRFToken": csrf(client), "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert "reason" not in response.get_json()
