"""Journey 5: a conference, from the projector's rotating QR to the attendance dashboard.

Five browsers, as in a hall: the projector, an attendee's phone (360×740),
someone at home with a forwarded link, the staff laptop at the door with a
keyboard-wedge scanner, and the organizer's office PC with the dashboard.
Each step asserts what the person sees, in Vietnamese; each main screen
passes check_screen (origin, translations, axe-core, script errors, picture,
and the 50 KB budget for the attendee's and the check-in pages).

Time is moved on, not waited for: the server's clock for the conference
pages (ConferenceClock) and the projector's own clock (Playwright's
`page.clock`), which runs the screen's timer when the test says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from quiz.conferences.qr import personal_payload
from quiz.conferences.venue import GRACE_MS, SLOT_MS
from quiz.extensions import db
from quiz.formatting import filesize
from quiz.models import CheckIn, Delegate, ScanRefusal
from quiz.timeutil import to_ms
from tests.browser.catalog import vi
from tests.browser.conference import (
    ABSENT,
    AT_THE_DOOR,
    ATTENDEE,
    COMMUNE,
    DOCUMENT,
    DOCUMENT_TITLE,
    EXPECTED,
    HALL,
    SCANNED_OFFLINE,
    SESSION,
    TITLE,
    ConferenceClock,
    ConferenceWorld,
    make_conference_world,
    read_qr,
)
from tests.browser.conftest import DESKTOP
from tests.browser.organizer import sign_in
from tests.browser.screens import expect

pytestmark = pytest.mark.browser

WRONG_PHONE = "0900000199"  # not on the list
UPLOADED_LATE_MS = 5 * 60_000  # the network comes back five minutes after the scans


@pytest.fixture
def world(app, tmp_path) -> ConferenceWorld:
    app.config["CONFERENCE_DOCUMENTS_DIR"] = str(tmp_path / "documents")
    return make_conference_world(app)


@pytest.fixture
def clock(monkeypatch) -> ConferenceClock:
    return ConferenceClock(monkeypatch)


@dataclass
class Hall:
    """The browsers' shared scene: what the projector showed, and when."""

    world: ConferenceWorld
    clock: ConferenceClock
    origin: str
    first_code: str = ""  # the projector's code and QR before they changed
    first_qr: bytes = b""
    code: str = ""  # and after
    qr: bytes = b""

    @property
    def venue(self) -> str:
        return f"{self.origin}/d/{self.world.conference_id}"


def test_conference_projector_attendee_door_offline_and_dashboard(
    world, clock, open_page, live_server, check_screen, app, tmp_path
):
    hall = Hall(world, clock, live_server.url)
    projector = open_page(viewport=DESKTOP)
    the_projector_shows_a_code_that_changes(projector, hall, check_screen)
    phone = open_page()
    the_attendee_scans_it_and_checks_in(phone, hall, check_screen, tmp_path)
    a_forwarded_link_is_refused_at_home(open_page(), hall, check_screen)

    door = open_page(viewport=DESKTOP)
    the_door_checks_in_a_delegate_found_by_name(door, hall, check_screen)
    office = open_page(viewport=DESKTOP)
    office.clock.install()  # the dashboard's refresh timer, run when the test says
    the_dashboard_shows(office, hall, check_screen, present={HALL: 2, COMMUNE: 0})
    the_projector_counts_them(projector, 2)
    queued = the_door_scans_two_while_offline(door, hall, check_screen)
    the_network_returns_and_they_are_uploaded_once(door, hall, app, queued, check_screen)
    office.clock.fast_forward(15_000)
    the_dashboard_shows(office, hall, check_screen, present={HALL: 3, COMMUNE: 1}, live=True)


def heading(page):
    return page.get_by_role("heading", level=1)


def open_the_conference(page) -> None:
    """From the console's sign-in page to the conference, by the menu and its title."""
    page.goto("/console/login")
    sign_in(page)
    page.get_by_role("navigation", name=vi("Console")).get_by_role(
        "link", name=vi("Conferences"), exact=True
    ).click()
    page.get_by_role("link", name=TITLE).click()
    expect(heading(page)).to_have_text(TITLE)


# --- the projector --------------------------------------------------------------------


SHOWN_JS = """() => [document.querySelector("[data-code]").textContent,
                     document.querySelector("[data-qr]").innerHTML]"""


