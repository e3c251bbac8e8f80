"""An unexpected error on the attempt fast path is logged at WARNING and the view answers."""

from __future__ import annotations

from tests.contest.test_attempts import registered, setup_contest
from tests.players import csrf_from


def test_redis_gone_mid_attempt_is_a_warning_and_a_503(app_on, own_redis, caplog):
    app = app_on(own_redis.url)
    assert app.config["ATTEMPT_FASTPATH"]
    player = registered(app, setup_contest(app))
    token = player.start()
    csrf = csrf_from(player.paper(token).text)
    own_redis.stop()
    with caplog.at_level("WARNING", logger="quiz.contest.fastpath"):
        response = player.save(token, q=0, c="1", csrf=csrf)
    assert response.status_code == 503  # the view's answer to Redis being down
    fast_path = [r.levelname for r in caplog.records if r.name == "quiz.contest.fastpath"]
    assert fast_path == ["WARNING"]
