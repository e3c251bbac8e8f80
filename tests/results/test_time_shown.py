"""One entrant's time used reads the same wherever it is shown.

The ranking compares milliseconds, so every page shows the time to the
millisecond through one filter (`duration`) and every export holds the same
seconds with three decimals. Each surface is checked against the stored
figure, so a page that rounded it its own way (to the second, to a tenth)
would fail here, not only in the formatting unit tests.
"""

from __future__ import annotations

import re

import openpyxl
from sqlalchemy import select

from quiz.contest.attempts import engine
from quiz.extensions import db
from quiz.formatting import duration
from quiz.models import Role
from quiz.models.attempts import Score
from quiz.reports.exports import write_attempts, write_ranking, write_winners
from tests.console.conftest import make_staff
from tests.helpers.staff import signed_in_client
from tests.results.conftest import publish

TIME_HEADERS = {"Thời gian làm bài (giây)", "Tổng thời gian (giây)"}


def _stored_ms(app, token: str) -> int:
    with app.app_context():
        attempt_id = engine().signer.verify(token).attempt_id
        return db.session.scalar(select(Score.time_used_ms).where(Score.attempt_id == attempt_id))


def _admin(app):
    with app.app_context():
        return signed_in_client(app, make_staff("admin", Role.ADMIN, None))


def _seconds_in(path) -> list[float]:
    """Every figure under a time-used header of the workbook's first sheet."""
    rows = list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))
    found = []
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value in TIME_HEADERS:
                found += [r[j] for r in rows[i + 1 :] if r[j] is not None]
    return found


def test_a_time_used_reads_the_same_on_every_page_and_in_every_export(app, played, tmp_path):
    ms = _stored_ms(app, played.tokens[0])  # the first entrant: 5 of 5, the fastest
    shown = duration(ms, "vi")
    assert re.fullmatch(r"\d+:\d\d,\d{3}", shown)
    publish(app, played.round_id)
    entrant = played.players[0].client
    pages = {
        "result": entrant.get(f"/a/{played.tokens[0]}/result"),
        "round leaderboard": entrant.get("/c/thu/r/1/leaderboard"),
        "my attempts": entrant.get("/c/thu/my-attempts"),
        "public results": entrant.get("/c/thu/r/1/results"),
    }
    admin = _admin(app)
    pages["console winners"] = admin.get(f"/console/rounds/{played.round_id}/winners")
    pages["review list"] = admin.get(f"/console/rounds/{played.round_id}/review")
    certificate = re.search(r'href="(/certificate/[^"]+)"', pages["my attempts"].text)
    pages["certificate"] = entrant.get(certificate.group(1))
    for name, page in pages.items():
        assert page.status_code == 200, name
        assert shown in page.text, f"{name} does not show {shown}"

    with app.app_context():
        write_attempts(tmp_path / "attempts.xlsx", played.round_id)
        write_ranking(tmp_path / "ranking.xlsx", round_id=played.round_id)
        write_winners(tmp_path / "winners.xlsx", played.round_id)
    for name in ("attempts", "ranking", "winners"):
        assert ms / 1000 in _seconds_in(tmp_path / f"{name}.xlsx"), name