def what_the_screen_shows(page) -> tuple[str, bytes]:
    """The typed code and a picture of the QR, taken while neither changes."""
    from playwright.sync_api import Error as PlaywrightError

    code = page.locator("[data-code]")
    expect(code).to_have_text(re.compile(r"^[2-9A-HJKMNP-Z]{6}$"))
    for _try in range(3):
        before = page.evaluate(SHOWN_JS)
        try:
            picture = page.locator("[data-qr] svg").screenshot()
        except PlaywrightError:  # replaced while the picture was taken
            continue
        if page.evaluate(SHOWN_JS) == before:
            return before[0], picture
    raise AssertionError("the projector's code kept changing while the test looked at it")


def the_projector_shows_a_code_that_changes(page, hall: Hall, check_screen) -> None:
    page.clock.install()
    open_the_conference(page)
    session_row = page.get_by_role("row").filter(has_text=SESSION)
    session_row.get_by_role("link", name=vi("Check-in screen")).click()
    expect(heading(page)).to_have_text(f"{TITLE} · {SESSION}")
    expect(page.get_by_text(vi("The code changes every 30 seconds."))).to_be_visible()
    expect(page.locator(".screen-hint b")).to_have_text(hall.venue)  # to type on a phone
    check_screen(page, "conference-1-projector")  # axe-core needs the page's timers running
    # Stop the projector's clock: its code changes only when the test moves time on.
    page.clock.pause_at(page.evaluate("() => Date.now()") + 1000)
    hall.first_code, hall.first_qr = what_the_screen_shows(page)

    # Thirty seconds later, on the server and on the projector's clock.
    hall.clock.move_on(SLOT_MS)
    page.clock.fast_forward(SLOT_MS + 1000)
    expect(page.locator("[data-code]")).not_to_have_text(hall.first_code)
    hall.code, hall.qr = what_the_screen_shows(page)
    assert hall.qr != hall.first_qr  # a new picture, not only a new typed code


def the_projector_counts_them(page, count: int) -> None:
    """The screen's count of people checked in follows within its 5-second refresh."""
    page.clock.fast_forward(5_000)
    expect(page.locator("[data-checked-in]")).to_have_text(vi("Checked in: %(n)s", n=count))


# --- the attendee's phone ------------------------------------------------------------------


def the_attendee_scans_it_and_checks_in(page, hall: Hall, check_screen, tmp_path) -> None:
    """She scans the code from her seat, gives a wrong number, then finds her name and
    proves it with the last digits of her phone (a wrong try first)."""
    link = read_qr(page, hall.qr)
    assert link == f"{hall.venue}/{hall.code}"  # the QR holds the code the screen shows
    page.goto(link)
    expect(heading(page)).to_have_text(vi("Who are you?"))
    phone = page.get_by_label(vi("Mobile phone number"))
    phone.fill(WRONG_PHONE)
    page.get_by_role("button", name=vi("Check in"), exact=True).tap()
    message = vi("Not on the list of delegates")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(
        f"{vi('The number on the list of delegates.')} {message}"
    )
    expect(page.get_by_text(vi("Tries left: %(n)s", n=9))).to_be_visible()
    check_screen(page, "conference-2-attendee-who-wrong-phone")

    page.get_by_label(vi("Part of your name")).fill("lo thi hoa")  # typed without accents
    page.get_by_role("button", name=vi("Search"), exact=True).tap()
    me = page.get_by_role("radio", name=re.compile(re.escape(ATTENDEE.name)))
    expect(me).to_have_count(1)
    # Her name and position, no digit of her phone: its last four prove the name is hers.
    expect(page.locator("ul.matches li")).to_have_text(f"{ATTENDEE.name} · Đại biểu")
    me.check()
    digits = page.get_by_label(vi("Last 4 digits of your phone number"))
    digits.fill("1010")  # a slip of the finger first
    page.get_by_role("button", name=vi("This is me: check in")).tap()
    expect(digits).to_have_accessible_description(
        f"{vi('To show the name is yours: the end of the phone number on the list of delegates.')} "
        + vi("These are not the last 4 digits of the phone number on the list for this name.")
    )
    expect(me).to_be_checked()  # her choice is kept, the digits are not
    expect(digits).to_have_value("")
    expect(page.get_by_text(vi("Tries left: %(n)s", n=8))).to_be_visible()
    check_screen(page, "conference-2-attendee-who-wrong-digits")
    digits.fill(ATTENDEE.phone[-4:])
    page.get_by_role("button", name=vi("This is me: check in")).tap()
    expect(heading(page)).to_have_text(vi("Checked in"))
    expect(page.locator(".result .big")).to_have_text(ATTENDEE.name)
    check_screen(page, "conference-3-attendee-checked-in")

    page.get_by_role("link", name=vi("Conference documents")).tap()
    expect(heading(page)).to_have_text(vi("Welcome, %(name)s", name=ATTENDEE.name))
    document = page.get_by_role("link", name=DOCUMENT_TITLE)
    expect(document).to_be_visible()
    size = filesize(len(DOCUMENT), "vi")
    expect(page.locator("ul.docs li")).to_have_text(f"{DOCUMENT_TITLE} (PDF, {size})")
    check_screen(page, "conference-4-attendee-documents")
    with page.expect_download() as download:
        document.tap()
    assert download.value.suggested_filename == "du-thao-bao-cao.pdf"
    saved = tmp_path / "phone" / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.read_bytes() == DOCUMENT


