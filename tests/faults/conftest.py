"""Fixtures for fault tests: a Redis of the test's own, to stop, kill and empty at will,
and a PostgreSQL server of the test's own, to stop and start.

Never the shared Redis of TEST_REDIS_URL or the shared PostgreSQL: restarting
or flushing them would pull the ground from under every other test run using
them. The private PostgreSQL runs in the PostgreSQL pass of the suite
(TEST_DATABASE_URL set), where it fails, not skips, if its programs are missing.
"""

from __future__ import annotations

import os
import shutil
import signal

import pytest
from flask_migrate import upgrade

from quiz import create_app
from quiz.config import ROOT
from quiz.embedded_redis import EmbeddedRedis
from quiz.extensions import db, dispose_engines, get_redis
from tests.conftest import _empty_tables, make_config
from tests.helpers.private_postgres import PrivatePostgres, postgres_bin


@pytest.fixture
def durable_redis(tmp_path):
    """A Redis of our own, with the production persistence settings."""
    server = EmbeddedRedis(tmp_path / "redis", persist=True)
    process = server.start()
    yield server
    server.stop()
    if process is not None:
        process.wait(10)


@pytest.fixture
def app_on(schema, database_url):
    apps = []

    def make(redis_url: str):
        app = create_app(make_config(database_url, redis_url))
        with app.app_context():
            _empty_tables()
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            dispose_engines()


class OwnRedis:
    """An embedded Redis with the production persistence settings, that a test may
    stop, kill -9, and start again with its append-only file or without any data."""

    def __init__(self, directory) -> None:
        self.server = EmbeddedRedis(directory, persist=True)
        self.url = self.server.url
        self.process = None

    def start(self, empty: bool = False) -> None:
        if empty:  # the disk is lost too: what a new machine or a wiped volume brings up
            for path in self.server.directory.glob("appendonly*"):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        self.process = self.server.start()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no final write; what was appended so far is on disk."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        self.server.stop()
        if self.process is not None and self.process.poll() is None:
            self.process.wait(10)


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path / "own-redis")
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.kill()  # its data is of no further use


@pytest.fixture
def private_postgres():
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("runs in the PostgreSQL pass of the suite (TEST_DATABASE_URL)")
    bindir = postgres_bin()
    assert bindir is not None, "PostgreSQL's initdb and pg_ctl are needed for this test"
    server = PrivatePostgres(bindir)
    server.start()
    yield server
    server.remove()


@pytest.fixture
def outage_app(private_postgres, redis_url):
    # Settings cached for 0 s: every request asks the database, so the
    # outage path is taken on every request, not only after a cache expiry.
    app = create_app(
        make_config(
            private_postgres.url, redis_url, ROUND_CACHE_SECONDS=0, SCORING_CLAIM_IDLE_MS=100
        )
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        get_redis().flushdb()
    yield app
    with app.app_context():
        db.session.remove()
        dispose_engines()
