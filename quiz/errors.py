"""Error pages: every failure the user can meet has a page and a plain message.

Database and Redis outages answer 503 with Retry-After (never a 500 or a
hang) and the app recovers by itself when they return.
"""

from __future__ import annotations

import logging

import redis
from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from quiz.extensions import DATABASE_DOWN, db

log = logging.getLogger(__name__)

# Every HTTP refusal a view raises with abort(): a title and a sentence in the
# user's language (werkzeug's own are English). A view that aborts with a
# description of its own (already translated) keeps it.
HTTP_MESSAGES = {
    400: (_l("Bad request"), _l("The request was incomplete or not valid. Go back and try again.")),
    401: (_l("Sign-in needed"), _l("Sign in to see this page.")),
    403: (_l("Not permitted"), _l("Your account is not allowed to see this page or do this.")),
    404: (_l("Not found"), _l("There is nothing at this address.")),
    405: (_l("Not allowed"), _l("This address does not accept that request.")),
    409: (_l("Conflict"), _l("Someone changed this meanwhile. Reload the page and try again.")),
    410: (_l("Gone"), _l("What was at this address has been removed.")),
    413: (_l("Too large"), _l("The file or form is larger than allowed.")),
    415: (_l("Wrong kind of file"), _l("This kind of file is not accepted here.")),
    422: (_l("Cannot be processed"), _l("The data sent could not be processed.")),
}


def _wants_json() -> bool:
    return (
        request.path.endswith((".json", "/save", "/status"))
        or request.accept_mimetypes.best == "application/json"
    )


def _page(status: int, title: str, message: str, headers: dict | None = None, reason: str = ""):
    """The error as a page, or as JSON for scripts (`reason` tells them what to do about it)."""
    if _wants_json():
        body = {"error": message, "code": status} | ({"reason": reason} if reason else {})
        return jsonify(body), status, headers or {}
    body = render_template("errors/error.html", status=status, title=title, message=message)
    return body, status, headers or {}


def init_app(app: Flask) -> None:
    _handle_refusals(app)
    _handle_faults(app)


def _handle_refusals(app: Flask) -> None:
    """What the client asked for cannot be served: an expired form, a wrong address, too much."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _page(
            400,
            _("Page expired"),
            _("This page was open too long or cookies are off. Reload the page and try again."),
            # A script holding a token from an older session (the scanning page
            # kept offline) fetches a fresh one and sends again.
            reason="csrf",
        )

    @app.errorhandler(429)
    def too_many(exc):
        retry = getattr(exc, "retry_after", None) or 60
        return _page(
            429,
            _("Too many tries"),
            _("Too many tries in a short time. Please wait a few minutes and try again."),
            {"Retry-After": str(retry)},
        )


def _handle_faults(app: Flask) -> None:
    """Our side failed: the database or Redis is away, or a bug."""

    def database_down(exc):
        log.error("database unavailable: %s", exc)
        db.session.rollback()
        return _unavailable()

    for kind in DATABASE_DOWN:
        app.register_error_handler(kind, database_down)

    @app.errorhandler(redis.ConnectionError)
    @app.errorhandler(redis.TimeoutError)
    @app.errorhandler(redis.BusyLoadingError)
    def redis_down(exc):
        log.error("redis unavailable: %s", exc)
        return _unavailable()

    @app.errorhandler(HTTPException)
    def http_error(exc):
        return _http_page(exc)

    @app.errorhandler(Exception)
    def unexpected(exc):
        if app.testing:
            raise exc  # a test must see the bug, not a polite page
        log.exception("unexpected error")
        return _page(
            500,
            _("Something went wrong"),
            _("The error has been logged. Please try again in a moment."),
        )


def _http_page(exc: HTTPException):
    """A refusal in the user's language; a description the view gave (translated) is kept."""
    status = exc.code or 500
    title, message = HTTP_MESSAGES.get(
        status, (_l("Something went wrong"), _l("The request could not be served."))
    )
    own = exc.description if exc.description != type(exc).description else None
    return _page(status, str(title), str(own or message))


def _unavailable():
    return _page(
        503,
        _("Busy for a moment"),
        _(
            "The service is briefly unavailable. Your saved answers are safe; "
            "please try again in a few seconds."
        ),
        {"Retry-After": "5"},
    )