def a_forwarded_link_is_refused_at_home(page, hall: Hall, check_screen) -> None:
    """The first code, sent to someone at home and opened over a minute after it left the screen."""
    hall.clock.move_on(GRACE_MS)
    link = read_qr(page, hall.first_qr)  # a photo of the screen, sent by a colleague
    assert link == f"{hall.venue}/{hall.first_code}"
    page.goto(link)
    expect(page.get_by_role("alert")).to_have_text(
        vi(
            "This code has expired. Codes change every 30 seconds: scan the code on the "
            "screen again, or type the one shown now."
        )
    )
    expect(page.get_by_label(vi("Code shown on the screen"))).to_be_visible()
    check_screen(page, "conference-5-forwarded-link-expired")


# --- the door ----------------------------------------------------------------------------


def card(page):
    return page.locator("[data-result]")


def the_door_checks_in_a_delegate_found_by_name(page, hall: Hall, check_screen) -> None:
    open_the_conference(page)
    page.get_by_role("link", name=vi("Scan for check-in")).click()
    expect(heading(page)).to_have_text(f"{vi('Check-in')}: {TITLE}")
    expect(card(page)).to_have_text(vi("Ready to scan"))
    # The page keeps this conference's list for when the network drops.
    page.wait_for_function(
        "id => localStorage.getItem('quiz.scan.' + id + '.list') !== null",
        arg=hall.world.conference_id,
    )
    expect(page.locator("[data-net]")).to_have_text(vi("Online"))

    page.get_by_label(vi("Find by name or phone")).fill("vang a")
    found = page.get_by_role("button", name=f"{AT_THE_DOOR.name} · {HALL}")
    found.click()
    expect(card(page).get_by_role("heading")).to_have_text(vi("Checked in"))
    expect(card(page)).to_contain_text(AT_THE_DOOR.name)
    expect(card(page)).to_contain_text(SESSION)
    expect(page.get_by_label(vi("Hardware scanner or typed code"))).to_be_focused()
    check_screen(page, "conference-6-door-checked-in-by-name")


def the_door_scans_two_while_offline(page, hall: Hall, check_screen) -> list[dict]:
    """The venue's network drops; the scanner types each invitation's code and Enter."""
    page.context.set_offline(True)
    expect(page.locator("[data-net]")).to_have_text(vi("Offline"))
    scanner = page.get_by_label(vi("Hardware scanner or typed code"))
    for n, delegate in enumerate(SCANNED_OFFLINE, start=1):
        expect(scanner).to_be_focused()
        payload = personal_payload(hall.world.tokens[delegate.name], hall.origin)
        page.keyboard.type(payload)
        page.keyboard.press("Enter")
        expect(card(page).get_by_role("heading")).to_have_text(vi("Checked in"))
        expect(card(page)).to_contain_text(delegate.name)
        expect(card(page)).to_contain_text(
            vi("Saved on this device; it will be sent when the network returns.")
        )
        expect(page.locator("[data-queue]")).to_have_text(
            vi("Scans waiting to be sent: %(n)s", n=n)
        )
        expect(scanner).to_have_value("")
    check_screen(page, "conference-8-door-offline")
    queued = page.evaluate(
        "id => JSON.parse(localStorage.getItem('quiz.scan.' + id + '.queue'))",
        hall.world.conference_id,
    )
    assert [q["method"] for q in queued] == ["personal_qr", "personal_qr"]
    return queued


