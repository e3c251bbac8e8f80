"""Running RQ jobs inside the app.

Jobs are plain functions wrapped by `in_app_context`: in a worker they build
the app once per process (`get_app`); in tests and in the web process, where
an app context already exists, they use it. `AppWorker` builds the app
before forking, so each job's work horse starts with it ready:

    rq worker -w quiz.worker.AppWorker scoring default
"""

from __future__ import annotations

import functools
import logging
import os

from flask import Flask, has_app_context
from rq.worker import Worker

log = logging.getLogger(__name__)

_app: Flask | None = None
_pid: int | None = None


def get_app() -> Flask:
    global _app, _pid
    if _app is None:
        from quiz import create_app

        _app = create_app()
        _pid = os.getpid()
    elif _pid != os.getpid():
        # A forked child must not share the parent's database sockets.
        from quiz.extensions import dispose_engines

        with _app.app_context():
            dispose_engines(close=False)
        _pid = os.getpid()
    return _app


def in_app_context(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return _run(fn, args, kwargs)
        with get_app().app_context():
            return _run(fn, args, kwargs)

    return wrapper


def _run(fn, args, kwargs):
    try:
        return fn(*args, **kwargs)
    except Exception:
        _roll_back_quietly()
        raise


def _roll_back_quietly() -> None:
    """Roll back after a failed job, keeping the job's own error the one reported.

    Scoring writes through the driver directly (COPY), so when the database
    goes away mid-batch SQLAlchemy does not yet know its connection is dead;
    the rollback finds out and throws the connection away. Left to the app
    context's teardown, that second error would replace the first.
    """
    from quiz.extensions import DATABASE_DOWN, db

    try:
        db.session.rollback()
    except DATABASE_DOWN as exc:
        log.warning("connection lost with the failed job, discarded: %s", exc)


class AppWorker(Worker):
    def __init__(self, *args, **kwargs) -> None:
        get_app()
        super().__init__(*args, **kwargs)
