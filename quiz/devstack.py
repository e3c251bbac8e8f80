"""The one-command start: embedded Redis, migrations, demo data, web, worker, cron.

`./run.sh` calls `python -m quiz.devstack`. Every process it starts is its
child; Ctrl-C (or SIGTERM) stops them all and shuts the Redis server down.
Production runs the same pieces separately (README: production).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from quiz.config import INSTANCE, ROOT
from quiz.embedded_redis import EmbeddedRedis

BIN = Path(sys.executable).parent


def _free_port(preferred: int) -> int:
    for port in range(preferred, preferred + 50):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port near {preferred}")


def _wait_http(url: str, seconds: float) -> bool:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback
                return response.status == 200
        except OSError:
            time.sleep(0.2)
    return False


def _print_addresses(base: str) -> None:
    """What to open, once everything answers."""
    print("\n" + "=" * 64)
    print(f"  Demo contest, open now:  {base}/c/tim-hieu-nghi-quyet")
    print(f"  Published results:       {base}/c/tim-hieu-phap-luat/results")
    print(f"  All contests:            {base}/")
    password = (INSTANCE / "demo_admin_password").read_text().strip()
    print(f"  Organizer console:       {base}/console/  (quantri / {password})")
    print(f"  Demo conference:         {base}/console/conferences  (500 delegates)")
    print(f"  Demo survey, open now:   {base}/s/khao-sat-hoc-truc-tuyen")
    print("  Press Ctrl-C to stop the web server, worker, scheduler and Redis.")
    print("=" * 64 + "\n", flush=True)


def main() -> int:
    env = dict(os.environ, QUIZ_ENV="development", PYTHONUNBUFFERED="1")
    redis = EmbeddedRedis(INSTANCE / "redis", persist=True)
    redis_process = redis.start()
    env["REDIS_URL"] = redis.url
    children: list[subprocess.Popen] = []

    def flask(*args: str) -> None:
        subprocess.run([str(BIN / "flask"), "--app", "app", *args], env=env, cwd=ROOT, check=True)  # noqa: S603

    def stop(*_args) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
        redis.stop()
        if redis_process is not None:
            redis_process.wait(10)

    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        port = _free_port(int(os.environ.get("PORT", "5000")))
        base = f"http://127.0.0.1:{port}"
        flask("db", "upgrade")
        flask("seed-demo", "--base-url", base)
        workers = os.environ.get("WEB_WORKERS", "2")
        commands = [
            f"gunicorn --workers {workers} --bind 127.0.0.1:{port} --access-logfile - "
            "--log-level warning app:app",
            f"rq worker --url {redis.url} -w quiz.worker.AppWorker --logging_level WARNING "
            "scoring default",
            f"python -m quiz.scoring.scheduler --url {redis.url} --logging-level WARNING",
        ]
        for command in commands:
            program, *args = command.split()
            # Own process group: Ctrl-C reaches only us, and we stop them in order.
            child = subprocess.Popen(  # noqa: S603
                [str(BIN / program), *args], env=env, cwd=ROOT, start_new_session=True
            )
            children.append(child)
        if not _wait_http(f"{base}/healthz", 30):
            print("The web server did not come up; see the messages above.", file=sys.stderr)
            return 1
        _print_addresses(base)
        while not stopping.wait(0.5):
            if any(child.poll() is not None for child in children):
                print("A process stopped unexpectedly; shutting down.", file=sys.stderr)
                return 1
        print("\nStopping…", flush=True)
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
