"""Journey 4: an organizer at a desk, from signing in to the results file and the statistics.

On a desktop viewport, in Vietnamese. Each step asserts what the person
sees; each main console screen passes check_screen (origin, translations,
axe-core, script errors, picture). The 50 KB budget is the entrant's: the
console runs on office PCs and its statistics page carries a chart library.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from quiz.extensions import db
from quiz.models import Contest, Round, Unit
from quiz.timeutil import LOCAL_TZ
from tests.browser.catalog import vi
from tests.browser.conftest import DESKTOP
from tests.browser.network import log_of
from tests.browser.organizer import (
    FULL_NAME,
    GOOD_ROWS,
    TOPIC_A,
    TOPIC_B,
    UNIT_NAME,
    choose,
    create_organizer,
    fill_template,
    rows_with_mistakes,
    sign_in,
    upload_bank_file,
)
from tests.browser.screens import SCREENSHOTS, expect
from tests.factories import make_entrant, make_units
from tests.scoring.simulate import play

pytestmark = pytest.mark.browser

BANK_CODE = "NQ-2025"
BANK_TITLE = "Ngân hàng tìm hiểu Nghị quyết"
CONTEST_TITLE = "Cuộc thi tìm hiểu Nghị quyết Đại hội huyện D1"
CONTEST_SLUG = "tim-hieu-nghi-quyet-d1"
ROUND_TITLE = "Vòng sơ khảo"
QUESTIONS_PER_ATTEMPT = 5
# Two entrants of Xã D1-1 play the round: (right answers, seconds used).
PLAYED = {1: (5, 40), 2: (3, 45)}


@pytest.fixture
def organizer_world(app, tmp_path):
    """Units, the organizer's account; export files kept under tmp_path."""
    app.instance_path = str(tmp_path)
    with app.app_context():
        make_units()
    create_organizer(app)


@pytest.fixture
def desk(open_page, organizer_world):
    """The organizer's office PC: 1280×800, Vietnamese, JavaScript on."""
    return open_page(viewport=DESKTOP)


def heading(page):
    return page.get_by_role("heading", level=1)


def menu(page, name: str):
    return page.get_by_role("navigation", name=vi("Console")).get_by_role(
        "link", name=vi(name), exact=True
    )


def test_organizer_imports_a_bank_runs_a_contest_and_downloads_the_results(
    desk, app, live_server, check_screen, tmp_path
):
    page = desk
    sign_in_with_a_wrong_password_first(page, check_screen)
    import_the_bank(page, tmp_path, check_screen)
    create_the_contest_and_its_round(page, check_screen)
    entrants_play(app, live_server)
    download_the_results(page, live_server, tmp_path, check_screen)
    read_the_statistics(page, live_server, check_screen)


# --- step 1 -------------------------------------------------------------------------


def sign_in_with_a_wrong_password_first(page, check_screen) -> None:
    page.goto("/console/")
    expect(page).to_have_url(re.compile(r"/console/login"))
    expect(heading(page)).to_have_text(vi("Organizer sign-in"))
    sign_in(page, password="mat-khau-sai-roi")
    password = page.get_by_label(vi("Password"))
    message = vi("Wrong account name or password.")
    expect(page.locator(".field .error")).to_have_text(message)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(message)
    expect(password).to_have_value("")  # a password is never sent back
    check_screen(page, "console-1-login-wrong-password", budget=False)

    sign_in(page)
    expect(heading(page)).to_have_text(vi("Overview"))
    expect(page.locator(".who")).to_contain_text(f"{FULL_NAME} · {UNIT_NAME}")
    expect(page.get_by_text(vi("No contest in your units yet."))).to_be_visible()


# --- step 2 -------------------------------------------------------------------------


