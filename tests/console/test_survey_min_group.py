"""An anonymous survey's results never narrow to fewer than SURVEY_MIN_GROUP responses."""

from __future__ import annotations

import re

import pytest

from quiz.extensions import DEFAULT_QUEUE, db, get_queue
from quiz.reports.survey_privacy import mask_cross, min_group, too_few
from quiz.reports.survey_tally import CrossTab
from tests.console.test_dashboard import run_jobs
from tests.console.test_survey_results import responses_shown
from tests.surveys.sheets import add_responses, make_survey

NOTE = "Ít hơn 5 phiếu trả lời khớp với đơn vị và bộ lọc đã chọn"


def build(app, world, commune: int, anonymous: bool = True) -> dict:
    """D1's survey: `commune` women answered in Xã D1-1, 20 men in Xã D1-2."""
    with app.app_context():
        made = make_survey(world.units["D1"], anonymous=anonymous)
        add_responses(made, [world.units["D1-C1"]], commune, seed=5, gender="female")
        add_responses(made, [world.units["D1-C2"]], 20, seed=6, gender="male")
        ids = {q.code: q.id for q in made.questions}
        db.session.commit()
        return {"id": made.id, "q": ids, "url": f"/console/surveys/{made.id}/results"}


def computed(client, url: str, app, **args) -> str:
    client.get(url, query_string=args)
    with app.app_context():
        queued = get_queue(DEFAULT_QUEUE).count
    if queued:  # a unit of cached counts needs no new job
        run_jobs(app)
    page = client.get(url, query_string=args)
    assert page.status_code == 200
    return page.text


def assert_nothing_shown(html: str) -> None:
    assert NOTE in html
    assert 'id="responses"' not in html and 'id="stats-charts"' not in html
    assert 'id="cross-table"' not in html and "<canvas" not in html
    assert 'id="units"' not in html and "survey-question" not in html


def test_a_commune_of_three_anonymous_responses_shows_the_note_only(app, as_staff, world):
    survey = build(app, world, commune=3)
    admin = as_staff("admin")
    assert responses_shown(computed(admin, survey["url"], app)) == 23
    commune = {"unit": world.units["D1-C1"]}
    assert_nothing_shown(computed(admin, survey["url"], app, **commune))
    crossed = {**commune, "x1": survey["q"]["Q1"], "x2": survey["q"]["Q3"]}
    assert_nothing_shown(computed(admin, survey["url"], app, **crossed))
    # The same three through a filter instead of a unit.
    assert_nothing_shown(computed(admin, survey["url"], app, gender="female"))


def test_open_answers_of_a_group_under_the_minimum_are_not_listed(app, as_staff, world):
    survey = build(app, world, commune=3)
    url = f"/console/surveys/{survey['id']}/answers"
    q6 = survey["q"]["Q6"]
    admin = as_staff("admin")
    small = admin.get(url, query_string={"question": q6, "unit": world.units["D1-C1"]})
    assert small.status_code == 200
    assert NOTE in small.text and 'class="open-answer"' not in small.text
    women = admin.get(url, query_string={"question": q6, "gender": "female"})
    assert NOTE in women.text and 'class="open-answer"' not in women.text
    everyone = admin.get(url, query_string={"question": q6})
    assert NOTE not in everyone.text and 'class="open-answer"' in everyone.text


@pytest.mark.parametrize("anonymous", [True, False])
def test_open_answers_name_their_unit_only_in_an_identified_survey(app, as_staff, world, anonymous):
    """The list of everyone's answers would otherwise give the three answers of Xã D1-1,
    the commune the results page hides, each with its commune."""
    survey = build(app, world, commune=3, anonymous=anonymous)
    url = f"/console/surveys/{survey['id']}/answers"
    page = as_staff("admin").get(url, query_string={"question": survey["q"]["Q6"]}).text
    assert 'class="open-answer"' in page
    assert ("Xã D1-1" in page.split('id="answers"')[1]) is not anonymous


def test_the_minimum_is_the_configured_one(app, as_staff, world):
    survey = build(app, world, commune=3)
    app.config["SURVEY_MIN_GROUP"] = 3
    page = computed(as_staff("admin"), survey["url"], app, unit=world.units["D1-C1"])
    assert "phiếu trả lời khớp với đơn vị" not in page and responses_shown(page) == 3
    app.config["SURVEY_MIN_GROUP"] = 4
    page = as_staff("admin").get(survey["url"], query_string={"unit": world.units["D1-C1"]})
    assert "Ít hơn 4 phiếu trả lời" in page.text and 'id="responses"' not in page.text