def the_network_returns_and_they_are_uploaded_once(
    page, hall: Hall, app, queued: list[dict], check_screen
) -> None:
    """Five minutes later the network returns, flaky: it drops again as the server answers."""
    hall.clock.move_on(UPLOADED_LATE_MS)

    def answer_lost(route) -> None:
        route.fetch()  # the server records the scans...
        page.context.set_offline(True)  # ...and the page never hears back
        route.abort("internetdisconnected")

    checkins = f"**/console/conferences/{hall.world.conference_id}/checkins"
    page.route(checkins, answer_lost, times=1)
    with page.expect_event("requestfailed"):
        page.context.set_offline(False)
    # The page cannot know they arrived: it keeps them, to send them again.
    expect(page.locator("[data-net]")).to_have_text(vi("Offline"))
    expect(page.locator("[data-queue]")).to_have_text(vi("Scans waiting to be sent: %(n)s", n=2))
    assert set(checked_in_by(app, hall)) == {
        ATTENDEE.name,
        AT_THE_DOOR.name,
        *(d.name for d in SCANNED_OFFLINE),
    }

    page.context.set_offline(False)
    expect(page.locator("[data-queue]")).to_have_text("")  # nothing waits any more
    expect(page.locator("[data-net]")).to_have_text(vi("Online"))
    check_screen(page, "conference-9-door-uploaded")

    rows = checked_in_by(app, hall)
    assert len(rows) == 4  # each counted once, though the two were sent twice
    assert all(row["sole"] for row in rows.values())  # and none taken for a second door
    assert rows[ATTENDEE.name]["method"] == "venue_qr"
    assert rows[AT_THE_DOOR.name]["method"] == "manual"
    for delegate, scan in zip(SCANNED_OFFLINE, queued, strict=True):
        row = rows[delegate.name]
        assert row["method"] == "personal_qr"
        assert row["nonce"] == scan["nonce"]
        # The time of the scan, from the device, not the time it arrived
        # (to the millisecond, give or take the float in a stored timestamp).
        assert abs(row["scanned_ms"] - scan["at_ms"]) <= 1
        assert row["received_ms"] - row["scanned_ms"] >= UPLOADED_LATE_MS
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ScanRefusal)) == 0


def checked_in_by(app, hall: Hall) -> dict[str, dict]:
    """The check-in log of the conference, by delegate name."""
    with app.app_context():
        rows = db.session.execute(
            select(Delegate.full_name, CheckIn)
            .join(CheckIn, CheckIn.delegate_id == Delegate.id)
            .where(CheckIn.conference_id == hall.world.conference_id)
        ).all()
        log = {
            name: {
                "method": row.method,
                "nonce": row.nonce,
                "scanned_ms": to_ms(row.scanned_at),
                "received_ms": to_ms(row.received_at),
                "sole": row.sole,
            }
            for name, row in rows
        }
    assert len(log) == len(rows), "a delegate checked in twice"
    return log


# --- the office ----------------------------------------------------------------------------


def the_dashboard_shows(
    page, hall: Hall, check_screen, present: dict[str, int], live: bool = False
) -> None:
    """Expected, invited, present, late, absent and walk-ins per connection point."""
    if not live:
        open_the_conference(page)
        page.get_by_role("link", name=vi("Attendance"), exact=True).click()
        expect(heading(page)).to_have_text(f"{vi('Attendance')}: {TITLE}")
    invited = {HALL: 0, COMMUNE: 0}
    for delegate in (ATTENDEE, AT_THE_DOOR, *SCANNED_OFFLINE, *ABSENT):
        invited[delegate.point] += 1
    for point in (HALL, COMMUNE):
        row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=point, exact=True))
        here = present[point]
        # Every check-in of the journey came over 10 minutes after the start: late.
        figures = [EXPECTED[point], invited[point], here, here, invited[point] - here, 0]
        expect(row.get_by_role("cell")).to_have_text([point, *map(str, figures)])
    total = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=vi("Total")))
    n = sum(present.values())
    expect(total.locator(".num").nth(2)).to_have_text(str(n))
    check_screen(page, f"conference-{10 if live else 7}-dashboard", budget=False)