def import_the_bank(page, tmp_path, check_screen) -> None:
    menu(page, "Question banks").click()
    expect(heading(page)).to_have_text(vi("Question banks"))
    page.get_by_role("link", name=vi("New bank")).click()
    page.get_by_label(vi("Code"), exact=True).fill(BANK_CODE)
    page.get_by_label(vi("Title"), exact=True).fill(BANK_TITLE)
    expect(page.get_by_label(vi("Owner unit"))).to_have_value(re.compile(r"\d+"))
    page.get_by_role("button", name=vi("Save")).click()
    expect(heading(page)).to_contain_text(BANK_TITLE)
    expect(page.get_by_text(vi("No question yet."))).to_be_visible()

    # The template, as the organizer gets it: downloaded from the console.
    with page.expect_download() as download:
        page.get_by_role("link", name=vi("Download the Excel template")).click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.suffix == ".xlsx"

    with_mistakes = tmp_path / "ngan-hang-co-loi.xlsx"
    with_mistakes.write_bytes(fill_template(template, rows_with_mistakes()))
    upload_bank_file(page, with_mistakes)
    expect(heading(page)).to_have_text(vi("Checking the file for %(bank)s", bank=BANK_TITLE))
    summary = vi("%(num)s problem: nothing was imported. Fix the file and upload it again.", num=5)
    expect(page.get_by_role("alert")).to_have_text(summary)
    # Each problem by its row and column (the template's own headers), in Vietnamese.
    expect(page.locator("ul.problems li")).to_have_text(
        [
            f"{vi('Row %(n)s', n=3)} · Đáp án đúng: {vi('The correct answer is missing.')}",
            f"{vi('Row %(n)s', n=4)} · Đáp án đúng: "
            + vi(
                "Correct answer %(letters)s is not among the options (A to %(last)s).",
                letters="E",
                last="D",
            ),
            f"{vi('Row %(n)s', n=5)} · Mức độ: " + vi("Difficulty must be Dễ, Trung bình or Khó."),
            f"{vi('Row %(n)s', n=6)} · Đáp án B: "
            + vi("A question needs at least two options (A and B)."),
            f"{vi('Row %(n)s', n=8)} · Câu hỏi: " + vi("The same question as row %(row)s.", row=2),
        ]
    )
    expect(page.get_by_role("button", name=vi("Import these questions"))).to_have_count(0)
    check_screen(page, "console-2-bank-report", budget=False)

    page.get_by_role("link", name=vi("Back to the bank")).click()
    expect(page.get_by_text(vi("No question yet."))).to_be_visible()  # nothing was imported
    fixed = tmp_path / "ngan-hang-da-sua.xlsx"
    fixed.write_bytes(fill_template(template, GOOD_ROWS))
    upload_bank_file(page, fixed)
    ready = vi(
        "No problem found in sheet “%(sheet)s”: %(n)s questions ready to import.",
        sheet="Câu hỏi",
        n=len(GOOD_ROWS),
    )
    expect(page.get_by_text(ready)).to_be_visible()
    preview = page.locator("table.data tbody tr")
    expect(preview).to_have_count(len(GOOD_ROWS))
    first = GOOD_ROWS[0]
    expect(preview.first).to_contain_text(first.code)
    expect(preview.first).to_contain_text(first.text)
    expect(preview.first.locator("b")).to_have_text(first.choices[0])  # the right answer
    check_screen(page, "console-3-bank-preview", budget=False)

    page.get_by_role("button", name=vi("Import these questions")).click()
    imported = vi(
        "Imported: %(a)s new, %(u)s updated, %(s)s unchanged.", a=len(GOOD_ROWS), u=0, s=0
    )
    expect(page.get_by_role("status")).to_have_text(imported)
    expect(page.locator("table.data tbody tr")).to_have_count(len(GOOD_ROWS))
    expect(page.locator(".tag")).to_have_text([f"{TOPIC_B}: 5", f"{TOPIC_A}: 5"])
    check_screen(page, "console-4-bank", budget=False)
    menu(page, "Question banks").click()
    bank_row = page.get_by_role("row").filter(has_text=BANK_TITLE)
    expect(bank_row.get_by_role("cell").last).to_have_text(str(len(GOOD_ROWS)))


# --- step 3 -------------------------------------------------------------------------


