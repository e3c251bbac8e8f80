"""Per-process caches: one of each, built by create_app, each emptied by its one invalidation."""

from __future__ import annotations

import pytest

from quiz import caches
from quiz.catalog.questions import QuestionCache, clear_questions, question_cache
from quiz.catalog.rounds import (
    ContestCache,
    RoundCache,
    clear_caches,
    clear_contests,
    clear_rounds,
    contest_cache,
    get_contest,
    get_round,
    round_cache,
)
from quiz.conferences.snapshot import ConferenceCache, conference_cache, conference_info, forget
from quiz.extensions import db
from quiz.surveys.structure import SurveyCache, clear_surveys, survey_cache
from quiz.units.tree import UnitTree, clear_unit_tree, unit_tree
from tests.conferences.helpers import make_conference
from tests.factories import make_bank, make_contest, make_units
from tests.surveys.builders import make_survey


@pytest.fixture
def world(ctx):
    """A contest with its bank, a conference and a survey; every cache filled once."""
    units = make_units()
    bank = make_bank()
    contest = make_contest(bank, owner=units["P"])
    conference = make_conference(units["P"].id)
    survey = make_survey(units["P"])
    db.session.commit()
    caches.clear_all()
    get_contest(contest.slug)
    get_round(contest.rounds[0].id)
    question_cache().pool(bank.id, bank.revision)
    unit_tree().nodes()
    conference_info(conference.id)
    survey_cache().get(survey.id)
    return {"conference": conference.id}


# Each cached thing: its class, its typed accessor, its one invalidation.
CACHES = [
    (RoundCache, round_cache, clear_rounds),
    (ContestCache, contest_cache, clear_contests),
    (QuestionCache, question_cache, clear_questions),
    (UnitTree, unit_tree, clear_unit_tree),
    (ConferenceCache, conference_cache, None),  # forget(conference_id), below
    (SurveyCache, survey_cache, clear_surveys),
]


def test_create_app_installs_one_cache_of_each_class_and_every_one_is_tested(app):
    with app.app_context():
        installed = {type(cache) for cache in caches.installed()}
    assert installed == {kind for kind, _accessor, _clear in CACHES}


@pytest.mark.parametrize(
    ("kind", "accessor", "clear"), CACHES, ids=lambda v: getattr(v, "__name__", "")
)
def test_each_invalidation_empties_its_own_cache_only(world, kind, accessor, clear):
    cache = accessor()
    assert isinstance(cache, kind) and cache is caches.cache_of(kind)
    others = [c for c in caches.installed() if c is not cache]
    assert len(cache) > 0 and all(len(c) > 0 for c in others)
    if clear is None:
        forget(world["conference"])
    else:
        clear()
    assert len(cache) == 0
    assert all(len(c) > 0 for c in others)


def test_clear_caches_empties_every_cache(world):
    clear_caches()
    assert [len(c) for c in caches.installed()] == [0] * len(CACHES)


def test_two_apps_have_caches_of_their_own(app, app_config):
    from quiz import create_app

    other = create_app(app_config)
    with app.app_context():
        mine = round_cache()
    assert round_cache(other) is not mine


def test_per_app_helpers_are_built_once_on_first_use(app):
    from quiz.contest.attempts import Engine, engine_for
    from quiz.scoring.state import attempt_state_for

    app.config["MAX_SAVES_PER_ATTEMPT"] = 7  # set after create_app, as tests do
    engine = engine_for(app)
    assert engine.max_saves == 7
    assert engine_for(app) is engine is caches.per_app(Engine, lambda _app: None, app)
    assert engine.buffer is attempt_state_for(app).buffer
