"""Journey: a survey, from the organizer's Excel file to a delegate's phone and a public link.

- The organizer (office PC: console pages are outside the phone budget)
  creates a survey for the delegates of a conference, fills it from the
  console's own Excel template (checked, then imported once confirmed),
  and later sees the response on the live page.
- A delegate checks in with the code on the projector and is offered the
  survey on the "checked in" page of her phone; she answers it once.
- An anonymous respondent on a phone with JavaScript off answers a public
  survey: the form alone carries it, conditions are applied by the server,
  and a required question left blank is marked in Vietnamese.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from quiz.conferences.venue import shown_code
from quiz.extensions import db
from quiz.models import SurveyAnswer, SurveyQuestion, SurveyResponse
from quiz.surveys.drain import drain_survey
from quiz.timeutil import local, now_ms, utcnow
from tests.browser.catalog import vi
from tests.browser.conference import ATTENDEE, TITLE, make_conference_world
from tests.browser.conftest import DESKTOP
from tests.browser.organizer import sign_in
from tests.browser.screens import expect
from tests.factories import make_units
from tests.surveys.builders import make_survey

pytestmark = pytest.mark.browser

SURVEY = "Khảo sát sau hội nghị quán triệt"


def heading(page):
    return page.get_by_role("heading", level=1)


def _local(moment) -> str:
    return local(moment).strftime("%Y-%m-%dT%H:%M")


def the_organizer_builds_the_survey_from_excel(page, check_screen, tmp_path) -> None:
    page.goto("/console/login")
    sign_in(page)
    menu = page.get_by_role("navigation", name=vi("Console"))
    menu.get_by_role("link", name=vi("Surveys"), exact=True).click()
    page.get_by_role("link", name=vi("New survey")).click()
    page.get_by_label(vi("Title")).fill(SURVEY)
    page.get_by_label(vi("Address (letters, digits and dashes)")).fill("sau-hoi-nghi")
    page.get_by_label(vi("Opens (local time)")).fill(_local(utcnow() - timedelta(hours=1)))
    page.get_by_label(vi("Closes (local time)")).fill(_local(utcnow() + timedelta(days=7)))
    page.get_by_label(vi("Who answers")).select_option("delegates")
    page.get_by_label(vi("Conference (for delegates)")).select_option(label=TITLE)
    check_screen(page, "survey-1-organizer-new", budget=False)
    page.get_by_role("button", name=vi("Save")).click()
    expect(heading(page)).to_have_text(vi("Questions"))

    with page.expect_download() as download:
        page.get_by_role("link", name=vi("Download the template")).click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    page.get_by_label(vi("Excel file (.xlsx)")).set_input_files(template)
    page.get_by_role("button", name=vi("Check the file")).click()
    expect(heading(page)).to_have_text(vi("Checking the questionnaire for %(title)s", title=SURVEY))
    check_screen(page, "survey-2-organizer-preview", budget=False)
    page.get_by_role("button", name=vi("Replace the questionnaire with this one")).click()
    expect(page.get_by_role("status")).to_have_text(
        vi("Saved: %(s)s sections, %(q)s questions.", s=2, q=7)
    )
    expect(page.locator('input[name="r2-code"]')).to_have_value("Q1")  # the table shows it
    check_screen(page, "survey-3-organizer-questions", budget=False)


def the_delegate_checks_in_and_answers(page, app, world, check_screen) -> None:
    code = shown_code(app.secret_key, world.conference_id, world.session_id, now_ms()).code
    page.goto(f"/d/{world.conference_id}/{code}")
    expect(heading(page)).to_have_text(vi("Who are you?"))
    page.get_by_label(vi("Mobile phone number")).fill(ATTENDEE.phone)
    page.get_by_role("button", name=vi("Check in"), exact=True).tap()
    expect(heading(page)).to_have_text(vi("Checked in"))
    survey = page.get_by_role("link", name=vi("Answer the survey"))
    expect(survey).to_be_visible()  # offered right away, on her phone
    survey.tap()
    expect(heading(page)).to_have_text(SURVEY)
    page.get_by_role("radio", name="Có", exact=True).check()
    page.get_by_role("radio", name="Hài lòng", exact=True).check()
    page.get_by_role("checkbox", name="Điện thoại").check()
    check_screen(page, "survey-4-delegate-form")
    page.get_by_role("button", name=vi("Send my answers")).tap()
    expect(heading(page)).to_have_text(vi("Thank you!"))
    check_screen(page, "survey-5-delegate-done")
    page.go_back()
    page.reload()
    expect(heading(page)).to_have_text(vi("Thank you!"))  # once: the form is not offered again


def test_organizer_builds_from_excel_and_a_delegate_answers_after_check_in(
    app, open_page, live_server, check_screen, tmp_path
):
    world = make_conference_world(app)
    office = open_page(viewport=DESKTOP)
    the_organizer_builds_the_survey_from_excel(office, check_screen, tmp_path)
    the_delegate_checks_in_and_answers(open_page(), app, world, check_screen)
    with app.app_context():
        survey_id = db.session.scalar(select(SurveyQuestion.survey_id).limit(1))
        assert drain_survey(survey_id) == 1
    office.get_by_role("link", name=SURVEY).click()
    expect(heading(office)).to_have_text(SURVEY)
    expect(office.locator("#live tfoot td").nth(-3)).to_have_text("1")
    check_screen(office, "survey-6-organizer-live", budget=False)


def test_an_anonymous_public_respondent_without_javascript(
    app, open_page, live_server, check_screen
):
    with app.app_context():
        survey_id = make_survey(make_units()["P"]).id
    page = open_page(javascript=False)
    page.goto("/s/khao-sat")
    expect(heading(page)).to_have_text("Khảo sát thử nghiệm")
    expect(
        page.get_by_text(
            vi("Only if you answered “%(value)s” to question %(code)s.", value="Có", code="Q1")
        )
    ).to_be_visible()
    page.get_by_role("button", name=vi("Send my answers")).tap()
    first = page.locator("#q1 .error")
    expect(first).to_have_text(vi("This question needs an answer."))
    check_screen(page, "survey-7-public-without-javascript-marked")

    page.get_by_role("radio", name="Không", exact=True).check()
    page.get_by_label("Q5").fill("34")
    page.get_by_label("Q6").fill("Ủy ban xã")  # shown only if Q1 is "Có": not kept
    page.get_by_label("Q8").fill("01/02/2026")
    page.get_by_role("button", name=vi("Send my answers")).tap()
    expect(heading(page)).to_have_text(vi("Thank you!"))
    check_screen(page, "survey-8-public-without-javascript-done")
    with app.app_context():
        assert drain_survey(survey_id) == 1
        response = db.session.scalar(select(SurveyResponse))
        assert response.person_entrant_id is None and response.unit_id is None
        texts = db.session.scalars(select(SurveyAnswer.text)).all()
        assert "Ủy ban xã" not in texts
        dates = [d for d in db.session.scalars(select(SurveyAnswer.date)) if d]
        assert [d.isoformat() for d in dates] == ["2026-02-01"]
