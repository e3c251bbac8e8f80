"""Taps that come before a page's deferred script has run (a slow phone on a slow link).

The pages' scripts are deferred: the page is drawn, and can be tapped,
before they run. What the person did in between must count once they do.
Each test holds the script back (the request for it fails), acts, then
adds the script to the page as it would have arrived late.
"""

from __future__ import annotations

import pytest

from tests.browser.catalog import vi
from tests.browser.entrant import option, save_state, wait_for_attempt_page
from tests.browser.screens import expect

pytestmark = pytest.mark.browser

APP_JS = "**/app*.js*"
SURVEY_JS = "**/survey*.js*"
SCAN_JS = "**/scan.*js*"


def test_an_answer_tapped_before_the_script_ran_is_saved_when_it_runs(
    phone, contest, sign_in_entrant
):
    page = phone
    sign_in_entrant(page, contest)
    page.goto(contest.path)
    page.get_by_role("button", name=vi("Start an attempt")).tap()
    wait_for_attempt_page(page)
    script = page.locator("script[src*='app']").get_attribute("src")
    page.route(APP_JS, lambda route: route.abort())  # the script has not come yet
    page.reload()
    option(page, 0, right=True).tap()
    expect(save_state(page, 0)).to_have_text("")  # nothing has run to save it
    page.unroute(APP_JS)
    page.add_script_tag(url=script)  # now it comes
    expect(save_state(page, 0)).to_have_text(vi("Saved"))
    chosen = page.locator("input[name=q0]:checked").get_attribute("value")
    page.reload()
    # The server draws what it holds as chosen: the attribute, not a choice the browser restored.
    expect(page.locator(f"input[name=q0][value='{chosen}'][checked]")).to_have_count(1)
    expect(save_state(page, 1)).to_have_text("")  # an untouched question is not sent


def test_a_survey_answer_given_before_the_script_ran_is_kept_in_the_draft(app, open_page):
    from tests.factories import make_units
    from tests.surveys.builders import make_survey

    with app.app_context():
        make_survey(make_units()["P"])
    page = open_page()
    page.goto("/s/khao-sat")
    page.wait_for_load_state("load")
    script = page.locator("script[src*='survey']").get_attribute("src")
    page.route(SURVEY_JS, lambda route: route.abort())  # the script has not come yet
    page.reload()
    no = page.get_by_role("radio", name="Không", exact=True)
    no.check()
    state = page.locator(".question", has=no).locator(".save-state")
    expect(state).to_have_text("")  # nothing has run to save it
    page.unroute(SURVEY_JS)
    page.add_script_tag(url=script)  # now it comes
    expect(state).to_have_text(vi("Saved"))
    page.reload()  # the draft is drawn as chosen: the attribute, not the browser's restoring
    expect(page.locator(".question input[type=radio][checked]")).to_have_count(1)
    expect(no).to_have_attribute("checked", "")


def test_a_door_session_chosen_before_the_script_ran_stays_chosen(app, open_page, tmp_path):
    from tests.browser.conference import make_conference_world
    from tests.browser.conftest import DESKTOP
    from tests.browser.organizer import sign_in

    app.config["CONFERENCE_DOCUMENTS_DIR"] = str(tmp_path / "documents")
    world = make_conference_world(app)
    page = open_page(viewport=DESKTOP, service_workers="block")  # the script from the network
    page.goto("/console/login")
    sign_in(page)
    expect(page.get_by_role("button", name=vi("Sign out"))).to_be_visible()
    path = f"/console/conferences/{world.conference_id}/scan"
    page.goto(path)
    script = page.locator("script[src*='/scan.js']").get_attribute("src")
    page.route(SCAN_JS, lambda route: route.abort())  # the script has not come yet
    page.reload()
    session = page.locator("select[data-session]")
    session.select_option(str(world.session_id))
    page.unroute(SCAN_JS)
    page.add_script_tag(url=script)  # now it comes
    page.wait_for_function(
        "id => localStorage.getItem('quiz.scan.' + id + '.session') !== null",
        arg=world.conference_id,
    )
    expect(session).to_have_value(str(world.session_id))
    page.goto(path)  # the device remembers the door's session
    expect(session).to_have_value(str(world.session_id))