def local_minute(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def create_the_contest_and_its_round(page, check_screen) -> None:
    menu(page, "Contests").click()
    page.get_by_role("link", name=vi("New contest")).click()
    expect(heading(page)).to_have_text(vi("New contest"))
    page.get_by_label(vi("Title"), exact=True).fill(CONTEST_TITLE)
    page.get_by_label(vi("Address (letters, digits and dashes)")).fill(CONTEST_SLUG)
    choose(page, vi("Organizing unit"), UNIT_NAME)
    page.get_by_label(vi("Description"), exact=True).fill("Cuộc thi trực tuyến cho cán bộ.")
    page.get_by_label(vi("Rules shown to entrants")).fill("Mỗi người thi tối đa hai lượt.")
    # The ranking order comes filled in with the default; the organizer keeps it.
    expect(page.get_by_label(vi("Ranking: first key"))).to_have_value("correct")
    page.get_by_label(vi("Only entrants from the organizing unit's area may win")).check()
    page.get_by_label(vi("One prize per person across rounds")).check()
    check_screen(page, "console-5-contest-form", budget=False)
    page.get_by_role("button", name=vi("Save")).click()
    expect(heading(page)).to_have_text(CONTEST_TITLE)
    expect(page.locator("main .tag").first).to_have_text(vi("Draft"))
    expect(page.get_by_text(vi("No round yet."))).to_be_visible()

    page.get_by_role("link", name=vi("New round")).click()
    expect(page.get_by_label(vi("Round number"))).to_have_value("1")
    page.get_by_label(vi("Title"), exact=True).fill(ROUND_TITLE)
    now = datetime.now(LOCAL_TZ)
    page.get_by_label(vi("Starts (local time)")).fill(local_minute(now - timedelta(hours=1)))
    page.get_by_label(vi("Ends (local time)")).fill(local_minute(now + timedelta(days=7)))
    choose(page, vi("Question bank"), BANK_CODE)
    page.get_by_label(vi("Questions per attempt")).fill(str(QUESTIONS_PER_ATTEMPT))
    page.get_by_label(vi("Time limit in minutes (empty: none)")).fill("10")
    page.get_by_label(vi("Questions per topic (one “Topic: number” per line)")).fill(
        f"{TOPIC_A}: 3\n{TOPIC_B}: 2"
    )
    page.get_by_label(vi("Attempts per entrant (empty: unlimited)")).fill("2")
    page.get_by_label(vi("Attempt that counts")).select_option("best")
    page.get_by_label(vi("Show score and rank")).select_option("immediately")
    page.get_by_label(vi("Show correct answers")).select_option("after_close")
    page.get_by_label(vi("Minimum age (empty: none)")).fill("16")
    page.get_by_label(vi("Prediction question asks for")).select_option("")
    for label, count in (
        ("First prizes", 1),
        ("Second prizes", 1),
        ("Third prizes", 1),
        ("Consolation prizes", 2),
    ):
        page.get_by_label(vi(label)).fill(str(count))
    check_screen(page, "console-6-round-form", budget=False)
    page.get_by_role("button", name=vi("Save")).click()

    expect(page.get_by_role("status")).to_have_text(vi("Round saved."))
    round_row = page.get_by_role("row").filter(has_text=ROUND_TITLE)
    expect(round_row).to_contain_text(vi("%(n)s questions", n=QUESTIONS_PER_ATTEMPT))
    expect(round_row).to_contain_text(vi("%(m)s min", m=10))
    expect(round_row).to_contain_text(vi("Running"))
    # What was kept, as the edit form shows it again.
    round_row.get_by_role("link", name=vi("Edit"), exact=True).click()
    running = vi("This round is running: its questions and time limit cannot change.")
    expect(page.get_by_text(running)).to_be_visible()
    expect(page.get_by_label(vi("Title"), exact=True)).to_have_value(ROUND_TITLE)
    expect(page.get_by_label(vi("Time limit in minutes (empty: none)"))).to_have_value("10")
    quotas = page.get_by_label(vi("Questions per topic (one “Topic: number” per line)"))
    expect(quotas).to_have_value(f"{TOPIC_A}: 3\n{TOPIC_B}: 2")
    expect(page.get_by_label(vi("Attempts per entrant (empty: unlimited)"))).to_have_value("2")
    expect(page.get_by_label(vi("Show correct answers"))).to_have_value("after_close")
    expect(page.get_by_label(vi("Minimum age (empty: none)"))).to_have_value("16")
    expect(page.get_by_label(vi("Consolation prizes"))).to_have_value("2")
    page.go_back()

    page.get_by_role("button", name=vi("Publish"), exact=True).click()
    expect(page.locator("main .tag").first).to_have_text(vi("Published"))
    expect(page.get_by_role("link", name=f"/c/{CONTEST_SLUG}")).to_be_visible()
    check_screen(page, "console-7-contest", budget=False)

    menu(page, "Contests").click()
    listed = page.get_by_role("row").filter(has_text=CONTEST_TITLE)
    expect(listed).to_contain_text(UNIT_NAME)
    expect(listed.locator(".tag")).to_have_text(vi("Published"))
    menu(page, "Overview").click()
    listed = page.get_by_role("row").filter(has_text=CONTEST_TITLE)
    expect(listed.locator(".tag")).to_have_text(vi("Open"))
    expect(page.locator(".stat").first).to_contain_text(vi("contests open now"))
    expect(page.locator(".stat b").first).to_have_text("1")
    check_screen(page, "console-8-overview", budget=False)


# --- step 4 -------------------------------------------------------------------------


def entrants_play(app, live_server) -> None:
    """Two entrants of Xã D1-1 take the round through the engine; a worker scores them."""
    with app.app_context():
        round_id = db.session.scalar(
            select(Round.id).join(Contest).where(Contest.slug == CONTEST_SLUG)
        )
        commune = db.session.scalar(select(Unit).where(Unit.code == "D1-C1"))
        rng = random.Random(4)
        for n, (right, seconds) in PLAYED.items():
            entrant = make_entrant(n, commune)
            play(round_id, entrant.id, rng, right=right, duration_ms=seconds * 1000)
    assert live_server.drain() == len(PLAYED)


RANKING_HEADER = [
    "Hạng",
    "Mã thí sinh",
    "Họ và tên",
    "Năm sinh",
    "Số điện thoại",
    "Đơn vị",
    "Lượt thi được tính",
    "Số câu đúng",
    "Tổng số câu",
    "Thời gian làm bài (giây)",
    "Dự đoán",
    "Sai số dự đoán",
    "Nộp bài lúc (giờ Việt Nam, UTC+7)",
]


def download_the_results(page, live_server, tmp_path, check_screen) -> None:
    menu(page, "Exports").click()
    expect(heading(page)).to_have_text(vi("Exports"))
    expect(page.get_by_text(vi("No exports yet."))).to_be_visible()
    for_a_round = page.locator("form").filter(
        has=page.get_by_role("heading", name=vi("For a round"))
    )
    for_a_round.get_by_label(vi("Contents")).select_option(label=vi("Final ranking"))
    choose(page, vi("Round"), ROUND_TITLE)
    for_a_round.get_by_role("button", name=vi("Prepare the file")).click()
    expect(page.locator("p.flash.success")).to_have_text(
        vi("The export is being prepared; it appears below when it is ready.")
    )
    export_row = page.locator("table.data tbody tr").first
    expect(export_row).to_contain_text(vi("Final ranking"))
    expect(export_row).to_contain_text(f"{CONTEST_TITLE} · {vi('Round %(n)s', n=1)}")
    expect(export_row).to_contain_text(vi("Waiting for a worker"))
    waiting = vi("Some files are still being written; this page refreshes itself.")
    expect(page.get_by_role("status").filter(has_text=waiting)).to_be_visible()

    assert live_server.run_jobs()  # a worker writes the file; the page refreshes itself
    expect(export_row).to_contain_text(vi("Ready"))
    expect(export_row.locator("td.num")).to_have_text(str(len(PLAYED)))
    check_screen(page, "console-9-exports", budget=False)

    with page.expect_download() as download:
        export_row.get_by_role("link", name=vi("Download")).click()
    name = download.value.suggested_filename
    assert name.startswith(f"Xếp hạng - {CONTEST_SLUG} - Vòng 1 - "), name
    assert name.endswith(".xlsx"), name
    saved = tmp_path / "downloads" / name
    download.value.save_as(saved)

    book = openpyxl.load_workbook(saved, read_only=True)
    rows = list(book["Xếp hạng"].iter_rows(values_only=True))
    book.close()
    assert list(rows[0]) == RANKING_HEADER
    assert len(rows) == 1 + len(PLAYED)
    for rank, (n, (right, seconds)) in enumerate(PLAYED.items(), start=1):
        cells = dict(zip(RANKING_HEADER, rows[rank], strict=True))
        assert cells["Hạng"] == rank
        assert cells["Họ và tên"] == f"Người Thử {n}"
        assert cells["Năm sinh"] == 1990
        assert cells["Số điện thoại"] == f"0900{n:06d}"
        assert cells["Đơn vị"].startswith("Xã D1-1")
        assert cells["Lượt thi được tính"] == 1
        assert (cells["Số câu đúng"], cells["Tổng số câu"]) == (right, QUESTIONS_PER_ATTEMPT)
        assert cells["Thời gian làm bài (giây)"] == seconds
        assert isinstance(cells["Nộp bài lúc (giờ Việt Nam, UTC+7)"], datetime)


# --- step 5 -------------------------------------------------------------------------


def read_the_statistics(page, live_server, check_screen) -> None:
    menu(page, "Overview").click()
    page.get_by_role("link", name=CONTEST_TITLE).click()
    expect(heading(page)).to_contain_text(f"{vi('Statistics')}: {CONTEST_TITLE}")
    # Nothing computed yet: the page asked for a job and says it reloads by itself.
    expect(page.get_by_role("status")).to_contain_text(
        vi("The statistics are being computed; this page reloads by itself.")
    )
    assert live_server.run_jobs()
    totals = page.locator(".stat")
    expect(totals.first).to_contain_text(vi("entrants with a scored attempt"))
    expect(totals.locator("b")).to_have_text([str(len(PLAYED)), str(len(PLAYED))])
    expect(page.get_by_role("status")).to_have_count(0)
    canvases = page.locator("canvas[data-chart]")
    expect(canvases).to_have_count(3)  # per day, per round, score distribution
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".every(c => window.Chart && Chart.getChart(c))"
    )
    check_screen(page, "console-10-statistics", budget=False)
    assert (SCREENSHOTS / "console-10-statistics.png").stat().st_size > 10_000

    # The chart library came from the app itself, like everything else on the page.
    origin = live_server.url
    loaded = log_of(page).current()
    library = [item for item in loaded.items if item.url.split("?")[0].endswith("chart.umd.min.js")]
    assert [(item.url.split("?")[0], item.status) for item in library] == [
        (f"{origin}/static/vendor/chart.umd.min.js", 200)
    ]
    assert library[0].size > 100_000  # the library itself, not an error page
    assert log_of(page).foreign_requests(origin) == []
    assert all(item.url.startswith(origin) for item in loaded.items)


# --- the language switch ---------------------------------------------------------------


def test_the_console_switches_to_english_and_back(desk, check_screen):
    page = desk
    page.goto("/console/login")
    sign_in(page)
    menu(page, "Contests").click()
    expect(heading(page)).to_have_text(vi("Contests"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/console/contests$"))  # the same page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading(page)).to_have_text("Contests")
    nav = page.get_by_role("navigation", name="Console")
    expect(nav.get_by_role("link", name="Question banks")).to_be_visible()
    expect(page.get_by_role("link", name="New contest")).to_be_visible()
    expect(page.get_by_text("No contest yet.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(heading(page)).to_have_text(vi("Contests"))
    expect(page.get_by_text(vi("No contest yet."))).to_be_visible()
    check_screen(page, "console-11-back-in-vietnamese", budget=False)
