"""Contest and round set-up in the console, including what may not change while running."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from quiz.extensions import db
from quiz.models import AuditEvent, Contest, Round
from quiz.timeutil import local, utcnow
from tests.console.conftest import csrf


def round_data(client, world, **overrides) -> dict:
    start = local(utcnow() + timedelta(days=1)).replace(tzinfo=None)
    data = {
        "csrf_token": csrf(client),
        "number": "2",
        "title": "Tuần 2",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "bank": str(world.bank_d1),
        "questions_per_attempt": "5",
        "time_limit_minutes": "10",
        "topic_quotas": "Chủ đề A: 2\nChủ đề B: 1",
        "max_attempts": "3",
        "counting_rule": "best",
        "show_score": "immediately",
        "show_answers": "after_close",
        "min_age": "",
        "prediction_reference": "entrants",
        "prediction_prompt": "Bao nhiêu người?",
        "prize_first": "1",
        "prize_second": "2",
        "prize_third": "3",
        "prize_consolation": "4",
    }
    data.update(overrides)
    return data


def test_an_organizer_creates_a_contest_for_their_unit(as_staff, world, app):
    client = as_staff("org1")
    data = {
        "csrf_token": csrf(client),
        "title": "Cuộc thi mới",
        "slug": "cuoc-thi-moi",
        "owner_unit": str(world.units["D1-C1"]),
        "description": "",
        "rules": "Thể lệ",
        "key1": "correct",
        "key2": "prediction",
        "key3": "submitted",
        "key4": "",
        "key5": "",
        "residents_only": "y",
        "is_published": "y",
    }
    response = client.post("/console/contests/new", data=data)
    assert response.status_code == 303
    with app.app_context():
        contest = db.session.scalar(select(Contest).where(Contest.slug == "cuoc-thi-moi"))
        assert contest.ranking_order == ["correct", "prediction", "submitted"]
        assert contest.prize_rules["residents_only"] is True
        assert db.session.scalar(select(AuditEvent.action)) == "contest_created"
    # A unit of another district is not among the choices: refused.
    data.update(slug="khac", owner_unit=str(world.units["D2"]))
    assert client.post("/console/contests/new", data=data).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Contest).where(Contest.slug == "khac")) is None


def test_a_ranking_key_twice_is_refused(as_staff, world):
    client = as_staff("org1")
    data = {
        "csrf_token": csrf(client),
        "title": "X",
        "slug": "x",
        "owner_unit": str(world.units["D1"]),
        "key1": "correct",
        "key2": "correct",
        "key3": "",
        "key4": "",
        "key5": "",
    }
    response = client.post("/console/contests/new", data=data)
    assert response.status_code == 200 and 'aria-invalid="true"' in response.text


def test_a_round_is_created_with_every_setting(as_staff, world, app):
    client = as_staff("org1")
    response = client.post(
        f"/console/contests/{world.contest_d1}/rounds/new", data=round_data(client, world)
    )
    assert response.status_code == 303, response.text[-500:]
    with app.app_context():
        round_ = db.session.scalar(
            select(Round).where(Round.number == 2, Round.contest_id == world.contest_d1)
        )
        assert round_.topic_quotas == {"Chủ đề A": 2, "Chủ đề B": 1}
        assert round_.time_limit_seconds == 600 and round_.max_attempts == 3
        assert round_.prizes == {"first": 1, "second": 2, "third": 3, "consolation": 4}
        assert round_.prediction_reference == "entrants"
        # Typed in local time (UTC+7), stored in UTC.
        assert (local(round_.starts_at).hour - round_.starts_at.hour) % 24 == 7


def test_prize_minimums_and_the_participation_certificate_are_saved(as_staff, world, app):
    client = as_staff("org1")
    data = round_data(
        client, world, prize_min_first="5", prize_min_third="3", certificate_min_correct="0"
    )
    response = client.post(f"/console/contests/{world.contest_d1}/rounds/new", data=data)
    assert response.status_code == 303, response.text[-500:]
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.number == 2))
        assert round_.prize_min_correct == {"first": 5, "third": 3}
        assert round_.certificate_min_correct == 0
        page = client.get(f"/console/rounds/{round_.id}/edit").text
        assert 'name="prize_min_first" type="number" value="5"' in page


def test_a_prize_minimum_above_the_number_of_questions_is_refused(as_staff, world, app):
    client = as_staff("org1")
    data = round_data(client, world, prize_min_second="6")  # the paper has 5 questions
    response = client.post(f"/console/contests/{world.contest_d1}/rounds/new", data=data)
    assert response.status_code == 200
    assert '<p class="error" id="prize_min_second-error">Tối đa 5' in response.text
    with app.app_context():
        assert db.session.scalar(select(Round).where(Round.number == 2)) is None


def test_a_paper_the_bank_cannot_fill_is_refused(as_staff, world, app):
    client = as_staff("org1")
    response = client.post(
        f"/console/contests/{world.contest_d1}/rounds/new",
        data=round_data(client, world, questions_per_attempt="500"),
    )
    assert response.status_code == 200 and 'aria-invalid="true"' in response.text
    with app.app_context():
        assert db.session.scalar(select(Round).where(Round.number == 2)) is None


def test_a_running_rounds_questions_and_time_limit_cannot_change(as_staff, world, app):
    client = as_staff("org1")
    with app.app_context():
        running = db.session.scalar(select(Round).where(Round.contest_id == world.contest_d1))
        start, end = (
            local(running.starts_at).replace(tzinfo=None),
            local(running.ends_at).replace(tzinfo=None),
        )
        round_id = running.id
    base = round_data(
        client,
        world,
        number="1",
        starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=end.strftime("%Y-%m-%dT%H:%M"),
        topic_quotas="",
        time_limit_minutes="10",
        max_attempts="3",
        counting_rule="best",
        show_answers="immediately",
        prediction_reference="",
    )
    client.get("/lang/en")
    refused = client.post(
        f"/console/rounds/{round_id}/edit", data=dict(base, time_limit_minutes="5")
    )
    assert refused.status_code == 200 and "This round is running" in refused.text
    with app.app_context():
        assert db.session.get(Round, round_id).time_limit_seconds == 600
    allowed = client.post(f"/console/rounds/{round_id}/edit", data=dict(base, title="Tên mới"))
    assert allowed.status_code == 303
    with app.app_context():
        assert db.session.get(Round, round_id).title == "Tên mới"
        assert db.session.scalar(select(AuditEvent.action)) == "running_round_changed"


def test_pause_and_close_a_round(as_staff, world, app):
    client = as_staff("org1")
    with app.app_context():
        round_id = db.session.scalar(select(Round.id).where(Round.contest_id == world.contest_d1))
    assert (
        client.post(
            f"/console/rounds/{round_id}/pause", data={"csrf_token": csrf(client)}
        ).status_code
        == 303
    )
    with app.app_context():
        assert db.session.get(Round, round_id).is_paused
    assert (
        client.post(
            f"/console/rounds/{round_id}/close", data={"csrf_token": csrf(client)}
        ).status_code
        == 303
    )
    with app.app_context():
        assert db.session.get(Round, round_id).ends_at <= utcnow()
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"round_paused", "round_closed"} <= actions
