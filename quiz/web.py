"""App-wide web plumbing: language choice, template filters, security headers, health."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Flask,
    current_app,
    has_request_context,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime
from sqlalchemy import text
from werkzeug.routing import IntegerConverter

from quiz.formatting import FILTERS
from quiz.redirects import local_path
from quiz.timeutil import from_ms


def select_locale() -> str:
    """Vietnamese unless the person switched to English (kept in the session).

    Outside a request (commands, jobs) messages are in Vietnamese.
    """
    if not has_request_context():
        return "vi"
    lang = session.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else "vi"


def _localtime(value, fmt: str = "HH:mm dd/MM/yyyy") -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        value = from_ms(value)
    if not isinstance(value, datetime):
        return str(value)
    return format_datetime(value, fmt)


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def _static_url_factory(app: Flask):
    """URLs of static files carry a hash of their content: cached for a year, never stale."""
    import hashlib
    from pathlib import Path

    versions: dict[str, str] = {}

    def static_url(filename: str) -> str:
        version = versions.get(filename)
        if version is None:
            path = Path(app.static_folder) / filename
            version = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            if not app.debug:
                versions[filename] = version
        return url_for("static", filename=filename, v=version)

    return static_url


MAX_ROW_ID = 2**31 - 1  # PostgreSQL's integer, the type of every id


class RowId(IntegerConverter):
    """`<int:…>` in every route: at most PostgreSQL's integer, the type of every id.

    A larger number in a URL would reach the database and fail there (a 500 on
    PostgreSQL, not on SQLite); refused by the router, it is a plain 404.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ROW_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def row_id(text: str) -> int:
    """`type=` for an id or page number read from a request: a whole number a row can have.

    Anything else (negative, zero, beyond PostgreSQL's integer) raises ValueError,
    so `request.args.get(name, type=row_id)` answers its default instead of a 500.
    """
    number = int(text)
    if not 0 < number <= MAX_ROW_ID:
        raise ValueError(text)
    return number


def _blank_none(value):
    return "" if value is None else value


def init_app(app: Flask) -> None:
    app.config.setdefault("SEND_FILE_MAX_AGE_DEFAULT", 365 * 24 * 3600)
    app.jinja_env.globals["static_url"] = _static_url_factory(app)
    app.jinja_env.filters["localtime"] = _localtime
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["select_locale"] = select_locale
    # A missing value prints as nothing, never as "None" (figures use the
    # number filters, which print "—").
    app.jinja_env.finalize = _blank_none

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy", CSP)
        return response

    @app.get("/lang/<code>")
    def switch_language(code: str):
        if code in app.config["LANGUAGES"]:
            session["lang"] = code
        # Only a path on this site, as browsers read it: never an open redirect.
        return redirect(local_path(request.args.get("next"), url_for("contest.home")), 303)

    @app.get("/healthz")
    def health():
        from quiz.extensions import db, get_redis

        db.session.execute(text("SELECT 1"))
        get_redis().ping()
        return jsonify(ok=True)
