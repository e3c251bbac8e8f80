"""Excel files sent to the organizer's browser: one content type, one way to send them."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Response, send_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def send_workbook(workbook: bytes | Path | str, filename: str) -> Response:
    """A workbook (its bytes, or a file on disk) as a download named `filename`."""
    source = io.BytesIO(workbook) if isinstance(workbook, bytes) else workbook
    mimetype = CSV if filename.endswith(".csv") else XLSX
    return send_file(source, mimetype=mimetype, as_attachment=True, download_name=filename)
