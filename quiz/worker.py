"""Running RQ jobs inside the app.

Jobs are plain functions wrapped by `in_app_context`: in a worker they build
the app once per process (`get_app`); in tests and in the web process, where
an app context already exists, they use it. `AppWorker` builds the app
before forking, so each job's work horse starts with it ready, and waits out
Redis outages instead of exiting:

    rq worker -w quiz.worker.AppWorker scoring default
"""

from __future__ import annotations

import functools
import logging
import os

from flask import Flask, has_app_context
from rq import worker_registration
from rq.worker import Worker, WorkerStatus

from quiz.backoff import REDIS_DOWN, wait_for_redis

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
    """An RQ worker that builds the app once, and outlives a Redis outage of any length.

    rq's own worker retries a lost connection only while it waits for a job;
    anywhere else (a heartbeat, the end of a job, registry upkeep) the error
    reaches its main loop, which exits. Nobody restarts a worker mid-contest,
    so submissions would wait unscored. Here every Redis call of the main
    process waits for Redis to come back (backoff with jitter, logged at
    WARNING) and carries on; the worker then registers itself again, in case
    Redis came back empty. A job cut short by the outage is not run again:
    every job is idempotent and the scheduler enqueues the periodic ones anew.
    """

    def __init__(self, *args, **kwargs) -> None:
        get_app()
        super().__init__(*args, **kwargs)

    def _wait_out_outage(self, exc: Exception) -> None:
        log.warning("worker %s lost Redis: %s", self.name, exc)
        while True:
            wait_for_redis(self.connection, log, f"worker {self.name}")
            try:
                with self.connection.pipeline() as pipe:
                    pipe.hset(self.key, mapping=self.serialize())
                    worker_registration.register(self, pipe)
                    pipe.expire(self.key, self.worker_ttl + 60)
                    pipe.execute()
                return
            except REDIS_DOWN:
                continue

    def _patiently(self, call, *args, **kwargs):
        """`call`, again and again until Redis answers (the work horse fails fast instead)."""
        while True:
            try:
                return call(*args, **kwargs)
            except REDIS_DOWN as exc:
                if self.is_horse:
                    raise
                self._wait_out_outage(exc)

    def check_for_suspension(self, burst: bool) -> None:
        self._patiently(super().check_for_suspension, burst)

    def run_maintenance_tasks(self) -> None:
        self._patiently(super().run_maintenance_tasks)

    def heartbeat(self, timeout=None, pipeline=None) -> None:
        if pipeline is not None:
            return super().heartbeat(timeout, pipeline)
        return self._patiently(super().heartbeat, timeout)

    def set_state(self, state: str, pipeline=None) -> None:
        if pipeline is not None:
            return super().set_state(state, pipeline)
        return self._patiently(super().set_state, state)

    def maintain_heartbeats(self, job, execution) -> None:
        try:
            super().maintain_heartbeats(job, execution)
        except REDIS_DOWN as exc:  # the horse works on; the next heartbeat may get through
            log.warning("worker %s could not send a heartbeat: %s", self.name, exc)

    def execute_job(self, job, queue) -> None:
        try:
            super().execute_job(job, queue)
        except REDIS_DOWN as exc:
            self._wait_out_outage(exc)
            self.set_state(WorkerStatus.IDLE)

    def set_shutdown_requested_date(self) -> None:
        try:
            super().set_shutdown_requested_date()
        except REDIS_DOWN:  # asked to stop during an outage: stop all the same
            log.warning("worker %s: stop requested while Redis is unavailable", self.name)

    def teardown(self) -> None:
        try:
            super().teardown()
        except REDIS_DOWN as exc:
            log.warning("worker %s stopped without unregistering: %s", self.name, exc)
