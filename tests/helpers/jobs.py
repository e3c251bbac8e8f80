"""Jobs for tests that need a worker busy at a chosen moment."""

from __future__ import annotations

import time
from pathlib import Path


def nap(marker: str, seconds: float) -> None:
    """Say that the job has begun (the file), then keep the worker busy."""
    Path(marker).write_text("started")
    time.sleep(seconds)
