"""The fault benchmarks' stack and waves (bench/faults.py, bench/survey_faults.py).

A production-like stack on loopback (bench/stack.py) with threaded
gunicorn, RQ workers and the scheduler; people split into waves, one Redis
fault in the middle of each; the figures reported unless --no-report.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time

import redis

from bench.stack import BIN, ROOT, Stack, free_port


def start_workers(stack: Stack, workers: int) -> list[subprocess.Popen]:
    url = stack.env["REDIS_URL"]
    commands = [
        [str(BIN / "rq"), "worker", "-w", "quiz.worker.AppWorker", "--url", url]
        + ["--logging_level", "WARNING", "scoring", "default"]
        for _ in range(workers)
    ]
    commands.append(
        [str(BIN / "python"), "-m", "quiz.scoring.scheduler", "--url", url]
        + ["--logging-level", "WARNING"]
    )
    started = [subprocess.Popen(c, env=stack.env, cwd=ROOT) for c in commands]  # noqa: S603
    stack.processes.extend(started)
    # Ready before the first fault: a worker that cannot reach Redis while it
    # starts up exits (rq's command line checks Redis first), and production
    # counts on systemd to start it again; here nobody would.
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 120
    while client.scard("rq:workers") < workers or not client.zcard("rq:cron_schedulers"):
        if time.monotonic() > deadline:
            raise RuntimeError("workers or scheduler did not start")
        time.sleep(0.2)
    return started


def add_fault_options(parser: argparse.ArgumentParser, fault_at: float) -> None:
    """The options of every fault benchmark (this one and bench/survey_faults.py)."""
    parser.add_argument("--fault-at", type=float, default=fault_at, help="seconds into the wave")
    parser.add_argument("--down", type=float, default=5.0, help="seconds Redis stays down")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-report", action="store_true")


def prepare(stack: Stack) -> None:
    """The stack's database and Redis, with the app's retries cut to 5 s (the outage's)."""
    stack.prepare()
    stack.env["REDIS_RETRY_MAX_SECONDS"] = "5"
    os.environ.update(stack.env)


def serve(stack: Stack, workers: int) -> tuple[int, list[subprocess.Popen]]:
    """Threaded gunicorn on a free port, the workers and the scheduler, all started."""
    port = free_port()
    stack.gunicorn("app:app", port, threaded=True)
    return port, start_workers(stack, workers)


def run_waves(stack: Stack, args, names: list[str], seed_people, one_wave, report) -> None:
    """Seed the people of every wave, serve, run the waves one after the other (each with
    its share of the people, Redis faulted as named), then report unless --no-report."""
    try:
        prepare(stack)
        people = seed_people(len(names))
        share = len(people) // len(names)
        port, processes = serve(stack, args.workers)
        waves = {}
        for n, name in enumerate(names):
            group = people[n * share : (n + 1) * share]
            print(f"wave {name}: {len(group)} people, Redis {name} at {args.fault_at} s")
            waves[name] = one_wave(stack, port, group, name)
            print(json.dumps(waves[name]), flush=True)
        alive = all(p.poll() is None for p in processes)
    finally:
        stack.stop()
    print(f"workers and scheduler still running: {alive}")
    if not args.no_report:
        report(waves, alive)
