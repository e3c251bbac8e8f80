"""BENCHMARKS.md is made of sections, one per benchmark, each replaced in place."""

from __future__ import annotations

import platform
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "BENCHMARKS.md"
HEADER = """# Benchmarks

Figures made by the scripts in `bench/`, each section with the command that
made it. Compare ratios measured in the same run: the machine is shared and
noisy, absolute numbers move from run to run.
"""


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{cores} cores ({cpu}), Python {platform.python_version()}"


def write_section(name: str, body: str) -> None:
    text = REPORT.read_text() if REPORT.exists() else HEADER
    stamp = f"<!-- {name}: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()} -->"
    block = f"<!-- begin {name} -->\n{stamp}\n{body.strip()}\n<!-- end {name} -->"
    pattern = re.compile(rf"<!-- begin {name} -->.*?<!-- end {name} -->", re.S)
    text = (
        pattern.sub(lambda _m: block, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + block + "\n"
    )
    REPORT.write_text(text)
    print(f"BENCHMARKS.md: section {name!r} written")
