"""One answer per person on every audience: two browsers of one person count once.

Each audience identifies the person its own way (a signed-in entrant, an
invitation code, a delegate checked in at the venue, a device on an open
link); whatever way they come back, the second response is refused and
only one is written.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quiz.conferences.venue import shown_code
from quiz.extensions import db
from quiz.models import SurveyInvitation, SurveyRespondent, SurveyResponse
from quiz.surveys.invitations import InvitationRow, add_invitations, invitation_code
from quiz.timeutil import now_ms
from tests.conferences.helpers import make_conference
from tests.factories import make_entrant, make_units
from tests.players import csrf_from
from tests.surveys.builders import fields, make_survey
from tests.surveys.test_respond import complete, drain, open_form


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _send(client, f, slug="khao-sat"):
    _page, token, csrf = open_form(client, slug)
    return client.post(f"/s/t/{token}/submit", data={"csrf_token": csrf, **complete(f)})


def _registered(app):
    with app.app_context():
        units = make_units()
        made = make_survey(units["P"], audience="registered", anonymous=False)
        make_entrant(7, units["P"], birth_year=1985)
        return made.id, fields(made)


def _sign_in(client, slug="khao-sat"):
    page = client.get(f"/s/{slug}")
    assert page.status_code == 200 and f"/s/{slug}/login" in page.text
    form = client.get(f"/s/{slug}/login")
    signed = client.post(
        f"/s/{slug}/login",
        data={"csrf_token": csrf_from(form.text), "phone": "0900000007", "birth_year": "1985"},
    )
    assert signed.status_code == 303, signed.text


def test_a_registered_entrant_answers_once_from_two_browsers(app):
    survey_id, f = _registered(app)
    first, second = app.test_client(), app.test_client()
    _sign_in(first)
    _sign_in(second)
    _p, token1, csrf1 = open_form(first)
    _p, token2, csrf2 = open_form(second)
    assert first.post(f"/s/t/{token1}/submit", data={"csrf_token": csrf1, **complete(f)})
    refused = second.post(f"/s/t/{token2}/submit", data={"csrf_token": csrf2, **complete(f)})
    assert refused.status_code == 303 and refused.location.endswith("/done")
    assert second.get("/s/khao-sat").status_code == 303  # answered: straight to the end page
    assert drain(app, survey_id) == 1
    with app.app_context():
        response = db.session.scalar(select(SurveyResponse))
        assert response.person_entrant_id is not None  # identified survey: the person is kept
        assert db.session.scalar(select(SurveyRespondent.key)).startswith("entrant:")


def _invited(app) -> tuple[int, dict, str]:
    with app.app_context():
        units = make_units()
        made = make_survey(units["P"], audience="invited")
        add_invitations(
            app.config["SECRET_KEY"],
            made,
            [InvitationRow(2, "Lò Thị Mai", units["P"].id), InvitationRow(3, "Cà Văn Tư", None)],
        )
        db.session.commit()
        first = db.session.scalars(select(SurveyInvitation).order_by(SurveyInvitation.id)).first()
        return made.id, fields(made), invitation_code(app.config["SECRET_KEY"], made, first.id)


def test_an_invitation_code_answers_once_typed_or_from_its_qr_link(app):
    survey_id, f, code = _invited(app)
    by_link, typed = app.test_client(), app.test_client()
    assert by_link.get(f"/s/khao-sat/i/{code}").status_code == 303
    page = typed.get("/s/khao-sat")
    assert 'name="code"' in page.text
    entered = typed.post(
        "/s/khao-sat/code",
        data={"csrf_token": csrf_from(page.text), "code": code.lower().replace("-", " ")},
    )
    assert entered.status_code == 303
    _p, token, csrf = open_form(typed)  # both hold the form before either sends it
    assert _send(by_link, f).status_code == 303
    typed.post(f"/s/t/{token}/submit", data={"csrf_token": csrf, **complete(f)})
    assert typed.get("/s/khao-sat").location.endswith("/s/khao-sat/done")
    assert drain(app, survey_id) == 1
    with app.app_context():
        used = db.session.scalars(select(SurveyInvitation.used).order_by(SurveyInvitation.id))
        assert list(used) == [True, False]
        response = db.session.scalar(select(SurveyResponse))
        assert response.person_invitation_id is None  # anonymous survey: nobody kept


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC-DDDD", "not a code", ""])
def test_a_wrong_invitation_code_is_refused_with_a_message(app, client, code):
    _invited(app)
    page = client.get("/s/khao-sat")
    refused = client.post(
        "/s/khao-sat/code", data={"csrf_token": csrf_from(page.text), "code": code}
    )
    assert refused.status_code == 422 and "Mã này không phải" in refused.text
    assert 'action="/s/t/' not in client.get("/s/khao-sat").text


@pytest.fixture
def hall(app):
    with app.app_context():
        units = make_units()
        conference = make_conference(units["D1"].id)
        made = make_survey(
            units["D1"], audience="delegates", conference_id=conference.id, slug="sau-hoi-nghi"
        )
        return {
            "id": conference.id,
            "session": conference.sessions[0].id,
            "survey": made.id,
            "fields": fields(made),
        }


def _check_in(app, client, hall, phone="0900000001"):
    code = shown_code(app.secret_key, hall["id"], hall["session"], now_ms()).code
    arrived = client.get(f"/d/{hall['id']}/{code}")
    assert arrived.status_code == 303
    who = client.get(arrived.location)
    done = client.post(who.request.path, data={"csrf_token": csrf_from(who.text), "phone": phone})
    assert done.status_code == 200, done.text
    return done


def test_a_delegate_is_offered_the_survey_after_check_in_and_answers_once(app, hall):
    before = app.test_client()
    refused = before.get("/s/sau-hoi-nghi")
    assert refused.status_code == 403 and "điểm danh" in refused.text
    phone, other_phone = app.test_client(), app.test_client()
    checked_in = _check_in(app, phone, hall)
    assert "/s/sau-hoi-nghi" in checked_in.text  # the attendee page offers the survey
    _check_in(app, other_phone, hall)  # the same delegate on a second phone
    _p, token, csrf = open_form(other_phone, "sau-hoi-nghi")
    assert _send(phone, hall["fields"], "sau-hoi-nghi").status_code == 303
    other_phone.post(f"/s/t/{token}/submit", data={"csrf_token": csrf, **complete(hall["fields"])})
    assert drain(app, hall["survey"]) == 1
    assert _count(app, SurveyRespondent) == 1
    with app.app_context():
        assert db.session.scalar(select(SurveyRespondent.key)).startswith("delegate:")
