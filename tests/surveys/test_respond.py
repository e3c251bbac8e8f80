"""A respondent's journey over HTTP: the form, drafts, submits, one answer per person.

Every test runs twice: saves and submits through the WSGI fast path, and
through the Flask views (the rules are the same functions).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quiz.extensions import db, get_redis
from quiz.models import SurveyAnswer, SurveyRespondent, SurveyResponse
from quiz.surveys.drain import drain_survey
from tests.conftest import make_config
from tests.factories import make_units
from tests.players import csrf_from, errors_in
from tests.surveys.builders import fields, make_survey


@pytest.fixture(params=[True, False], ids=["fastpath", "flask"])
def app_config(request, schema, database_url, redis_url):
    return make_config(database_url, redis_url, ATTEMPT_FASTPATH=request.param)


@pytest.fixture
def survey(app):
    with app.app_context():
        units = make_units()
        made = make_survey(units["P"])
        return made.id, fields(made)


def token_of(html: str) -> str:
    return re.search(r'action="/s/t/([^/"]+)/submit"', html).group(1)


def open_form(client, slug="khao-sat"):
    page = client.get(f"/s/{slug}")
    assert page.status_code == 200, page.text
    return page, token_of(page.text), csrf_from(page.text)


def complete(f) -> dict:
    return {
        f["Q1"]["name"]: f["Q1"]["options"]["Có"],
        f["Q2"]["name"]: [f["Q2"]["options"]["Xe máy"], "other"],
        f["Q2"]["name"] + "_other": "Xe đạp",
        f["Q3"]["name"]: f["Q3"]["options"]["Hài lòng"],
        f["Q4"]["rows"]["Điện"]: f["Q4"]["options"]["Tốt"],
        f["Q4"]["rows"]["Nước"]: f["Q4"]["options"]["Được"],
        f["Q5"]["name"]: "34",
        f["Q6"]["name"]: "Ủy ban xã",
        # Section 2 is shown only if Q1 is "Không": these are dropped.
        f["Q7"]["name"]: "không nên được lưu",
        f["Q8"]["name"]: "01/02/2026",
    }


def drain(app, survey_id) -> int:
    with app.app_context():
        return drain_survey(survey_id)


def test_a_public_respondent_without_javascript_submits_once(app, client, survey):
    survey_id, f = survey
    _page, token, csrf = open_form(client)
    sent = client.post(f"/s/t/{token}/submit", data={"csrf_token": csrf, **complete(f)})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/s/khao-sat/done")
    assert "Xin cảm ơn!" in client.get("/s/khao-sat/done").text
    assert drain(app, survey_id) == 1
    with app.app_context():
        response = db.session.scalar(select(SurveyResponse))
        answers = db.session.scalars(select(SurveyAnswer)).all()
        by_question = {}
        for a in answers:
            by_question.setdefault(a.question_id, []).append(a)
        assert response.survey_id == survey_id and not response.flagged
        assert {a.option_id for a in by_question[f["Q2"]["id"]] if a.option_id} == {
            int(f["Q2"]["options"]["Xe máy"])
        }
        assert [a.text for a in by_question[f["Q2"]["id"]] if a.text] == ["Xe đạp"]
        assert by_question[f["Q5"]["id"]][0].number == 34
        assert len(by_question[f["Q4"]["id"]]) == 2
        assert f["Q7"]["id"] not in by_question and f["Q8"]["id"] not in by_question
    # The same device again: the page says it was answered; a second submit counts nothing.
    assert client.get("/s/khao-sat").status_code == 303
    again = client.post(f"/s/t/{token}/submit", data={"csrf_token": csrf, **complete(f)})
    assert again.status_code == 303
    assert drain(app, survey_id) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_a_required_question_left_blank_is_marked_and_nothing_is_counted(app, client, survey):
    survey_id, f = survey
    _page, token, csrf = open_form(client)
    data = complete(f)
    del data[f["Q1"]["name"]]
    data[f["Q5"]["name"]] = "200"
    refused = client.post(f"/s/t/{token}/submit", data={"csrf_token": csrf, **data})
    assert refused.status_code == 422
    errors = errors_in(refused.text)
    assert "Câu hỏi này cần được trả lời." in errors
    assert any("từ 0 đến 120" in e for e in errors)
    assert 'value="Xe đạp"' in refused.text  # what was typed is kept
    assert drain(app, survey_id) == 0


@pytest.mark.parametrize("typed", ["1/1/99999999999999999999", "31/02/2026", "²/1/2026"])
def test_a_date_that_is_no_date_is_marked_never_a_crash(app, client, survey, typed):
    survey_id, f = survey
    _page, token, csrf = open_form(client)
    data = complete(f)
    data[f["Q1"]["name"]] = f["Q1"]["options"]["Không"]  # shows section 2, with the date
    data[f["Q8"]["name"]] = typed
    refused = client.post(f"/s/t/{token}/submit", data={"csrf_token": csrf, **data})
    assert refused.status_code == 422
    assert any("ngày/tháng/năm" in e for e in errors_in(refused.text)), errors_in(refused.text)
    assert drain(app, survey_id) == 0


def test_the_draft_is_kept_and_resumed_after_a_reload(app, client, survey):
    _survey_id, f = survey
    _page, token, csrf = open_form(client)
    saved = client.post(
        f"/s/t/{token}/save",
        data={f["Q5"]["name"]: "41,5", f["Q1"]["name"]: f["Q1"]["options"]["Không"]},
        headers={"X-CSRFToken": csrf, "X-Requested-With": "fetch"},
    )
    assert saved.status_code == 200 and saved.json == {"ok": True}
    page = client.get("/s/khao-sat")
    assert 'value="41,5"' in page.text
    assert f'value="{f["Q1"]["options"]["Không"]}" data-value="2" data-label="Không" checked' in (
        page.text
    )


def test_saving_without_javascript_keeps_the_whole_form(app, client, survey):
    _survey_id, f = survey
    _page, token, csrf = open_form(client)
    saved = client.post(
        f"/s/t/{token}/save", data={"csrf_token": csrf, f["Q6"]["name"]: "Trường học"}
    )
    assert saved.status_code == 303
    page = client.get("/s/khao-sat")
    assert 'value="Trường học"' in page.text
    assert "Đã lưu câu trả lời" in page.text


def test_a_save_naming_an_option_the_question_lacks_is_refused(app, client, survey):
    _survey_id, f = survey
    _page, token, csrf = open_form(client)
    refused = client.post(
        f"/s/t/{token}/save",
        data={f["Q1"]["name"]: "999999"},
        headers={"X-CSRFToken": csrf, "X-Requested-With": "fetch"},
    )
    assert refused.status_code == 422
    assert refused.json["error"] == "Hãy chọn một trong các phương án đã cho."


def test_a_forged_token_or_missing_csrf_is_refused(app, client, survey):
    _survey_id, f = survey
    _page, token, csrf = open_form(client)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(f"/s/t/{forged}/submit", data={"csrf_token": csrf}).status_code == 404
    no_csrf = client.post(f"/s/t/{token}/submit", data=complete(f))
    assert no_csrf.status_code == 400


def test_two_devices_of_one_person_count_once_even_submitting_together(app, survey):
    """Another browser with the same device cookie is the same respondent (counted atomically)."""
    survey_id, f = survey
    first, second = app.test_client(), app.test_client()
    _p, token, csrf1 = open_form(first)
    second.set_cookie("qd", first.get_cookie("qd").value)
    _p, token2, csrf2 = open_form(second)
    assert token2 == token
    first.post(f"/s/t/{token}/submit", data={"csrf_token": csrf1, **complete(f)})
    second.post(f"/s/t/{token}/submit", data={"csrf_token": csrf2, **complete(f)})
    assert drain(app, survey_id) == 1


def test_an_open_link_allows_a_few_responses_per_device(app, client):
    with app.app_context():
        units = make_units()
        made = make_survey(units["P"], per_device_limit=2)
        survey_id, f = made.id, fields(made)
    for _ in range(2):
        _p, token, csrf = open_form(client)
        assert (
            client.post(
                f"/s/t/{token}/submit", data={"csrf_token": csrf, **complete(f)}
            ).status_code
            == 303
        )
    assert client.get("/s/khao-sat").status_code == 303  # the limit reached
    assert drain(app, survey_id) == 2
    with app.app_context():
        keys = db.session.scalars(select(SurveyRespondent.key)).all()
        assert len(set(keys)) == 2 and any(k.endswith("#2") for k in keys)


def test_a_burst_from_one_address_is_flagged_not_refused(app, survey, monkeypatch):
    monkeypatch.setattr("quiz.surveys.store.BURST_SIZE", 2)
    survey_id, f = survey
    for _ in range(3):
        client = app.test_client()  # a new device each time, as a script would be
        _p, token, csrf = open_form(client)
        assert (
            client.post(
                f"/s/t/{token}/submit", data={"csrf_token": csrf, **complete(f)}
            ).status_code
            == 303
        )
    assert drain(app, survey_id) == 3
    with app.app_context():
        flags = db.session.scalars(select(SurveyResponse.flagged)).all()
    assert sorted(flags) == [False, False, True]


def test_a_survey_not_yet_open_or_closed_takes_no_answers(app, client):
    with app.app_context():
        units = make_units()
        make_survey(units["P"], open_now=False)
    page = client.get("/s/khao-sat")
    assert page.status_code == 403 and "chưa mở" in page.text


def test_a_response_drained_twice_is_written_once(app, client, survey):
    """A worker that died after its commit and before deleting the stream entries."""
    survey_id, f = survey
    _p, token, csrf = open_form(client)
    client.post(f"/s/t/{token}/submit", data={"csrf_token": csrf, **complete(f)})
    with app.app_context():
        from quiz.scoring import keys
        from quiz.surveys.drain import _entries, write_batch
        from quiz.surveys.structure import survey_cache

        raw = get_redis().xrange(keys.survey_responses(survey_id))
        info = survey_cache().get(survey_id)
        assert write_batch(info, _entries(raw)) == 1
        db.session.commit()
        assert write_batch(info, _entries(raw)) == 0
        db.session.commit()
    assert drain(app, survey_id) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_the_fast_path_answers_saves_and_submits_without_the_views(
    app, client, survey, monkeypatch
):
    """With the fast path on, a view that would refuse everything is never reached."""
    if not app.config["ATTEMPT_FASTPATH"]:
        pytest.skip("the fast path only")
    survey_id, f = survey
    _p, token, csrf = open_form(client)

    def refuse(*args, **kwargs):
        raise AssertionError("the Flask view was called")

    monkeypatch.setattr("quiz.surveys.views.save_draft", refuse)
    monkeypatch.setattr("quiz.surveys.views.submit_response", refuse)
    headers = {"X-CSRFToken": csrf, "X-Requested-With": "fetch"}
    assert client.post(f"/s/t/{token}/save", data={f["Q5"]["name"]: "7"}, headers=headers).json
    sent = client.post(f"/s/t/{token}/submit", data={"csrf_token": csrf, **complete(f)})
    assert sent.status_code == 303
    assert drain(app, survey_id) == 1
