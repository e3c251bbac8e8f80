"""Every benchmark, one after the other, each writing its section of BENCHMARKS.md.

    .venv/bin/pip install -r requirements-bench.txt
    .venv/bin/python bench/all.py                 # over half an hour on 2 cores
    .venv/bin/python bench/all.py hotpath scoring # only those

Each benchmark starts its own production-like stack on loopback (gunicorn,
RQ workers, a PostgreSQL database of its own, Redis on a free port with the
production settings) and stops it, so they never measure each other. They
run in separate processes: a benchmark's memory figure is its own. A failed
benchmark is reported at the end and the others still run.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

BENCHMARKS = {
    "import": ["bench/import_bench.py"],
    "leaderboard": ["bench/leaderboard_bench.py"],
    "exports": ["bench/export_bench.py"],
    "hotpath": ["bench/hotpath.py"],
    "fastpath": ["bench/hotpath.py", "--fastpath-off", "--runs", "1", "--seconds", "5"],
    "scoring": ["bench/scoring_bench.py", "--profile", "bench/out/scoring-profile.txt"],
    "syncstart-1x1": ["bench/syncstart.py", "--servers", "1", "--workers", "1"],
    "syncstart-2x2": ["bench/syncstart.py", "--servers", "2", "--workers", "2"],
    "checkin": ["bench/checkin_bench.py"],
    "cluster": ["bench/cluster.py"],
    "faults": ["bench/faults.py"],
    "surveys": ["bench/surveys.py"],
    "survey-hotpath": ["bench/survey_hotpath.py"],
    "survey-faults": ["bench/survey_faults.py"],
}


def main() -> int:
    chosen = sys.argv[1:] or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    failed = []
    for name in chosen:
        print(f"== {name}: {' '.join(BENCHMARKS[name])}", flush=True)
        began = time.monotonic()
        done = subprocess.run([PYTHON, *BENCHMARKS[name]], cwd=ROOT, check=False)
        seconds = time.monotonic() - began
        print(f"== {name}: exit {done.returncode} after {seconds:.0f} s", flush=True)
        if done.returncode:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)} (their sections of BENCHMARKS.md were not updated)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
