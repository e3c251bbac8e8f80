"""Error pages: every failure the user can meet has a page and a plain message.

Database and Redis outages answer 503 with Retry-After (never a 500 or a
hang) and the app recovers by itself when they return.
"""

from __future__ import annotations

import logging

import redis
from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from quiz.extensions import DATABASE_DOWN, db

log = logging.getLogger(__name__)


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

    @app.errorhandler(404)
    def not_found(exc):
        return _page(404, _("Not found"), _("There is nothing at this address."))

    @app.errorhandler(405)
    def not_allowed(exc):
        return _page(405, _("Not allowed"), _("This address does not accept that request."))

    @app.errorhandler(413)
    def too_large(exc):
        return _page(413, _("Too large"), _("The file or form is larger than allowed."))

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
        return _page(exc.code or 500, exc.name, exc.description or "")

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
