"""The entrant's attempt through real HTTP: start, answer, resume, submit, limits, time."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quiz.contest.attempts import engine
from quiz.extensions import db, get_redis
from quiz.models import Entrant, Round
from quiz.models.attempts import Attempt, Score
from quiz.scoring.jobs import drain_submissions, sweep_expired_attempts
from quiz.scoring.persistence import load_attempt
from quiz.timeutil import now_ms
from tests.conftest import make_config
from tests.factories import make_bank, make_contest, make_units
from tests.players import Player, csrf_from

PHONE = "0900000001"


@pytest.fixture(params=[True, False], ids=["fastpath", "flask"])
def app_config(request, schema, database_url, redis_url):
    """Every test here runs twice: saves and submits through the fast path, and through Flask."""
    return make_config(database_url, redis_url, ATTEMPT_FASTPATH=request.param)


def setup_contest(app, **settings):
    with app.app_context():
        units = make_units()
        make_contest(make_bank(), owner=units["P"], **settings)
        return units["D1-C1"].id


@pytest.fixture
def unit_id(app):
    return setup_contest(app)


def registered(app, unit_id, phone=PHONE, birth_year="1990") -> Player:
    player = Player(app.test_client())
    response = player.register(phone=phone, unit=str(unit_id), birth_year=birth_year)
    assert response.status_code == 303, response.text
    return player


def question_order(html: str) -> list[str]:
    return re.findall(r"<legend><span class=\"num\">[^<]*</span> ([^<]+)</legend>", html)


def checked(html: str) -> set[tuple[str, str]]:
    return set(re.findall(r'name="(q\d+)" value="(\d)" checked', html))


def drain(app) -> int:
    with app.app_context():
        return drain_submissions(max_seconds=10)


def scores(app) -> list:
    with app.app_context():
        return db.session.execute(select(Score).order_by(Score.attempt_id)).scalars().all()


def test_start_draws_a_paper_without_revealing_answers(app, unit_id):
    player = registered(app, unit_id)
    token = player.start()
    page = player.paper(token)
    assert page.status_code == 200
    assert len(question_order(page.text)) == 5
    # The explanation and anything marking the correct option stay on the server.
    assert "Giải thích" not in page.text
    assert "correct" not in page.text.lower()
    saved = player.save(token, q=0, c="1")
    assert saved.json == {"ok": True}


def test_reload_finds_the_same_paper_and_saved_answers(app, unit_id):
    player = registered(app, unit_id)
    token = player.start()
    first = player.paper(token).text
    csrf = csrf_from(first)
    assert player.save(token, q=0, c="2", csrf=csrf).status_code == 200
    assert player.save(token, q=3, c="1", csrf=csrf).status_code == 200
    again = player.paper(token).text
    assert question_order(again) == question_order(first)
    assert checked(again) == {("q0", "2"), ("q3", "1")}
    assert player.start() == token  # "start" again resumes, it does not draw anew


def test_another_device_resumes_the_same_attempt(app, unit_id):
    phone_one = registered(app, unit_id)
    token = phone_one.start()
    phone_one.save(token, q=1, c="3")
    phone_two = Player(app.test_client())
    assert phone_two.login(PHONE, "1990").status_code == 303
    assert phone_two.start() == token
    assert checked(phone_two.paper(token).text) == {("q1", "3")}


def test_saving_the_same_answer_twice_is_the_same_state(app, unit_id):
    player = registered(app, unit_id)
    token = player.start()
    csrf = csrf_from(player.paper(token).text)
    player.save(token, q=2, c="0", csrf=csrf)
    player.save(token, q=2, c="0", csrf=csrf)
    assert checked(player.paper(token).text) == {("q2", "0")}


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        ({"q": "9", "c": "0"}, "bad_question", "không có trong đề thi"),
        ({"q": "x", "c": "0"}, "bad_question", "không có trong đề thi"),
        ({"q": "0", "c": "0,7"}, "bad_choice", "không thuộc các phương án"),
        ({"q": "0", "c": "abc"}, "bad_choice", "không thuộc các phương án"),
        ({"p": "-12"}, "bad_prediction", "số nguyên"),
        ({"p": "1e9"}, "bad_prediction", "số nguyên"),
    ],
)
def test_malformed_saves_get_a_precise_message(app, unit_id, data, code, message):
    player = registered(app, unit_id)
    token = player.start()
    csrf = csrf_from(player.paper(token).text)
    response = player.client.post(f"/a/{token}/save", data=data, headers={"X-CSRFToken": csrf})
    assert response.status_code == 400
    assert response.json["code"] == code
    assert message in response.json["error"]


def test_save_without_csrf_token_is_refused(app, unit_id):
    player = registered(app, unit_id)
    token = player.start()
    response = player.client.post(f"/a/{token}/save", data={"q": "0", "c": "1"})
    assert response.status_code == 400


@pytest.mark.parametrize("tamper", ["flip", "truncate", "other_attempt"])
def test_tampered_token_is_refused(app, unit_id, tamper):
    player = registered(app, unit_id)
    token = player.start()
    payload, signature = token.rsplit(".", 1)
    bad = {
        # The first character: the last one of base64 partly holds padding bits.
        "flip": f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}",
        "truncate": token[:-5],
        "other_attempt": f"2{payload[1:]}.{signature}",
    }[tamper]
    assert player.paper(bad).status_code == 404
    response = player.save(bad, q=0, c="1", csrf=csrf_from(player.paper(token).text))
    assert response.status_code == 404
    assert response.json["code"] == "bad_token"


def test_another_entrants_token_is_refused(app, unit_id):
    owner = registered(app, unit_id)
    token = owner.start()
    intruder = registered(app, unit_id, phone="0900000002")
    intruder.start()
    assert intruder.paper(token).status_code == 403
    csrf = csrf_from(intruder.client.get("/c/thu").text)
    response = intruder.save(token, q=0, c="1", csrf=csrf)
    assert response.status_code == 403 and response.json["code"] == "foreign_token"
    assert intruder.submit(token, csrf=csrf).status_code == 403


def test_duplicate_submit_is_counted_once_with_the_same_receipt(app, unit_id):
    player = registered(app, unit_id)
    token = player.start()
    player.save(token, q=0, c="0")
    first = player.submit(token, {"q1": "0"})
    second = player.submit(token, {"q1": "1"})
    assert first.status_code == second.status_code == 303
    drain(app)
    page_one, page_two = player.result(token).text, player.result(token).text
    code = re.search(r'class="code">([A-Z0-9-]+)<', page_one).group(1)
    assert code in page_two
    rows = scores(app)
    assert len(rows) == 1
    assert rows[0].answers[1] != []  # the first submit's answer counted, not the second's


def test_answers_after_submit_are_refused(app, unit_id):
    player = registered(app, unit_id)
    token = player.start()
    csrf = csrf_from(player.paper(token).text)
    player.submit(token)
    response = player.save(token, q=0, c="1", csrf=csrf)
    assert response.status_code == 409 and response.json["code"] == "submitted"
    assert player.paper(token).status_code == 303  # the page now leads to the receipt


def test_result_shows_score_and_rank_after_scoring(app, unit_id):
    player = registered(app, unit_id)
    token = player.start()
    with app.app_context():
        paper = load_attempt(engine().signer.verify(token).attempt_id).paper
    # The first original option is always the right one in the test bank.
    answers = {f"q{i}": str(order.index("0")) for i, (_qid, order) in enumerate(paper)}
    player.submit(token, answers)
    pending = player.result(token).text
    assert 'http-equiv="refresh"' in pending  # it updates itself until scored
    drain(app)
    page = player.result(token).text
    assert "Đúng 5/5 câu" in page
    assert re.search(r"1/1", page)
    assert 'http-equiv="refresh"' not in page


def test_attempt_limit_is_enforced(app):
    unit_id = setup_contest(app, max_attempts=2)
    player = registered(app, unit_id)
    for _ in range(2):
        token = player.start()
        player.submit(token)
    refused = player.start_response()
    assert refused.status_code == 409
    assert "đã dùng hết 2 lượt thi" in refused.text


def test_unlimited_attempts(app):
    unit_id = setup_contest(app, max_attempts=None)
    player = registered(app, unit_id)
    tokens = set()
    for _ in range(5):
        token = player.start()
        player.submit(token)
        tokens.add(token)
    assert len(tokens) == 5


def test_minimum_age_is_enforced(app):
    unit_id = setup_contest(app, min_age=16)
    from quiz.contest.registration import current_year

    young = registered(app, unit_id, birth_year=str(current_year() - 14))
    refused = young.start_response()
    assert refused.status_code == 403
    assert "từ 16 tuổi trở lên" in refused.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"is_paused": True}, "tạm dừng"),
        ("ended", "đã kết thúc"),
        ("future", "chưa bắt đầu"),
    ],
)
def test_start_outside_the_open_window_is_refused(app, unit_id, change, message):
    from datetime import timedelta

    from quiz.timeutil import utcnow

    with app.app_context():
        round_ = db.session.scalar(select(Round))
        if change == "ended":
            round_.ends_at = utcnow() - timedelta(minutes=1)
        elif change == "future":
            round_.starts_at = utcnow() + timedelta(hours=1)
        else:
            round_.is_paused = True
        db.session.commit()
    player = registered(app, unit_id)
    response = player.start_response()
    assert response.status_code == 409
    assert message in response.text


class Clock:
    """Shifts the server clock the views read, to reach deadlines without waiting."""

    def __init__(self, monkeypatch) -> None:
        self.offset = 0
        monkeypatch.setattr("quiz.contest.views.now_ms", lambda: now_ms() + self.offset)
        monkeypatch.setattr("quiz.contest.fastpath.now_ms", lambda: now_ms() + self.offset)
        monkeypatch.setattr("quiz.scoring.jobs.now_ms", lambda: now_ms() + self.offset)


def test_deadline_grace_then_late_submit_counts_the_saved_answers(app, unit_id, monkeypatch):
    clock = Clock(monkeypatch)
    player = registered(app, unit_id)
    token = player.start()
    csrf = csrf_from(player.paper(token).text)
    assert player.save(token, q=0, c="0", csrf=csrf).status_code == 200
    clock.offset = 600_000 + 5_000  # 5 s after the deadline: inside the 10 s grace
    assert player.save(token, q=1, c="0", csrf=csrf).status_code == 200
    clock.offset = 600_000 + 11_000  # past the grace
    late = player.save(token, q=2, c="0", csrf=csrf)
    assert late.status_code == 409 and "Đã hết giờ" in late.json["error"]
    response = player.submit(token, {"q3": "0"}, csrf=csrf)
    assert "late=1" in response.headers["Location"]
    drain(app)
    (row,) = scores(app)
    assert row.auto_submitted
    assert [bool(a) for a in row.answers] == [True, True, False, False, False]
    assert row.time_used_ms == 600_000
    assert "hết giờ" in player.result(token).text


def test_expired_attempt_without_submit_is_swept_and_scored(app, unit_id, monkeypatch):
    clock = Clock(monkeypatch)
    player = registered(app, unit_id)
    token = player.start()
    player.save(token, q=4, c="2")
    clock.offset = 700_000
    with app.app_context():
        assert sweep_expired_attempts() == 1
        assert sweep_expired_attempts() == 0  # already submitted: nothing new
    drain(app)
    (row,) = scores(app)
    assert row.auto_submitted and row.answers[4] != []


def test_starts_beyond_the_admission_rate_wait_and_retry(app_config, app):
    unit_id = setup_contest(app)
    app.config.update(START_RATE_PER_SECOND=1, START_BURST=1)
    first = registered(app, unit_id)
    token = first.start()
    second = registered(app, unit_id, phone="0900000002")
    waiting = second.start_response()
    assert waiting.status_code == 503
    assert int(waiting.headers["Retry-After"]) >= 1
    assert "data-autosubmit" in waiting.text  # the page retries by itself
    # Running attempts are never turned away.
    assert first.save(token, q=0, c="1").status_code == 200
    assert first.submit(token).status_code == 303


def test_live_counts_follow_starts(app, unit_id):
    a = registered(app, unit_id)
    a.submit(a.start())
    a.start()
    b = registered(app, unit_id, phone="0900000002")
    b.start()
    stats = a.client.get("/c/thu/stats.json").json
    assert stats == {"entrants": 2, "attempts": 3}
    drain(app)  # workers copy attempts born in Redis into the database
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 3


def test_well_formed_saves_and_submits_skip_flask_on_the_fast_path(app, unit_id):
    from flask import request_started

    player = registered(app, unit_id)
    token = player.start()
    csrf = csrf_from(player.paper(token).text)
    seen = []

    def record(sender, **_extra):
        from flask import request

        seen.append(request.path)

    page = player.client.get("/c/thu").text  # warms the contest and round caches
    with request_started.connected_to(record, app):
        assert (
            player.client.post("/c/thu/r/1/start", data={"csrf_token": csrf_from(page)}).status_code
            == 303
        )
        player.save(token, q=0, c="1", csrf=csrf)
        player.save(token, q=9, c="1", csrf=csrf)  # malformed: the view answers
        player.submit(token, {"q1": "0"}, csrf=csrf)
    fast = app.config["ATTEMPT_FASTPATH"]
    handled = [path.rsplit("/", 1)[-1] for path in seen]
    assert handled == (["save"] if fast else ["start", "save", "save", "submit"])


def test_answer_times_and_the_device_are_recorded_for_fraud_review(app, unit_id):
    player = registered(app, unit_id)
    player.client.get("/c/thu")  # the browser gets its device cookie
    device = player.client.get_cookie("qd").value
    token = player.start()
    csrf = csrf_from(player.paper(token).text)
    player.save(token, q=0, c="1", csrf=csrf)
    player.save(token, q=2, c="0", csrf=csrf)
    player.submit(token, csrf=csrf)
    drain(app)
    (row,) = scores(app)
    assert row.timings[1] is None and row.timings[3] is None
    assert 0 <= row.timings[0] <= row.timings[2] < 60_000
    with app.app_context():
        assert db.session.scalar(select(Attempt.device)) == device


def test_a_save_naming_an_option_the_question_lacks_is_refused_and_not_stored(app):
    with app.app_context():
        units = make_units()
        make_contest(make_bank(choices=3), owner=units["P"])
        unit_id = units["D1-C1"].id
    player = registered(app, unit_id)
    token = player.start()
    csrf = csrf_from(player.paper(token).text)
    refused = player.save(token, q=0, c="3", csrf=csrf)  # options A, B, C: shown 0, 1, 2
    assert refused.status_code == 400 and refused.json["code"] == "bad_choice"
    assert "không thuộc các phương án" in refused.json["error"]
    assert player.save(token, q=0, c="1,3", csrf=csrf).status_code == 400
    assert player.save(token, q=1, c="2", csrf=csrf).status_code == 200
    assert checked(player.paper(token).text) == {("q1", "2")}  # nothing of the refused saves
    with app.app_context():
        saved = engine().buffer.saved_answers(engine().signer.verify(token).attempt_id)
    assert saved == {"1": "2"}


def test_a_token_signed_before_it_carried_the_options_is_checked_against_the_paper(app):
    from quiz.contest.tokens import AttemptToken

    with app.app_context():
        units = make_units()
        make_contest(make_bank(choices=3), owner=units["P"])
        unit_id = units["D1-C1"].id
    player = registered(app, unit_id)
    with app.app_context():
        signer = engine().signer
        t = signer.verify(player.start())
        older = signer.sign(
            AttemptToken(t.attempt_id, t.round_id, t.entrant_id, t.deadline_ms, t.size)
        )
        assert signer.verify(older).options is None
    csrf = csrf_from(player.paper(older).text)
    refused = player.save(older, q=2, c="3", csrf=csrf)
    assert refused.status_code == 400 and refused.json["code"] == "bad_choice"
    assert player.save(older, q=2, c="2", csrf=csrf).status_code == 200
    assert checked(player.paper(older).text) == {("q2", "2")}


@pytest.mark.parametrize("copied", [False, True], ids=["in_redis", "in_database"])
def test_a_paper_is_shown_only_to_the_entrant_its_token_names(app, unit_id, copied):
    """Were an attempt id ever handed out twice, the older token must not open the new paper."""
    from quiz.contest.tokens import AttemptToken

    owner = registered(app, unit_id)
    token = owner.start()
    if copied:
        drain(app)  # the workers' copy: from now on the paper comes from the database
    other = registered(app, unit_id, phone="0900000002")
    with app.app_context():
        mine = engine().signer.verify(token)
        other_id = db.session.scalar(select(Entrant.id).where(Entrant.phone == "0900000002"))
        forged = engine().signer.sign(
            AttemptToken(mine.attempt_id, mine.round_id, other_id, mine.deadline_ms, mine.size)
        )
    page = other.paper(forged)
    assert page.status_code == 410 and "Đáp án" not in page.text


def evalsha_calls(app) -> int:
    with app.app_context():
        stats = get_redis().info("commandstats")
    return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("evalsha", "eval"))


def test_a_busy_start_runs_the_start_script_once_on_either_path(app_config, app):
    unit_id = setup_contest(app)
    app.config.update(START_RATE_PER_SECOND=1, START_BURST=1)
    registered(app, unit_id).start()
    second = registered(app, unit_id, phone="0900000002")
    page = second.client.get("/c/thu").text  # warms the caches the fast path reads
    before = evalsha_calls(app)
    waiting = second.client.post("/c/thu/r/1/start", data={"csrf_token": csrf_from(page)})
    assert waiting.status_code == 503 and "data-autosubmit" in waiting.text
    # The fast path's busy outcome goes to the view: no second draw, no second script call.
    assert evalsha_calls(app) - before == 1


@pytest.mark.parametrize("typed", ["1,000", "1.000", "1 000", "1000"])
@pytest.mark.parametrize("how", ["save", "submit"])
def test_a_prediction_is_read_the_same_by_a_save_and_a_whole_form_submit(app, unit_id, how, typed):
    player = registered(app, unit_id)
    token = player.start()
    csrf = csrf_from(player.paper(token).text)
    if how == "save":  # JavaScript saves the field as it is typed
        assert player.save(token, p=typed, csrf=csrf).status_code == 200
        assert player.submit(token, csrf=csrf).status_code == 303
    else:  # no JavaScript: the whole form at once
        assert player.submit(token, {"p": typed}, csrf=csrf).status_code == 303
    drain(app)
    (row,) = scores(app)
    assert row.prediction == 1000


def test_the_paper_counts_answered_questions_and_links_to_the_unanswered(app, unit_id):
    player = registered(app, unit_id)
    token = player.start()
    page = player.paper(token)
    assert page.headers["Cache-Control"] == "no-store"  # "back" after a submit asks again
    assert "Đã trả lời 0/5 câu" in page.text
    player.save(token, q=1, c="0")
    player.save(token, q=3, c="2")
    page = player.paper(token).text
    assert "Đã trả lời 2/5 câu" in page
    links = re.findall(r'<a href="#question-(\d)">Câu (\d)</a>', page)
    assert links == [("1", "1"), ("3", "3"), ("5", "5")]
    assert all(f'id="question-{n}"' in page for n, _ in links)


def test_the_paper_after_a_submit_is_the_result(app, unit_id):
    player = registered(app, unit_id)
    token = player.start()
    player.submit(token, {"q0": "1"})
    response = player.paper(token)  # what "back" asks for, since the page is never stored
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/a/{token}/result")


def test_a_save_whose_body_is_not_text_gets_a_precise_refusal(app, unit_id, caplog):
    player = registered(app, unit_id)
    token = player.start()
    csrf = csrf_from(player.paper(token).text)
    with caplog.at_level("WARNING"):
        response = player.client.post(
            f"/a/{token}/save",
            data=b"q=0&c=\xff",
            headers={"X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 400 and response.json["code"] == "bad_choice"
    assert not [r for r in caplog.records if r.name == "quiz.contest.fastpath"]
