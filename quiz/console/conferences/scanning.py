"""Console: the staff scanning page, the one check-in endpoint, and the projector screen.

POST /console/conferences/<id>/checkins takes one scan or a list of them
(an offline queue uploaded late), each with the device's nonce and, for
queued scans, the time it was made. Every scan gets its outcome back,
with a fixed reason code; a nonce seen before returns its first outcome.
"""

from __future__ import annotations

from flask import abort, current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from quiz.conferences.attendance import checked_in_count
from quiz.conferences.checkin import Scan, Where, record_scan, valid_nonce
from quiz.conferences.delegates import delegate_card, search
from quiz.conferences.messages import TITLES, as_json
from quiz.conferences.offline import offline_list
from quiz.conferences.qr import svg_text
from quiz.conferences.snapshot import MAX_ID, conference_info
from quiz.conferences.venue import shown_code
from quiz.console import bp
from quiz.console.access import EDITORS, allow
from quiz.formatting import number
from quiz.models import CheckInMethod
from quiz.text import drop_control
from quiz.timeutil import now_ms
from quiz.web import CSP, row_id

MAX_BATCH = 500
# A device's clock may be wrong, but not by decades: times outside these are ignored.
EARLIEST_MS, LATEST_MS = 946_684_800_000, 4_102_444_800_000  # 2000 to 2100
SCAN_METHODS = {CheckInMethod.PERSONAL_QR, CheckInMethod.CITIZEN_QR, CheckInMethod.MANUAL}
# qr-scanner decodes in a Web Worker made from a blob: URL where the browser has
# no native BarcodeDetector; this page alone allows that (and the camera).
SCAN_CSP = CSP + "; worker-src 'self' blob:"


@bp.get("/conferences/<int:conference_id>/scan")
@allow(*EDITORS)
def scan_page(conference_id: int):
    info = conference_info(conference_id)
    body = render_template(
        "console/conferences/scan.html",
        conference=g.conference,
        info=info,
        titles={code.value: str(title) for code, title in TITLES.items()},
    )
    return body, 200, {"Content-Security-Policy": SCAN_CSP}


def _where(body: dict, item: dict, info) -> Where:
    """Where the device stood: a queued scan carries its own point and session."""
    point = item.get("point_id", body.get("point_id"))
    session = item.get("session_id", body.get("session_id"))
    return Where(
        point_id=point if isinstance(point, int) and point in info.points else None,
        device=drop_control(str(body.get("device") or ""))[:40],
        staff_id=current_user.id,
        session_id=session if isinstance(session, int) and info.session(session) else None,
    )


def _scan(item: dict) -> Scan | None:
    if not isinstance(item, dict) or not valid_nonce(str(item.get("nonce", ""))):
        return None
    method = item.get("method") or CheckInMethod.PERSONAL_QR
    if method not in SCAN_METHODS:
        return None
    at = item.get("at_ms")
    delegate = item.get("delegate_id")
    return Scan(
        nonce=item["nonce"],
        method=method,
        text=drop_control(str(item.get("text") or ""))[:1000],
        delegate_id=delegate if _whole(delegate) and 0 < delegate <= MAX_ID else None,
        at_ms=at if _whole(at) and EARLIEST_MS <= at <= LATEST_MS else None,
        queued=item.get("queued") is True,
    )


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@bp.post("/conferences/<int:conference_id>/checkins")
@allow(*EDITORS)
def checkins(conference_id: int):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    items = body.get("scans") if "scans" in body else [body]
    if not isinstance(items, list) or not items or len(items) > MAX_BATCH:
        abort(400)
    scans = [_scan(item) for item in items]
    if any(scan is None for scan in scans):
        return jsonify(error="bad_scan", code=400), 400
    info = g.info
    now = now_ms()
    results = [
        as_json(record_scan(info, scan, _where(body, item, info), now), info)
        for scan, item in zip(scans, items, strict=True)
    ]
    return jsonify(results=results, server_ms=now)


@bp.get("/conferences/<int:conference_id>/offline.json")
@allow(*EDITORS)
def offline(conference_id: int):
    response = jsonify(offline_list(conference_info(conference_id)))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/conferences/<int:conference_id>/search.json")
@allow(*EDITORS)
def delegate_search(conference_id: int):
    info = conference_info(conference_id)
    found = search(conference_id, request.args.get("q", ""))
    return jsonify(delegates=[delegate_card(info, d).as_json() for d in found])


def _screen_state(conference_id: int, session_id: int, point_id: int | None) -> dict:
    shown = shown_code(current_app.secret_key, conference_id, session_id, now_ms())
    address = url_for(
        "conferences.venue_code",
        conference_id=conference_id,
        code=shown.code,
        p=point_id,
        _external=True,
    )
    checked_in = checked_in_count(session_id, point_id)
    return {
        "code": shown.code,
        "changes_in_ms": shown.changes_in_ms,
        "checked_in": checked_in,
        "checked_in_text": gettext("Checked in: %(n)s", n=number(checked_in)),
        "svg": svg_text(address),
        "short_address": url_for("conferences.venue", conference_id=conference_id, _external=True),
    }


def _screen_point() -> int | None:
    """The connection point a screen is for (?point=), if it is one of the conference's."""
    point = request.args.get("point", type=row_id)
    return point if point in {p.id for p in g.conference.points} else None


@bp.get("/conferences/<int:conference_id>/sessions/<int:session_id>/screen")
@allow(*EDITORS)
def screen(conference_id: int, session_id: int):
    """Full screen for the projector; the code changes every 30 seconds."""
    session = g.conference_session
    point = _screen_point()
    state = _screen_state(conference_id, session_id, point)
    return render_template(
        "console/conferences/screen.html",
        conference=g.conference,
        session=session,
        point=point,
        state=state,
        refresh=max(1, state["changes_in_ms"] // 1000 + 1),
    )


@bp.get("/conferences/<int:conference_id>/sessions/<int:session_id>/code.json")
@allow(*EDITORS)
def screen_code(conference_id: int, session_id: int):
    state = _screen_state(conference_id, session_id, _screen_point())
    response = jsonify(state)
    response.headers["Cache-Control"] = "no-store"
    return response
