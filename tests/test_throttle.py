"""The throttle's atomic take: parallel requests cannot all pass a limit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from quiz import throttle


def test_parallel_takes_never_exceed_the_limit(app):
    def one(_):
        with app.app_context():
            return throttle.take("5 per 15 minutes", "test-take", "0912345678")

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(one, range(40)))
    assert outcomes.count(True) == 5
    with app.app_context():
        assert not throttle.allowed("5 per 15 minutes", "test-take", "0912345678")
        assert throttle.take("5 per 15 minutes", "test-take", "0912345679")


def test_a_use_given_back_frees_a_place(app):
    with app.app_context():
        assert all(throttle.take("3 per 15 minutes", "test-give", "a") for _ in range(3))
        throttle.give_back("3 per 15 minutes", "test-give", "a")
        assert throttle.take("3 per 15 minutes", "test-give", "a")
        assert not throttle.take("3 per 15 minutes", "test-give", "a")
