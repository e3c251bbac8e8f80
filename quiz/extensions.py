"""Flask extensions, created unbound and bound in `create_app` with `init_app`."""

from __future__ import annotations

import redis
from flask import Flask, current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from rq import Queue

from quiz.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()


def limits_storage_uri(redis_url: str) -> str:
    """The `limits` package spells a Unix-socket Redis as redis+unix://."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url


class RedisClient:
    """Holds the app's Redis client; `get_redis()` reads it from the current app."""

    key = "quiz.redis"

    def init_app(self, app: Flask) -> None:
        app.extensions[self.key] = make_redis(app.config["REDIS_URL"])


def make_redis(url: str) -> redis.Redis:
    # Bytes in, bytes out: RQ needs a non-decoding client and we share one.
    # Short timeouts so a Redis outage answers 503 quickly instead of hanging.
    # One connection per process (sync workers serve one request at a time):
    # skipping the pool's bookkeeping takes a quarter off every command.
    return redis.Redis.from_url(
        url,
        socket_timeout=5,
        socket_connect_timeout=2,
        health_check_interval=30,
        retry_on_timeout=False,
        single_connection_client=True,
    )


redis_client = RedisClient()


def get_redis() -> redis.Redis:
    return current_app.extensions[RedisClient.key]


def autocommit_engine():
    """A second, small engine whose connections stay in autocommit.

    A single-statement write on the hot path then costs one round trip
    (no BEGIN, no COMMIT), without switching a pooled connection's mode
    back and forth, which costs queries of its own.
    """
    engine = current_app.extensions.get("quiz.autocommit")
    if engine is None:
        from sqlalchemy import create_engine

        options = {} if db.engine.dialect.name == "sqlite" else {"pool_size": 2}
        engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT", **options)
        if db.engine.dialect.name == "sqlite":
            from quiz import tune_sqlite

            tune_sqlite(engine)
        current_app.extensions["quiz.autocommit"] = engine
    return engine


def dispose_engines(close: bool = True) -> None:
    """Drop pooled database connections (tests, and forked worker processes)."""
    db.engine.dispose(close=close)
    extra = current_app.extensions.get("quiz.autocommit")
    if extra is not None:
        extra.dispose(close=close)


SCORING_QUEUE = "scoring"
DEFAULT_QUEUE = "default"


def get_queue(name: str = DEFAULT_QUEUE) -> Queue:
    return Queue(name, connection=get_redis())
