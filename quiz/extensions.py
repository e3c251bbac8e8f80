"""Flask extensions, created unbound and bound in `create_app` with `init_app`."""

from __future__ import annotations

import redis
from flask import Flask, current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry
from rq import Queue
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from quiz.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()

# What SQLAlchemy raises when the database cannot be reached (restart,
# failover, exhausted pool): pages answer 503, the play path carries on.
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)


def limits_storage_uri(redis_url: str) -> str:
    """The `limits` package spells a Unix-socket Redis as redis+unix://."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url


class RedisClient:
    """Holds the app's Redis clients; `get_redis()` reads the data client from the current app.

    One Redis (REDIS_URL) serves everything by default. With REDIS_CLUSTER_URL
    the data (attempts, answers, boards, surveys, caches) goes to a Redis
    Cluster while RQ's queues stay on REDIS_URL: RQ moves a job between its
    keys in MULTI blocks that span slots, which a cluster refuses.
    """

    key = "quiz.redis"

    def init_app(self, app: Flask) -> None:
        queue = app.extensions[QUEUE_KEY] = make_redis(app.config["REDIS_URL"])
        cluster_url = app.config.get("REDIS_CLUSTER_URL")
        main = app.extensions[self.key] = make_cluster(cluster_url) if cluster_url else queue
        boards_url = app.config.get("LEADERBOARD_REDIS_URL") or app.config["REDIS_URL"]
        same = boards_url == app.config["REDIS_URL"]
        app.extensions[BOARDS_KEY] = main if same else make_redis(boards_url)


def make_redis(url: str) -> redis.Redis:
    # Bytes in, bytes out: RQ needs a non-decoding client and we share one.
    # Short timeouts so a Redis outage answers 503 quickly instead of hanging.
    # One connection per process (sync workers serve one request at a time):
    # skipping the pool's bookkeeping takes a quarter off every command.
    # A connection broken by a Redis restart is replaced once, at once; our
    # scripts are safe to run again (a save or submit repeated is the same).
    return redis.Redis.from_url(
        url,
        socket_timeout=5,
        socket_connect_timeout=2,
        health_check_interval=30,
        retry=Retry(NoBackoff(), 1),
        retry_on_error=[redis.ConnectionError],
        single_connection_client=True,
    )


def make_cluster(url: str) -> RedisCluster:
    """A Redis Cluster client: routes each command (and script call) to the slot's master."""
    return RedisCluster.from_url(url, socket_timeout=5, socket_connect_timeout=2)


redis_client = RedisClient()
BOARDS_KEY = "quiz.redis.boards"
QUEUE_KEY = "quiz.redis.queue"


def get_redis() -> redis.Redis:
    """The Redis that holds what must not be lost: answers, submissions, new attempts."""
    return current_app.extensions[RedisClient.key]


def get_board_redis() -> redis.Redis:
    """The Redis that holds live leaderboards: rebuilt from the database when lost, so
    it can run without persistence (LEADERBOARD_REDIS_URL; by default the same server)."""
    return current_app.extensions[BOARDS_KEY]


def dispose_engines(close: bool = True) -> None:
    """Drop pooled database connections (tests, and forked worker processes)."""
    db.engine.dispose(close=close)


SCORING_QUEUE = "scoring"
DEFAULT_QUEUE = "default"


def get_queue_redis() -> redis.Redis:
    """The Redis of RQ's queues (REDIS_URL): the data Redis itself unless that is a cluster."""
    return current_app.extensions[QUEUE_KEY]


def get_queue(name: str = DEFAULT_QUEUE) -> Queue:
    return Queue(name, connection=get_queue_redis())
