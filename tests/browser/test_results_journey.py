"""Journey 6: after the paper. Progress while answering, "back" after the submit, then the
published results, "my attempts" and a certificate that the public verify page confirms.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.catalog import vi
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.entrant import (
    ATTEMPT_URL,
    RESULT_URL,
    option,
    save_state,
    wait_for_attempt_page,
)
from tests.browser.screens import expect

pytestmark = pytest.mark.browser

ROUND = {
    "prizes": {"first": 1, "second": 1},
    "prize_min_correct": {"first": 4},
    "certificate_min_correct": 3,
}
MASKED = "Người T. N."  # the factory's "Người Thử Nghiệm", as results print it


def progress(page):
    return page.locator("[data-answered-count]")


def answer_all_but_the_last_then_jump_to_it(page) -> None:
    expect(progress(page)).to_have_text(vi("Answered %(n)s of %(total)s questions", n=0, total=5))
    for position in range(4):
        option(page, position, right=True).tap()
        expect(save_state(page, position)).to_have_text(vi("Saved"))
    expect(progress(page)).to_have_text(vi("Answered %(n)s of %(total)s questions", n=4, total=5))
    links = page.locator("[data-unanswered-links] a")
    expect(links).to_have_count(1)
    links.first.tap()  # "Câu 5": the one left
    expect(page).to_have_url(re.compile(r"#question-5$"))
    option(page, 4, right=True).tap()
    expect(save_state(page, 4)).to_have_text(vi("Saved"))
    expect(page.locator("[data-unanswered]")).to_be_hidden()


def test_back_after_a_submit_shows_the_result_never_a_live_paper(
    browser, live_server, contest, sign_in_entrant
):
    # A context as a phone's browser has it: HTTP cache and back-forward cache on.
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    try:
        page = context.new_page()
        sign_in_entrant(page, contest)
        page.goto(contest.path)
        page.get_by_role("button", name=vi("Start an attempt")).tap()
        wait_for_attempt_page(page)
        expect(page.get_by_role("timer")).to_be_visible()
        option(page, 0, right=True).tap()
        expect(save_state(page, 0)).to_have_text(vi("Saved"))
        page.once("dialog", lambda dialog: dialog.accept())  # "some questions unanswered"
        page.get_by_role("button", name=vi("Submit my answers")).tap()
        expect(page).to_have_url(RESULT_URL)

        page.go_back()
        expect(page).to_have_url(RESULT_URL)  # the paper asked again, and answered the result
        expect(page.get_by_role("timer")).to_have_count(0)
        heading = vi("Your answers have been received")
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert not ATTEMPT_URL.search(page.url)
    finally:
        context.close()


def test_an_entrant_finds_the_results_their_attempts_and_a_certificate(
    app, phone, open_page, open_contest, sign_in_entrant, live_server, check_screen
):
    contest = open_contest(**ROUND)
    page = phone
    sign_in_entrant(page, contest)
    page.goto(contest.path)
    page.get_by_role("button", name=vi("Start an attempt")).tap()
    wait_for_attempt_page(page)
    answer_all_but_the_last_then_jump_to_it(page)
    page.get_by_role("button", name=vi("Submit my answers")).tap()
    expect(page).to_have_url(RESULT_URL)
    assert live_server.drain() == 1
    expect(page.locator(".score")).to_contain_text(vi("%(c)s of %(t)s correct", c=5, t=5))

    page.goto(f"{contest.path}/results")
    expect(page.get_by_text(vi("No winners have been published yet."))).to_be_visible()
    publish(app)
    page.reload()
    row = page.locator("table.board tbody tr").first
    expect(row).to_contain_text(vi("First prize"))
    expect(row).to_contain_text(MASKED)
    expect(page.locator("body")).not_to_contain_text("Người Thử Nghiệm")
    check_screen(page, "results-1-public")

    page.goto(f"{contest.path}/my-attempts")
    expect(page.locator(".mine")).to_have_text(
        vi("Your rank: %(rank)s of %(total)s", rank=1, total=1)
    )
    attempt = page.locator("table.board tbody tr").first
    expect(attempt).to_contain_text(vi("No. %(n)s", n=1))
    expect(attempt).to_contain_text("5/5")
    expect(attempt.locator("td.code")).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$"))
    check_screen(page, "results-2-my-attempts")
    merit = vi("Certificate of merit: %(prize)s", prize=vi("First prize"))
    page.get_by_role("link", name=merit).tap()
    expect(page.get_by_role("heading", name=vi("Certificate of merit"))).to_be_visible()
    code = page.locator(".verify .code").inner_text()

    # Anyone holding the paper: the certificate on a desk, printed, then its code checked.
    desk = open_page(viewport=DESKTOP)
    desk.goto(f"/certificate/{code}")
    expect(desk.locator(".certificate")).to_contain_text("Người Thử Nghiệm")
    expect(desk.locator(".certificate")).to_contain_text(contest.title)
    check_screen(desk, "results-3-certificate")
    desk.emulate_media(media="print")
    expect(desk.get_by_role("button", name=vi("Print"))).to_be_hidden()
    expect(desk.locator("header.top")).to_be_hidden()
    expect(desk.locator(".certificate")).to_be_visible()
    desk.emulate_media(media="screen")
    desk.goto(f"/verify?code={code.lower()}")
    expect(desk.get_by_role("heading", name=vi("Valid certificate"))).to_be_visible()
    check_screen(desk, "results-4-verify")


def test_a_district_organizer_follows_a_provincial_contest_for_its_own_units(
    app, open_page, contest, live_server, check_screen
):
    from sqlalchemy import select

    from quiz.models import Unit
    from tests.browser.organizer import create_organizer, sign_in
    from tests.players import Player
    from tests.results.conftest import answer

    with app.app_context():
        other_district = db_scalar(select(Unit.id).where(Unit.code == "D2-C1"))
    for n, (name, unit, right) in enumerate(
        [("Trần Văn Ở Huyện Một", contest.unit_id, 4), ("Lê Thị Ở Huyện Hai", other_district, 5)]
    ):
        player = Player(app.test_client(), contest.slug)
        player.register(phone=f"09000003{n:02d}", unit=str(unit), full_name=name)
        answer(app, player, right)
    assert live_server.drain() == 2
    create_organizer(app)  # of district D1; the contest is the province's

    page = open_page(viewport=DESKTOP)
    page.goto("/console/login")
    sign_in(page)
    page.get_by_role("navigation", name=vi("Console")).get_by_role(
        "link", name=vi("Contests"), exact=True
    ).click()
    expect(page.get_by_role("heading", name=vi("Contests run above your unit"))).to_be_visible()
    page.get_by_role("link", name=contest.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(contest.title)
    best = page.locator("table.data").nth(2)  # after participation per round and per unit
    expect(best.locator("tbody tr")).to_have_count(1)
    expect(best.locator("tbody tr")).to_contain_text("Trần Văn Ở Huyện Một")
    expect(best.locator("tbody tr td").first).to_have_text("2")  # behind D2's entrant
    expect(page.locator("main")).not_to_contain_text("Lê Thị Ở Huyện Hai")
    check_screen(page, "console-shared-contest")


def db_scalar(query):
    from quiz.extensions import db

    return db.session.scalar(query)


def publish(app) -> None:
    from sqlalchemy import select

    from quiz.extensions import db
    from quiz.models import Round
    from quiz.reports.winners import publish_winners

    with app.app_context():
        publish_winners(db.session.scalar(select(Round.id)))
        db.session.commit()
