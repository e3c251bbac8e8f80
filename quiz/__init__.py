"""The quiz and contest engine. `create_app` is the only place an app is made."""

from __future__ import annotations

from flask import Flask

from quiz.config import INSTANCE, ROOT, Config, load_config


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` (tests) overrides the defaults; otherwise the environment."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE),
    )
    if config is None:
        app.config.update(load_config())
    else:
        app.config.update({k: getattr(Config, k) for k in dir(Config) if k.isupper()})
        app.config.update(config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # The pool options are PostgreSQL's; SQLite takes none of them.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}

    from quiz import cli, errors, throttle, web
    from quiz.extensions import babel, csrf, db, login_manager, migrate, redis_client
    from quiz.sessions import CachedCookieSessionInterface

    app.session_interface = CachedCookieSessionInterface()

    db.init_app(app)
    _tune_sqlite(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    redis_client.init_app(app)
    throttle.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "console.login"
    login_manager.login_message = None
    _install_caches(app)

    app.url_map.converters["int"] = web.RowId  # before any route is added
    _register_areas(app)
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    web.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def _register_areas(app: Flask) -> None:
    """Every area's blueprint, then the fast paths in front of them (see contest/fastpath.py)."""
    from quiz.conferences import bp as conferences_bp
    from quiz.console import bp as console_bp
    from quiz.contest import bp as contest_bp
    from quiz.contest.fastpath import AttemptFastPath
    from quiz.results import bp as results_bp
    from quiz.surveys import bp as surveys_bp
    from quiz.surveys.fastpath import SurveyFastPath

    app.register_blueprint(contest_bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(conferences_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(results_bp)
    app.wsgi_app = AttemptFastPath(app, app.wsgi_app)
    app.wsgi_app = SurveyFastPath(app, app.wsgi_app)


def _install_caches(app: Flask) -> None:
    """The per-process snapshots, one of each, reached through their areas' accessors."""
    from quiz import caches
    from quiz.catalog.questions import QuestionCache
    from quiz.catalog.rounds import ContestCache, RoundCache
    from quiz.conferences.snapshot import ConferenceCache
    from quiz.surveys.structure import SurveyCache
    from quiz.units.tree import UnitTree

    ttl = app.config["ROUND_CACHE_SECONDS"]
    caches.install(
        app,
        RoundCache(ttl),
        ContestCache(ttl),
        QuestionCache(),
        UnitTree(),
        ConferenceCache(),
        SurveyCache(),
    )


def _tune_sqlite(app: Flask) -> None:
    """WAL and a busy timeout let the web process and the worker share the file."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from quiz.extensions import db

    with app.app_context():
        tune_sqlite(db.engine)


def tune_sqlite(engine) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
