"""A conference for journey 5, the server's clock moved on, and a phone's camera.

The conference is built with the app's own functions (as the console
would), owned by Huyện D1 so the organizer of tests/browser/organizer.py
runs it. Everything in it is invented; phones are 0900 000 1xx.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from quiz.conferences.delegates import new_delegate, personal_token
from quiz.conferences.documents import store
from quiz.conferences.setup import add_point, create_conference
from quiz.extensions import db
from quiz.timeutil import now_ms, utcnow
from tests.browser.organizer import create_organizer
from tests.factories import make_units

TITLE = "Hội nghị quán triệt Nghị quyết Đại hội Đảng bộ huyện D1"
SESSION = "Phiên toàn thể"
HALL = "Hội trường huyện D1"
COMMUNE = "Điểm cầu xã D1-1"
EXPECTED = {HALL: 4, COMMUNE: 3}
DOCUMENT_TITLE = "Dự thảo báo cáo chính trị"
# A PDF as far as the upload check is concerned ("%PDF-"), small enough to compare.
DOCUMENT = b"%PDF-1.4\n% Du thao bao cao chinh tri\n%%EOF\n"
VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"


@dataclass(frozen=True)
class Delegate:
    name: str
    phone: str
    point: str


# Who does what in the journey: the attendee checks herself in with the code on
# the screen, one delegate is found by name at the door, two are scanned while
# the network is down, two never come.
ATTENDEE = Delegate("Lò Thị Hoa", "0900000101", HALL)
AT_THE_DOOR = Delegate("Vàng A Dính", "0900000102", HALL)
SCANNED_OFFLINE = (
    Delegate("Nguyễn Văn Minh", "0900000103", HALL),
    Delegate("Hoàng Thị Mai", "0900000104", COMMUNE),
)
ABSENT = (
    Delegate("Phạm Đức Thắng", "0900000105", HALL),
    Delegate("Sùng Thị Dua", "0900000106", COMMUNE),
)
DELEGATES = (ATTENDEE, AT_THE_DOOR, *SCANNED_OFFLINE, *ABSENT)


@dataclass(frozen=True)
class ConferenceWorld:
    conference_id: int
    session_id: int
    tokens: dict[str, str]  # personal tokens by name: what their invitations carry


def make_conference_world(app) -> ConferenceWorld:
    """Units, the organizer's account, and a conference whose session began 20 minutes ago.

    Check-in is "late" 10 minutes after the start (the default), so every
    check-in of the journey is a late one.
    """
    with app.app_context():
        units = make_units()
        now = utcnow()
        conference = create_conference(
            {
                "title": TITLE,
                "owner_unit_id": units["D1"].id,
                "venue": HALL,
                "starts_at": now - timedelta(minutes=20),
                "ends_at": now + timedelta(hours=3),
            },
            None,
        )
        session = conference.sessions[0]
        session.title = SESSION
        points = {
            name: add_point(conference, {"name": name, "expected": n})
            for name, n in EXPECTED.items()
        }
        rows = []
        for d in DELEGATES:
            row = new_delegate(conference.id, d.name, phone=d.phone, point_id=points[d.point].id)
            row.position = "Đại biểu"
            db.session.add(row)
            rows.append(row)
        store(conference.id, DOCUMENT_TITLE, "du-thao-bao-cao.pdf", DOCUMENT, None)
        db.session.commit()
        world = ConferenceWorld(
            conference.id,
            session.id,
            {row.full_name: personal_token(row) for row in rows},
        )
    create_organizer(app)
    return world


class ConferenceClock:
    """The server's clock for the conference pages, moved on instead of waited for.

    The projector's code changes with the server's 30-second slot, and the
    check-in pages refuse a code a minute after it left the screen: both
    read `now_ms` where it is patched here (the attendee's pages, the staff
    API and screen, the offline list). Browsers keep their own clocks, as
    the phones and the projector in a hall would.
    """

    WHERE = (
        "quiz.conferences.views",
        "quiz.console.conferences.scanning",
        "quiz.conferences.offline",
    )

    def __init__(self, monkeypatch) -> None:
        self.offset_ms = 0
        for where in self.WHERE:
            monkeypatch.setattr(f"{where}.now_ms", lambda: now_ms() + self.offset_ms)

    def move_on(self, ms: int) -> None:
        self.offset_ms += ms


# --- a phone's camera ----------------------------------------------------------------

READ_QR_JS = """async ([png, worker]) => {
  const bytes = Uint8Array.from(atob(png), c => c.charCodeAt(0));
  const image = await createImageBitmap(new Blob([bytes], {type: "image/png"}));
  const engine = (await import("data:text/javascript;base64," + worker)).createWorker();
  try {
    const options = {qrEngine: engine, returnDetailedScanResult: true};
    return (await QrScanner.scanImage(image, options)).data;
  } finally {
    engine.terminate();
  }
}"""


@cache
def _decoder() -> tuple[str, str]:
    library = (VENDOR / "qr-scanner.umd.min.js").read_text(encoding="utf-8")
    worker = base64.b64encode((VENDOR / "qr-scanner-worker.min.js").read_bytes()).decode()
    return library + "\n;undefined", worker


def read_qr(page, png: bytes) -> str:
    """What a phone's camera reads from a picture of a QR code.

    The decoder is the one the app ships for its staff page (qr-scanner,
    static/vendor), run in `page` before it opens anything: a blank tab,
    like a camera app, with no page's Content-Security-Policy in the way.
    """
    assert page.url == "about:blank", "the camera reads the code before the phone opens a page"
    library, worker = _decoder()
    if not page.evaluate("() => typeof window.QrScanner !== 'undefined'"):
        page.evaluate(library)
    return page.evaluate(READ_QR_JS, [base64.b64encode(png).decode(), worker])
