"""Flask extensions, created unbound and bound in `create_app` with `init_app`."""

from __future__ import annotations

import redis
from flask import Flask, current_app, session
from flask_babel import Babel
from flask_limiter import Limiter
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


def limiter_key() -> str:
    """Rate limits follow the person, not the IP address.

    Mobile carriers put thousands of entrants behind one address, so a
    per-IP limit would lock out a whole district. Staff and entrants are keyed
    by their account; anonymous requests fall back to the address.
    """
    from flask import request

    if "staff_id" in session:
        return f"staff:{session['staff_id']}"
    entrant = session.get("entrant")
    if entrant:
        return f"entrant:{entrant[0]}"
    return f"ip:{request.remote_addr}"


limiter = Limiter(key_func=limiter_key)


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
    return redis.Redis.from_url(
        url,
        socket_timeout=5,
        socket_connect_timeout=2,
        health_check_interval=30,
        retry_on_timeout=False,
    )


redis_client = RedisClient()


def get_redis() -> redis.Redis:
    return current_app.extensions[RedisClient.key]


SCORING_QUEUE = "scoring"
DEFAULT_QUEUE = "default"


def get_queue(name: str = DEFAULT_QUEUE) -> Queue:
    return Queue(name, connection=get_redis())
