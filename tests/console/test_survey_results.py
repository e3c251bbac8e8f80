"""The survey results page: worker-cached figures, unit scope, filters, cross-tab, open answers."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from quiz.extensions import db
from quiz.models import Unit
from quiz.models.surveys import SurveyAnswer, SurveyQuestion, SurveyResponse
from quiz.reports import survey_jobs
from tests.console.conftest import csrf
from tests.console.test_dashboard import run_jobs
from tests.surveys.sheets import add_responses, make_survey


@pytest.fixture
def survey(app, world) -> dict:
    """D1's survey: 30 responses from D1's communes (women), 12 from D2's (men)."""
    with app.app_context():
        made = make_survey(world.units["D1"])
        units = [db.session.get(Unit, world.units[k]) for k in ("D1-C1", "D1-C2", "D2-C1")]
        add_responses(made, [units[0].id, units[1].id], 30, seed=3, gender="female")
        add_responses(made, [units[2].id], 12, seed=4, gender="male")
        ids = {q.code: q.id for q in made.questions}
        return {"id": made.id, "q": ids, "url": f"/console/surveys/{made.id}/results"}


def responses_shown(html: str) -> int:
    match = re.search(r'id="responses"><b>([\d.,]+)</b>', html)
    assert match, html[:2000]
    return int(match.group(1).replace(".", "").replace(",", ""))


def count_where(app, question_id: int, unit_ids: list[int], **match) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(SurveyAnswer)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyAnswer.question_id == question_id, SurveyResponse.unit_id.in_(unit_ids))
            .filter_by(**match)
        )


def test_the_first_visit_asks_a_worker_and_says_it_is_computing(app, as_staff, survey):
    page = as_staff("admin").get(survey["url"])
    assert page.status_code == 200
    assert "data-reload-after" in page.text and 'id="responses"' not in page.text
    with app.app_context():
        assert survey_jobs.is_queued(survey["id"], {})


def test_the_page_shows_counts_shares_means_and_chart_data(app, as_staff, world, survey):
    admin = as_staff("admin")
    admin.get(survey["url"])
    run_jobs(app)
    page = admin.get(survey["url"])
    assert responses_shown(page.text) == 42
    assert "data-reload-after" not in page.text
    charts = json.loads(re.search(r'id="stats-charts">(.*?)</script>', page.text, re.S).group(1))
    q1 = charts[f"q{survey['q']['Q1']}"]
    assert q1["labels"] == ["Có", "Chưa"]
    with app.app_context():
        yes = db.session.get(SurveyQuestion, survey["q"]["Q1"]).options[0].id
    everyone = [world.units[k] for k in ("D1-C1", "D1-C2", "D2-C1")]
    assert q1["datasets"][0]["data"][0] == count_where(
        app, survey["q"]["Q1"], everyone, option_id=yes
    )
    assert sum(q1["datasets"][0]["data"]) == 42
    grid = charts[f"q{survey['q']['Q5']}"]
    assert grid["labels"] == ["Nội dung", "Đường truyền"] and len(grid["datasets"]) == 3
    assert "Trung bình" in page.text  # the scale's and the number's means


def test_the_page_offers_the_exports_the_account_may_ask_for(app, as_staff, survey):
    page = as_staff("org1").get(survey["url"]).text
    assert 'value="survey_responses"' in page and 'value="survey_csv"' in page
    assert 'value="survey_people"' not in page  # anonymous: nobody to list
    org = as_staff("org1")
    reply = org.post(
        "/console/exports",
        data={"csrf_token": csrf(org), "kind": "survey_responses", "survey_id": survey["id"]},
    )
    assert reply.status_code == 303
    with app.app_context():
        from quiz.models import ExportFile

        export = db.session.scalar(select(ExportFile))
        assert (export.kind, export.params) == ("survey_responses", {"survey_id": survey["id"]})
        assert export.personal_data  # one row per response: editors only, audited
        from quiz.models import AuditEvent

        logged = db.session.scalars(select(AuditEvent.action)).all()
        assert "export_personal_data" in logged


@pytest.mark.parametrize("kind", ["survey_responses", "survey_csv"])
def test_a_viewer_may_not_export_the_responses_of_an_anonymous_survey(app, as_staff, survey, kind):
    """With unit, age band, gender and occupation, a row gets round the minimum group size."""
    viewer = as_staff("view1")
    page = viewer.get(survey["url"]).text
    assert f'value="{kind}"' not in page
    reply = viewer.post(
        "/console/exports",
        data={"csrf_token": csrf(viewer), "kind": kind, "survey_id": survey["id"]},
    )
    assert reply.status_code == 403
    with app.app_context():
        from quiz.models import ExportFile

        assert db.session.scalar(select(func.count()).select_from(ExportFile)) == 0


def test_an_organizer_sees_only_responses_from_units_in_scope(app, as_staff, survey):
    as_staff("org1").get(survey["url"])
    run_jobs(app)
    assert responses_shown(as_staff("org1").get(survey["url"]).text) == 30
    assert responses_shown(as_staff("admin").get(survey["url"]).text) == 42


