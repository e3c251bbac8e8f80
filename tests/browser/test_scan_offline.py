"""The door's scanning page when the tab is reloaded offline, and when its session changed.

Low-end phones discard background tabs and reload them when the staff
member comes back; screens lock; someone pulls to refresh. The page's
service worker keeps copies of it, so a reload without network brings
back the page, its queue and its list. A page kept that way (or open
while its staff member signed out and in again elsewhere) holds an old
CSRF token: the upload renews it and sends again, without losing a scan.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quiz.conferences.qr import personal_payload
from quiz.extensions import db
from quiz.models import CheckIn, Delegate
from quiz.timeutil import to_ms
from tests.browser.catalog import vi
from tests.browser.conference import SCANNED_OFFLINE, TITLE, ConferenceWorld, make_conference_world
from tests.browser.conftest import DESKTOP
from tests.browser.organizer import sign_in
from tests.browser.screens import expect

pytestmark = pytest.mark.browser

# The worker is installed (everything kept) once `ready` resolves; it then
# takes over the open page (clients.claim).
WORKER_READY_JS = """async () => {
  const late = new Promise(wake => setTimeout(wake, 10000));
  const registration = await Promise.race([navigator.serviceWorker.ready, late]);
  if (!registration) return [null, false, []];
  for (let i = 0; i < 100 && !navigator.serviceWorker.controller; i++) {
    await new Promise(wake => setTimeout(wake, 50));
  }
  return [registration.scope, navigator.serviceWorker.controller !== null, await caches.keys()];
}"""
# What a page shown signed out leaves of the scanning page's copies, once it is done.
LEFT_AFTER_SIGN_OUT_JS = """async (id) => {
  let left;
  for (let i = 0; i < 100; i++) {
    left = {
      caches: (await caches.keys()).filter(name => name.startsWith("quiz-scan-")),
      workers: (await navigator.serviceWorker.getRegistrations()).map(r => r.scope),
      list: localStorage.getItem("quiz.scan." + id + ".list") !== null,
      queue: JSON.parse(localStorage.getItem("quiz.scan." + id + ".queue") || "[]").length,
    };
    if (!left.caches.length && !left.workers.length && !left.list) break;
    await new Promise(wake => setTimeout(wake, 50));
  }
  return left;
}"""


@pytest.fixture
def world(app, tmp_path) -> ConferenceWorld:
    app.config["CONFERENCE_DOCUMENTS_DIR"] = str(tmp_path / "documents")
    return make_conference_world(app)


def scan_path(world: ConferenceWorld) -> str:
    return f"/console/conferences/{world.conference_id}/scan"


def open_the_scan_page_and_let_the_worker_install(page, world: ConferenceWorld, origin: str):
    page.goto("/console/login")
    sign_in(page)
    expect(page.get_by_role("button", name=vi("Sign out"))).to_be_visible()
    page.goto(scan_path(world))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{vi('Check-in')}: {TITLE}")
    scope, controlled, caches = page.evaluate(WORKER_READY_JS)
    assert scope == origin + scan_path(world)  # this page, nothing else of the console
    assert controlled
    assert len(caches) == 1 and caches[0].startswith(f"quiz-scan-{world.conference_id}-")
    page.wait_for_function(
        "id => localStorage.getItem('quiz.scan.' + id + '.list') !== null",
        arg=world.conference_id,
    )
    expect(net(page)).to_have_text(vi("Online"))


def card(page):
    return page.locator("[data-result]")


def net(page):
    return page.locator("[data-net]")


def waiting(page):
    return page.locator("[data-queue]")


def scan(page, world: ConferenceWorld, name: str, origin: str) -> None:
    """A keyboard-wedge scanner types the invitation's code, then Enter."""
    scanner = page.get_by_label(vi("Hardware scanner or typed code"))
    expect(scanner).to_be_focused()
    page.keyboard.type(personal_payload(world.tokens[name], origin))
    page.keyboard.press("Enter")
    expect(scanner).to_have_value("")


def queued_scans(page, world: ConferenceWorld) -> list[dict]:
    return page.evaluate(
        "id => JSON.parse(localStorage.getItem('quiz.scan.' + id + '.queue'))",
        world.conference_id,
    )


def check_ins(app, world: ConferenceWorld) -> dict[str, dict]:
    with app.app_context():
        rows = db.session.execute(
            select(Delegate.full_name, CheckIn)
            .join(CheckIn, CheckIn.delegate_id == Delegate.id)
            .where(CheckIn.conference_id == world.conference_id)
        ).all()
    log = {name: {"nonce": row.nonce, "scanned_ms": to_ms(row.scanned_at)} for name, row in rows}
    assert len(log) == len(rows), "a delegate checked in twice"
    return log


