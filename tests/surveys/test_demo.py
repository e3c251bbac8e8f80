"""The demo seed's surveys: open now, answered, offered to the demo conference's delegates."""

from __future__ import annotations

from sqlalchemy import func, select

from quiz.demo import seed_demo
from quiz.demo_surveys import CONFERENCE_SLUG, PUBLIC_SLUG, RESPONSES
from quiz.extensions import db
from quiz.models import Survey, SurveyAnswer, SurveyRespondent, SurveyResponse, SurveyTarget
from quiz.surveys.live import live_view


def test_the_demo_surveys_are_seeded_once_and_open(app, client, tmp_path):
    with app.app_context():
        seed_demo()
        seed_demo()  # run.sh seeds on every start: nothing doubles
        surveys = {s.slug: s for s in db.session.scalars(select(Survey))}
        assert set(surveys) == {PUBLIC_SLUG, CONFERENCE_SLUG}
        public = surveys[PUBLIC_SLUG]
        assert surveys[CONFERENCE_SLUG].conference_id is not None
        count = db.session.scalar(select(func.count()).select_from(SurveyResponse))
        respondents = db.session.scalar(select(func.count()).select_from(SurveyRespondent))
        assert count == respondents == RESPONSES
        assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) > 2 * RESPONSES
        assert db.session.scalar(select(func.count()).select_from(SurveyTarget)) == 5
        live = live_view(public)
        assert live.total.total == RESPONSES and len(live.rows) == 5
        assert sum(r.total for r in live.rows) == RESPONSES  # every response in a district
    page = client.get(f"/s/{PUBLIC_SLUG}")
    assert page.status_code == 200 and "Khảo sát về học tập trực tuyến" in page.text
