"""Running RQ jobs inside the app.

Jobs are plain functions wrapped by `in_app_context`: in a worker they build
the app once per process (`get_app`); in tests and in the web process, where
an app context already exists, they use it. `AppWorker` builds the app
before forking, so each job's work horse starts with it ready:

    rq worker -w quiz.worker.AppWorker scoring default
"""

from __future__ import annotations

import functools
import os

from flask import Flask, has_app_context
from rq.worker import Worker

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
            return fn(*args, **kwargs)
        with get_app().app_context():
            return fn(*args, **kwargs)

    return wrapper


class AppWorker(Worker):
    def __init__(self, *args, **kwargs) -> None:
        get_app()
        super().__init__(*args, **kwargs)
