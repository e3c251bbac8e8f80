"""An organizer reads a survey's results: computed by a worker, drilled down to a commune,
filtered by gender, crossed, and the open answers searched.

On a desktop viewport, in Vietnamese, as test_organizer_journey.py. The
survey belongs to district D1; responses come from D1's communes and from
D2's, and the organizer of D1 sees D1's only.
"""

from __future__ import annotations

import re

import pytest

from quiz.extensions import db
from tests.browser.catalog import vi
from tests.browser.conftest import DESKTOP
from tests.browser.organizer import create_organizer, sign_in
from tests.browser.screens import SCREENSHOTS, expect
from tests.factories import make_units
from tests.surveys.sheets import add_responses, make_survey

pytestmark = pytest.mark.browser


@pytest.fixture
def survey_id(app) -> int:
    """D1's survey: 20 women from Xã D1-1 and D1-2 (alternately), 10 men from Xã D1-1,
    12 men from Xã D2-1 (outside the organizer's district)."""
    with app.app_context():
        units = make_units()
        survey = make_survey(units["D1"].id)
        c1, c2, other = (units[k].id for k in ("D1-C1", "D1-C2", "D2-C1"))
        add_responses(survey, [c1, c2], 20, seed=1, gender="female")
        add_responses(survey, [c1], 10, seed=2, gender="male")
        add_responses(survey, [other], 12, seed=3, gender="male")
        db.session.commit()
        return survey.id


def responses(page):
    return page.locator("#responses b")


def test_organizer_reads_results_by_unit_filters_crosses_and_searches(
    app, open_page, live_server, check_screen, survey_id
):
    create_organizer(app)
    page = open_page(viewport=DESKTOP)
    page.goto(f"/console/surveys/{survey_id}/results")
    sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Khảo sát khao-sat")
    # Nothing counted yet: the page asked a worker and reloads by itself.
    expect(page.get_by_role("status")).to_contain_text(
        vi("The results are being computed; this page reloads by itself.")
    )
    assert live_server.run_jobs()
    expect(responses(page)).to_have_text("30")  # D2's 12 are outside the organizer's scope
    canvases = page.locator("canvas[data-chart]")
    expect(canvases).to_have_count(4)  # Q1, Q3 (scale), Q4 (several choices), Q5 (grid)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".every(c => window.Chart && Chart.getChart(c))"
    )
    expect(page.locator(f"#q{question_id(app, survey_id, 'Q3')}")).to_contain_text(
        vi("Mean: %(mean)s").split(":")[0]
    )
    check_screen(page, "console-survey-results", budget=False)
    assert (SCREENSHOTS / "console-survey-results.png").stat().st_size > 10_000

    # Down the tree: one commune, from the counts already cached (no new job).
    units = page.locator("#units + table")
    units.get_by_role("link", name="Xã D1-1").click()
    expect(responses(page)).to_have_text("20")
    expect(page.get_by_role("navigation", name=vi("Units"))).to_contain_text("Xã D1-1")

    # A filter is its own count, made by the worker the first time it is asked for.
    page.get_by_label(vi("Gender")).select_option(label=vi("Female"))
    page.get_by_role("button", name=vi("Show"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        vi("The results are being computed; this page reloads by itself.")
    )
    assert live_server.run_jobs()
    expect(responses(page)).to_have_text("10")
    assert "unit=" in page.url and "gender=female" in page.url

    # A cross-tab of the two choice questions, within the same commune and filter.
    page.get_by_label(vi("In rows")).select_option(index=0)
    page.get_by_label(vi("In columns")).select_option(index=1)
    page.get_by_role("button", name=vi("Cross"), exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(
        vi("The cross-tab is being computed; this page reloads by itself.")
    )
    assert live_server.run_jobs()
    table = page.locator("#cross-table")
    expect(table.locator("tr").last.locator("td").last).to_have_text("10")
    # An anonymous survey: cells of fewer than 5 of these 10 women read "< 5".
    expect(table.locator("td.masked").first).to_have_text("< 5")
    check_screen(page, "console-survey-cross-tab", budget=False, shot=True)

    # Open answers of the commune's women, searched.
    page.get_by_role("link", name=vi("Open answers"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(vi("Open answers"))
    page.get_by_label(vi("Question")).select_option(str(question_id(app, survey_id, "Q6")))
    page.get_by_label(vi("Containing")).fill("Mạng chậm")
    page.get_by_role("button", name=vi("Search"), exact=True).click()
    total = page.locator("#answers-total")
    expect(total).to_contain_text("câu trả lời có “Mạng chậm”")
    shown = int(re.match(r"\d+", total.inner_text()).group(0))
    expect(page.locator("td.open-answer")).to_have_count(shown)
    assert shown > 0
    check_screen(page, "console-survey-answers", budget=False)


def question_id(app, survey_id: int, code: str) -> int:
    from quiz.models.surveys import SurveyQuestion

    with app.app_context():
        return db.session.scalar(
            db.select(SurveyQuestion.id).where(
                SurveyQuestion.survey_id == survey_id, SurveyQuestion.code == code
            )
        )
