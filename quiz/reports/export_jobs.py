"""Exports are made by RQ workers: a million rows take too long for a request.

The console creates an `ExportFile` row (status "queued"), commits, then
enqueues `make_export`, which writes `<instance>/exports/<id>-<kind>.xlsx`
and records the outcome. An export never stays "queued" or "running" for
good: a failure inside the job is recorded by the job itself; a worker
killed outright (out of memory, a deploy) is recorded by RQ's failure
callback; and anything still unfinished after `STALE_SECONDS` is given up
by `fail_abandoned` (the console calls it when listing exports).
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

from flask import current_app
from rq import Callback
from sqlalchemy import update

from quiz.extensions import DEFAULT_QUEUE, db, get_queue
from quiz.models import ExportFile, Staff
from quiz.reports.export_kinds import KINDS, write_export
from quiz.timeutil import utcnow
from quiz.worker import in_app_context

log = logging.getLogger(__name__)

# A million rows take about a minute; the limit leaves room for a busy machine.
JOB_TIMEOUT_SECONDS = 30 * 60
# Queued or running longer than this: the job is gone (e.g. Redis was flushed).
STALE_SECONDS = 3 * 3600
UNFINISHED = ("queued", "running")


def export_folder() -> Path:
    folder = Path(current_app.instance_path) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_path(export: ExportFile) -> Path | None:
    """Where a finished export's file is, or None if it is not there (any more)."""
    if export.status != "ready" or not export.filename:
        return None
    path = export_folder() / Path(export.filename).name
    return path if path.is_file() else None


def create_export(
    kind: str, params: dict, staff: Staff | None, owner_unit_id: int | None
) -> ExportFile:
    """Add the row (flushed, so it has its id); the caller commits, then `enqueue_export`."""
    if kind not in KINDS:
        raise ValueError(f"unknown export kind {kind!r}")
    export = ExportFile(
        kind=kind,
        params=params,
        owner_unit_id=owner_unit_id,
        staff_id=staff.id if staff is not None else None,
        personal_data=KINDS[kind].personal_data,
        status="queued",
    )
    db.session.add(export)
    db.session.flush()
    return export


def enqueue_export(export_id: int) -> None:
    """Hand a committed export to the workers; if Redis refuses, the row says so."""
    try:
        get_queue(DEFAULT_QUEUE).enqueue(
            make_export,
            export_id,
            job_timeout=JOB_TIMEOUT_SECONDS,
            result_ttl=0,  # the outcome lives in the export_files row
            on_failure=Callback(export_job_failed),
            description=f"export {export_id}",
        )
    except Exception as exc:
        _mark_failed(export_id, f"could not be queued: {exc}")
        raise


def request_export(
    kind: str, params: dict, staff: Staff | None, owner_unit_id: int | None
) -> ExportFile:
    """Create the export row, commit (the worker must find it), and enqueue its job."""
    export = create_export(kind, params, staff, owner_unit_id)
    db.session.commit()
    enqueue_export(export.id)
    return export


@in_app_context
def make_export(export_id: int) -> int | None:
    """Write the file of one export; returns its row count (None if there is nothing to do)."""
    export = db.session.get(ExportFile, export_id)
    if export is None or export.status not in UNFINISHED:
        return None  # deleted, or already done by an earlier run of the same job
    kind, params = export.kind, dict(export.params or {})
    export.status, export.error = "running", ""
    db.session.commit()
    filename = f"{export_id}-{kind}.{KINDS[kind].extension}"
    final = export_folder() / filename
    partial = final.with_name(filename + ".part")
    try:
        rows = write_export(kind, params, partial)
        os.replace(partial, final)
    except Exception as exc:
        log.exception("export %s (%s %s) failed", export_id, kind, params)
        partial.unlink(missing_ok=True)
        _mark_failed(export_id, f"{type(exc).__name__}: {exc}")
        return None
    finally:
        db.session.rollback()  # end the long read transaction, whatever happened
    db.session.execute(
        update(ExportFile)
        .where(ExportFile.id == export_id)
        .values(status="ready", rows=rows, filename=filename, error="", finished_at=utcnow())
    )
    db.session.commit()
    log.info("export %s (%s): %s rows", export_id, kind, rows)
    return rows


def _mark_failed(export_id: int, error: str) -> None:
    db.session.rollback()
    db.session.execute(
        update(ExportFile)
        .where(ExportFile.id == export_id, ExportFile.status.in_(UNFINISHED))
        .values(status="failed", error=error[:2000], finished_at=utcnow())
    )
    db.session.commit()


@in_app_context
def export_job_failed(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ's failure callback: the job died outside our own error handling."""
    if job.args:
        _mark_failed(int(job.args[0]), f"the worker stopped: {exc_type.__name__}: {exc_value}")


def fail_abandoned() -> int:
    """Give up exports left unfinished far longer than any job runs; the caller commits."""
    cutoff = utcnow() - timedelta(seconds=STALE_SECONDS)
    return db.session.execute(
        update(ExportFile)
        .where(ExportFile.status.in_(UNFINISHED), ExportFile.created_at < cutoff)
        .values(status="failed", error="abandoned: no worker finished it", finished_at=utcnow())
    ).rowcount
