"""The two README commands work from a clean clone of the repository.

Slow by nature: each builds its own virtualenv from the pinned requirements
(pip's cache makes repeats quick). The inner test run is told not to recurse.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INNER = "QUIZ_INSIDE_CLEAN_CLONE"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get(INNER) == "1", reason="already inside a clean clone"),
    # The commands run with the services' variables removed (clean_env), so the
    # PostgreSQL pass would repeat the embedded pass exactly: run them once.
    pytest.mark.skipif(
        bool(os.environ.get("TEST_DATABASE_URL")),
        reason="runs in the embedded-defaults pass (the commands ignore TEST_* settings)",
    ),
]


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """The committed tree plus the working tree's changes, as a fresh checkout sees it."""
    target = tmp_path_factory.mktemp("clone") / "quiz"
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(target)], check=True
    )
    # Uncommitted work under test is applied on top, so the test checks this tree.
    diff = subprocess.run(
        ["git", "diff", "HEAD", "--binary"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    if diff:
        subprocess.run(["git", "apply", "--whitespace=nowarn"], cwd=target, input=diff, check=True)
    untracked = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in untracked:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes((ROOT / name).read_bytes())
    return target


def clean_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "QUIZ_", "VIRTUAL"))}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    env["PATH"] = ":".join(p for p in env["PATH"].split(":") if ".venv" not in p)
    return env


def test_run_command_serves_the_demo_contest_and_stops_everything_on_ctrl_c(clone):
    env = clean_env() | {"PORT": "5391"}
    process = subprocess.Popen(
        ["./run.sh"],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    url = None
    output = []
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            match = re.search(r"Demo contest, open now:\s+(\S+)", line)
            if match:
                url = match.group(1)
                break
        assert url, "".join(output[-30:])
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            page = response.read().decode()
        assert response.status == 200 and "Vòng thi 1" in page
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(60)
        process.stdout.close()
    leftovers = subprocess.run(["pgrep", "-f", str(clone)], capture_output=True, text=True)
    assert leftovers.stdout.strip() == "", "processes still running after Ctrl-C"
    assert (clone / "instance" / "quiz.sqlite3").exists()


def test_test_command_sets_up_and_runs_the_suite(clone):
    env = clean_env() | {INNER: "1"}
    result = subprocess.run(
        ["./test.sh", "-q", "tests/scoring/test_ranking.py", "tests/contest/test_registration.py"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"\d+ passed", result.stdout)