def test_reloaded_offline_the_page_still_recognises_codes_queues_and_uploads_once(
    world, open_page, live_server, check_screen, app
):
    door = open_page(viewport=DESKTOP)
    origin = live_server.url
    open_the_scan_page_and_let_the_worker_install(door, world, origin)
    first, second = (d.name for d in SCANNED_OFFLINE)

    door.context.set_offline(True)
    expect(net(door)).to_have_text(vi("Offline"))
    scan(door, world, first, origin)
    expect(card(door).get_by_role("heading")).to_have_text(vi("Checked in"))
    expect(waiting(door)).to_have_text(vi("Scans waiting to be sent: %(n)s", n=1))

    door.reload()  # the phone had discarded the tab; there is still no network
    expect(door.get_by_role("heading", level=1)).to_have_text(f"{vi('Check-in')}: {TITLE}")
    expect(card(door)).to_have_text(vi("Ready to scan"))
    expect(net(door)).to_have_text(vi("Offline"))
    expect(waiting(door)).to_have_text(vi("Scans waiting to be sent: %(n)s", n=1))

    scan(door, world, second, origin)
    expect(card(door).get_by_role("heading")).to_have_text(vi("Checked in"))
    expect(card(door)).to_contain_text(second)
    expect(card(door)).to_contain_text(
        vi("Saved on this device; it will be sent when the network returns.")
    )
    expect(waiting(door)).to_have_text(vi("Scans waiting to be sent: %(n)s", n=2))
    scan(door, world, first, origin)  # scanned by this device before the reload
    expect(card(door).get_by_role("heading")).to_have_text(vi("Already checked in"))
    expect(card(door)).to_contain_text(first)
    expect(waiting(door)).to_have_text(vi("Scans waiting to be sent: %(n)s", n=3))
    check_screen(door, "conference-11-door-reloaded-offline")
    queued = queued_scans(door, world)

    uploads = []
    door.on("request", lambda r: uploads.append(r.url) if r.method == "POST" else None)
    door.context.set_offline(False)
    expect(waiting(door)).to_have_text("")
    expect(net(door)).to_have_text(vi("Online"))
    assert uploads == [f"{origin}/console/conferences/{world.conference_id}/checkins"]

    rows = check_ins(app, world)
    assert set(rows) == {first, second}
    for name, item in zip((first, second), queued, strict=False):
        assert rows[name]["nonce"] == item["nonce"]
        assert abs(rows[name]["scanned_ms"] - item["at_ms"]) <= 1  # when scanned, not sent


def test_a_token_from_an_old_session_is_renewed_and_the_queue_uploaded(
    world, open_page, live_server, app
):
    """The server is out of reach from the door for a while; meanwhile the staff member
    signs out in another tab (the copies are forgotten, the waiting scan is not) and
    signs in again, so the door's token belongs to a session that is gone."""
    door = open_page(viewport=DESKTOP)
    origin = live_server.url
    open_the_scan_page_and_let_the_worker_install(door, world, origin)
    name = SCANNED_OFFLINE[0].name
    checkins = f"**/console/conferences/{world.conference_id}/checkins"
    door.route(checkins, lambda route: route.abort("internetdisconnected"))
    scan(door, world, name, origin)
    expect(card(door).get_by_role("heading")).to_have_text(vi("Checked in"))
    expect(waiting(door)).to_have_text(vi("Scans waiting to be sent: %(n)s", n=1))
    queued = queued_scans(door, world)

    other = door.context.new_page()
    other.goto("/console/")
    other.get_by_role("button", name=vi("Sign out")).click()
    expect(other.get_by_label(vi("Account"))).to_be_visible()
    left = other.evaluate(LEFT_AFTER_SIGN_OUT_JS, world.conference_id)
    assert left == {"caches": [], "workers": [], "list": False, "queue": 1}
    sign_in(other)
    expect(other.get_by_role("button", name=vi("Sign out"))).to_be_visible()

    answers = []
    door.on(
        "response",
        lambda r: answers.append(r.status) if r.request.method == "POST" else None,
    )
    # Offline before the route is lifted: the page's own ten-second retry must
    # not get through in between (its token renewal would then be cut short by
    # the network going, and the old token refused twice).
    door.context.set_offline(True)
    door.wait_for_function("() => !navigator.onLine")
    door.unroute(checkins)
    door.context.set_offline(False)  # the network returns
    expect(waiting(door)).to_have_text("")
    expect(net(door)).to_have_text(vi("Online"))
    assert answers == [400, 200]  # refused for the old token, then sent with a fresh one
    rows = check_ins(app, world)
    assert set(rows) == {name}
    assert rows[name]["nonce"] == queued[0]["nonce"]
    assert abs(rows[name]["scanned_ms"] - queued[0]["at_ms"]) <= 1
