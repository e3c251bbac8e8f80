"""Who answered, counted from the database into Redis when Redis cannot tell: once, by one
process at a time, never lowering a count a submit raised."""

from __future__ import annotations

from datetime import date

from quiz.extensions import db, get_redis
from quiz.models import SurveyRespondent
from quiz.scoring import keys
from quiz.surveys.counting import count_from_database, respondent_counts
from quiz.surveys.store import store_for
from tests.factories import make_units
from tests.surveys.builders import make_survey


def a_survey(app) -> int:
    with app.app_context():
        survey_id = make_survey(make_units()["P"]).id
        db.session.commit()
        return survey_id


def test_counting_never_lowers_a_count_a_submit_raised(app):
    survey_id = a_survey(app)
    with app.app_context():
        day = date(2026, 12, 5)
        for key in ("device:a", "device:b", "device:b#2"):
            db.session.add(SurveyRespondent(survey_id=survey_id, key=key, answered_on=day))
        db.session.commit()
        assert respondent_counts(survey_id) == {"device:a": 1, "device:b": 2}
        counts = keys.survey_counts(survey_id)
        get_redis().hset(counts, mapping={"device:a": 3})  # queued since, not written yet
        assert count_from_database(store_for(), survey_id) == 1  # device:b was forgotten
        assert store_for().count_of(survey_id, "device:a").responses == 3
        assert store_for().count_of(survey_id, "device:b").responses == 2


def test_a_survey_counted_but_answered_by_nobody_has_no_response(app):
    """The mark is no respondent: the survey's questions and anonymity may still change."""
    survey_id = a_survey(app)
    with app.app_context():
        assert count_from_database(store_for(), survey_id) == 0
        assert store_for().count_of(survey_id, "device:a").responses == 0
        assert not store_for().anyone_submitted(survey_id)


def test_a_survey_being_counted_by_another_process_answers_503_until_it_is_done(
    app, client, monkeypatch
):
    monkeypatch.setattr("quiz.surveys.counting.COUNT_WAIT_TRIES", 2)
    survey_id = a_survey(app)
    with app.app_context():
        lock = keys.survey_counting(survey_id)
        get_redis().set(lock, "another process")
    busy = client.get("/s/khao-sat")
    assert busy.status_code == 503 and busy.headers["Retry-After"]
    with app.app_context():
        get_redis().delete(lock)
    assert client.get("/s/khao-sat").status_code == 200