def test_a_commune_of_five_shows_its_figures(app, as_staff, world):
    survey = build(app, world, commune=5)
    admin = as_staff("admin")
    page = computed(admin, survey["url"], app, unit=world.units["D1-C1"])
    assert NOTE not in page and responses_shown(page) == 5
    assert 'id="stats-charts"' in page
    answers = admin.get(
        f"/console/surveys/{survey['id']}/answers",
        query_string={"question": survey["q"]["Q6"], "unit": world.units["D1-C1"]},
    )
    assert NOTE not in answers.text and 'id="answers"' in answers.text


def test_an_identified_survey_shows_figures_below_the_minimum(app, as_staff, world):
    survey = build(app, world, commune=3, anonymous=False)
    admin = as_staff("admin")
    page = computed(admin, survey["url"], app, unit=world.units["D1-C1"])
    assert NOTE not in page and responses_shown(page) == 3
    answers = admin.get(
        f"/console/surveys/{survey['id']}/answers",
        query_string={"question": survey["q"]["Q6"], "unit": world.units["D1-C1"]},
    )
    assert NOTE not in answers.text and 'id="answers"' in answers.text


def cells(html: str) -> list[list[str]]:
    """The cross-tab's inner cells (no totals), as they read."""
    table = re.search(r'id="cross-table">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr><th scope=\"row\">.*?</th>(.*?)</tr>", table, re.S)[:-1]
    return [re.findall(r'<td class="num[^"]*">(.*?)</td>', row)[:-1] for row in rows]


def test_cross_tab_cells_under_the_minimum_are_masked(app, as_staff, world):
    survey = build(app, world, commune=3)
    args = {"x1": survey["q"]["Q1"], "x2": survey["q"]["Q3"]}
    page = computed(as_staff("admin"), survey["url"], app, **args)
    table = cells(page)
    assert table and all(table)
    flat = [c for row in table for c in row]
    assert "&lt; 5" in flat
    for text in flat:
        if text != "&lt; 5":
            n = int(text.split(" ")[0])
            assert n == 0 or n >= 5, text
    # No row or column has exactly one masked cell (the totals would give it back).
    for line in [*table, *zip(*table, strict=True)]:
        assert sum(c == "&lt; 5" for c in line) != 1


def test_identified_cross_tabs_are_not_masked(app, as_staff, world):
    survey = build(app, world, commune=3, anonymous=False)
    args = {"x1": survey["q"]["Q1"], "x2": survey["q"]["Q3"]}
    page = computed(as_staff("admin"), survey["url"], app, **args)
    flat = [c for row in cells(page) for c in row]
    assert "&lt; 5" not in flat and any(0 < int(c.split(" ")[0]) < 5 for c in flat)


def table_of(counts: list[list[int]]) -> CrossTab:
    return CrossTab(
        [f"r{i}" for i in range(len(counts))],
        [f"c{j}" for j in range(len(counts[0]))],
        counts,
        [sum(line) for line in counts],
        [sum(col) for col in zip(*counts, strict=True)],
        sum(map(sum, counts)),
    )


@pytest.mark.parametrize(
    ("counts", "masked"),
    [
        ([[9, 8], [7, 6]], []),  # nothing small
        ([[1, 9, 8], [6, 7, 9]], [(0, 0), (0, 2), (1, 0), (1, 2)]),  # with the second cells
        ([[2, 3], [0, 0], [0, 0]], [(0, 0), (0, 1), (1, 0), (1, 1)]),  # zeros too: columns
    ],
)
def test_mask_cross_masks_small_cells_and_one_more_per_line(counts, masked):
    shown = mask_cross(table_of(counts), 5)
    assert sorted(
        (i, j) for i, line in enumerate(shown.counts) for j, n in enumerate(line) if n is None
    ) == sorted(masked)
    assert shown.row_totals == table_of(counts).row_totals  # the totals stay


def test_the_minimum_applies_to_anonymous_surveys_only():
    assert min_group(True, 5) == 5 and min_group(False, 5) == 0
    assert too_few(4, 5) and not too_few(5, 5) and not too_few(0, 0)