def test_drilling_down_to_a_commune_counts_its_responses_only(app, as_staff, world, survey):
    org = as_staff("org1")
    org.get(survey["url"])
    run_jobs(app)
    page = org.get(survey["url"], query_string={"unit": world.units["D1-C1"]})
    assert responses_shown(page.text) == 15  # responses alternate between the two communes
    assert org.get(survey["url"], query_string={"unit": world.units["D2"]}).status_code == 404


def test_a_filter_is_its_own_variant_counted_by_the_worker(app, as_staff, survey):
    admin = as_staff("admin")
    admin.get(survey["url"])
    run_jobs(app)
    assert 'value="female"' in admin.get(survey["url"]).text  # offered in the picker
    admin.get(survey["url"], query_string={"gender": "male"})
    run_jobs(app)
    assert responses_shown(admin.get(survey["url"], query_string={"gender": "male"}).text) == 12


def test_a_cross_tab_of_two_choice_questions_adds_up_to_the_pairs(app, as_staff, survey):
    admin = as_staff("admin")
    args = {"x1": survey["q"]["Q1"], "x2": survey["q"]["Q3"]}
    admin.get(survey["url"], query_string=args)
    run_jobs(app)
    page = admin.get(survey["url"], query_string=args)
    table = re.search(r'id="cross-table">(.*?)</table>', page.text, re.S).group(1)
    last_row = table.split("<tr>")[-1]
    assert re.findall(r'class="num">(\d+)</td>', last_row)[-1] == "42"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"x1": "Q1", "x2": "2"}, "Hãy chọn hai câu hỏi lựa chọn hoặc thang đo"),
        ({"x1": "999999", "x2": "999998"}, "Hãy chọn hai câu hỏi lựa chọn hoặc thang đo"),
    ],
)
def test_a_bad_cross_tab_choice_gets_a_message_not_an_error(as_staff, survey, args, message):
    page = as_staff("admin").get(survey["url"], query_string=args)
    assert page.status_code == 200 and message in page.text


def test_the_same_question_twice_is_refused_with_a_message(as_staff, survey):
    q1 = survey["q"]["Q1"]
    page = as_staff("admin").get(survey["url"], query_string={"x1": q1, "x2": q1})
    assert page.status_code == 200 and "Hãy chọn hai câu hỏi khác nhau" in page.text


def test_open_answers_are_listed_searched_and_scoped(app, as_staff, world, survey):
    url = f"/console/surveys/{survey['id']}/answers"
    q6 = survey["q"]["Q6"]
    d1 = [world.units["D1-C1"], world.units["D1-C2"]]
    slow = count_where(app, q6, d1, text="Mạng chậm")
    page = as_staff("org1").get(url, query_string={"question": q6, "q": "mạng chậm"})
    assert page.status_code == 200
    assert page.text.count('class="open-answer"') == min(slow, 50)
    assert f"{slow} câu trả lời" in page.text
    everything = as_staff("org1").get(url, query_string={"question": q6})
    assert f"{count_where(app, q6, d1)} câu trả lời" in everything.text
    other = as_staff("org1").get(url, query_string={"question": survey["q"]["Q4"]})
    assert "Máy tính bảng" in other.text  # "other, please specify"


def test_an_unknown_question_of_open_answers_gets_a_message(as_staff, survey):
    url = f"/console/surveys/{survey['id']}/answers"
    page = as_staff("org1").get(url, query_string={"question": survey["q"]["Q1"]})
    assert page.status_code == 200 and "Khảo sát này không có câu hỏi" in page.text


def test_recompute_is_for_editors_and_keeps_the_page_choices(app, as_staff, survey):
    viewer = as_staff("view1")
    url = survey["url"] + "/recompute"
    assert viewer.post(url, data={"csrf_token": csrf(viewer)}).status_code == 403
    org = as_staff("org1")
    reply = org.post(url + "?gender=male", data={"csrf_token": csrf(org)})
    assert reply.status_code == 303 and "gender=male" in reply.headers["Location"]
    with app.app_context():
        assert survey_jobs.is_queued(survey["id"], {"gender": "male"})


def test_response_exports_made_before_the_rule_become_personal_data(app, survey):
    from flask_migrate import stamp, upgrade

    from quiz.models import ExportFile
    from quiz.reports.export_jobs import create_export
    from tests.conftest import ROOT

    with app.app_context():
        made = [
            create_export(kind, {"survey_id": survey["id"]}, None, None)
            for kind in ("survey_responses", "survey_csv", "participation_days")
        ]
        for export in made:
            export.personal_data = False  # as the rows made before the rule were
        db.session.commit()
        migrations = str(ROOT / "migrations")
        stamp(directory=migrations, revision="c4d8e2a6f1b3")
        upgrade(directory=migrations)
        marked = db.session.execute(
            select(ExportFile.kind, ExportFile.personal_data).order_by(ExportFile.id)
        ).all()
    assert marked == [
        ("survey_responses", True), ("survey_csv", True), ("participation_days", False)
    ]  # fmt: skip
