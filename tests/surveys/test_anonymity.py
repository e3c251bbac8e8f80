"""An anonymous answer cannot be joined to a person: the schema and the stored rows show it.

"Who answered" (survey_respondents) and "what was answered"
(survey_responses, survey_answers) share no column that could join them:
no foreign key either way, no exact time (dates only), no address, no
device, no respondent key. The schema is read from the migrated database,
so a later migration that adds such a column fails here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import DateTime, func, inspect, select

from quiz.extensions import db
from quiz.models import Survey, SurveyRespondent, SurveyResponse
from quiz.surveys.structure import survey_cache
from quiz.timeutil import utcnow
from tests.factories import make_units
from tests.players import csrf_from
from tests.surveys.builders import fields, make_survey
from tests.surveys.test_respond import complete, drain, open_form

WHAT = ("survey_responses", "survey_answers")
WHO = "survey_respondents"
# Words a column that identifies or times a person would carry in its name.
TELLING = ("ip", "addr", "device", "agent", "key", "respondent", "token", "phone", "time", "_at")
PERSON_COLUMNS = {"person_entrant_id", "person_delegate_id", "person_invitation_id"}


def _columns(inspector, table: str) -> dict[str, object]:
    return {c["name"]: c["type"] for c in inspector.get_columns(table)}


def test_what_was_answered_has_no_column_that_could_name_a_person_or_a_moment(app):
    with app.app_context():
        inspector = inspect(db.engine)
        for table in WHAT:
            columns = _columns(inspector, table)
            for name, kind in columns.items():
                assert not isinstance(kind, DateTime), f"{table}.{name} is an exact time"
                words = name.replace("person_", "").split("_")
                assert not any(t.strip("_") in words for t in TELLING), f"{table}.{name}"
            targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
            assert WHO not in targets
        response_columns = set(_columns(inspector, "survey_responses"))
        # The only columns naming a person are the identified surveys' (null when anonymous).
        assert {c for c in response_columns if c.startswith("person_")} == PERSON_COLUMNS


def test_who_answered_names_no_response_and_no_moment(app):
    with app.app_context():
        inspector = inspect(db.engine)
        columns = _columns(inspector, WHO)
        assert set(columns) == {"id", "survey_id", "key", "answered_on"}
        assert not any(isinstance(kind, DateTime) for kind in columns.values())
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(WHO)}
        assert targets == {"surveys"}


@pytest.mark.parametrize("audience", ["public", "registered"])
def test_an_anonymous_response_keeps_no_person_whoever_answered(app, client, audience):
    with app.app_context():
        units = make_units()
        made = make_survey(units["P"], audience=audience, anonymous=True)
        survey_id, f, unit_id = made.id, fields(made), units["P"].id
    if audience == "registered":
        page = client.get("/s/khao-sat/register")
        registered = client.post(
            "/s/khao-sat/register",
            data={
                "csrf_token": csrf_from(page.text),
                "consent": "y",
                "gender": "female",
                "occupation": "other",
                "birth_year": "1990",
                "full_name": "Người Thử Nghiệm",
                "phone": "0900000042",
                "unit": str(unit_id),
            },
        )
        assert registered.status_code == 303, registered.text
    _p, token, csrf = open_form(client)
    assert client.post(f"/s/t/{token}/submit", data={"csrf_token": csrf, **complete(f)})
    assert drain(app, survey_id) == 1
    with app.app_context():
        response = db.session.scalar(select(SurveyResponse))
        assert all(getattr(response, c) is None for c in PERSON_COLUMNS)
        respondent = db.session.scalar(select(SurveyRespondent))
        assert respondent.answered_on == response.submitted_on  # a date, the same for all that day


def _respond_alone(app, survey_id: int, f: dict) -> int:
    """A new device answers, and a worker drains right after (traffic of one at a time)."""
    client = app.test_client()
    _p, token, csrf = open_form(client)
    sent = client.post(f"/s/t/{token}/submit", data={"csrf_token": csrf, **complete(f)})
    assert sent.status_code == 303
    return drain(app, survey_id)


def test_responses_are_written_in_groups_so_write_order_pairs_nobody(app):
    """Written one by one, the n-th respondent row would be the n-th response."""
    app.config["SURVEY_ANONYMOUS_BATCH"] = 3
    with app.app_context():
        made = make_survey(make_units()["P"])
        survey_id, f = made.id, fields(made)
    assert [_respond_alone(app, survey_id, f) for _ in range(4)] == [0, 0, 3, 0]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyRespondent)) == 3
        dates = set(db.session.scalars(select(SurveyResponse.submitted_on)))
        assert len(dates) == 1  # one day: nothing orders them within the group
        made = db.session.get(Survey, survey_id)
        made.closes_at = utcnow() - timedelta(seconds=1)  # closed: the rest is written
        db.session.commit()
        survey_cache().clear()
    assert drain(app, survey_id) == 1


def test_a_small_group_is_written_once_its_oldest_has_waited_its_longest(app):
    app.config["SURVEY_ANONYMOUS_BATCH"] = 3
    with app.app_context():
        made = make_survey(make_units()["P"])
        survey_id, f = made.id, fields(made)
    assert _respond_alone(app, survey_id, f) == 0
    app.config["SURVEY_ANONYMOUS_HOLD_SECONDS"] = 0  # as if six hours had passed
    assert drain(app, survey_id) == 1


def test_an_identified_survey_is_written_at_once(app):
    app.config["SURVEY_ANONYMOUS_BATCH"] = 3
    with app.app_context():
        made = make_survey(make_units()["P"], anonymous=False)
        survey_id, f = made.id, fields(made)
    assert _respond_alone(app, survey_id, f) == 1


@pytest.mark.parametrize("switched", ["before the submit", "after the submit, before the drain"])
def test_a_survey_made_anonymous_keeps_no_person_from_a_token_signed_before(app, client, switched):
    """A token signed while the survey was identified names its person, and so does a
    response queued then: neither may put it on a response written once it is anonymous."""
    app.config["SURVEY_ANONYMOUS_BATCH"] = 1
    with app.app_context():
        units = make_units()
        made = make_survey(units["P"], audience="registered", anonymous=False)
        survey_id, f, unit_id = made.id, fields(made), units["P"].id
    page = client.get("/s/khao-sat/register")
    registered = client.post(
        "/s/khao-sat/register",
        data={"csrf_token": csrf_from(page.text), "consent": "y", "gender": "female",
              "occupation": "other", "birth_year": "1990", "full_name": "Người Thử Nghiệm",
              "phone": "0900000043", "unit": str(unit_id)},
    )  # fmt: skip
    assert registered.status_code == 303, registered.text
    _p, token, csrf = open_form(client)

    def make_anonymous() -> None:
        with app.app_context():
            db.session.get(Survey, survey_id).anonymous = True
            db.session.commit()
            survey_cache().clear()

    if switched == "before the submit":
        make_anonymous()
    sent = client.post(f"/s/t/{token}/submit", data={"csrf_token": csrf, **complete(f)})
    assert sent.status_code == 303
    if switched != "before the submit":
        make_anonymous()
    assert drain(app, survey_id) == 1
    with app.app_context():
        response = db.session.scalar(select(SurveyResponse))
        assert all(getattr(response, c) is None for c in PERSON_COLUMNS)
