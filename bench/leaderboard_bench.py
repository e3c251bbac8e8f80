"""Leaderboard with 1,000,000 entrants: an entrant's rank and the top 100, latency.

    .venv/bin/python bench/leaderboard_bench.py     # writes its section of BENCHMARKS.md

The board is filled through the same Lua script the scorer uses, with
realistic ties (10 questions, times in whole seconds), on a Redis started
with the production settings for leaderboards (no persistence).
Goal: p99 under 5 ms for both reads.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from bench.stack import Stack  # noqa: E402
from quiz.scoring.leaderboard import Leaderboard, Placement  # noqa: E402
from quiz.scoring.ranking import DEFAULT_ORDER, Result  # noqa: E402

ROUND, CONTEST = 1, 1


def fill(board: Leaderboard, entrants: int) -> float:
    rng = random.Random(7)
    started = time.perf_counter()
    batch = []
    base = 1_795_000_000_000
    for entrant in range(1, entrants + 1):
        correct = min(10, int(rng.gauss(7, 2)))
        result = Result(
            entrant,
            entrant,
            1,
            max(0, correct),
            10,
            rng.randint(60, 900) * 1000,
            rng.randint(1000, 4000),
            base + entrant * 37,
            base,
        )
        batch.append(
            Placement(ROUND, CONTEST, "best", DEFAULT_ORDER, DEFAULT_ORDER, (ROUND,), None, result)
        )
        if len(batch) == 5000:
            board.apply(batch, chunk=5000)
            batch = []
    if batch:
        board.apply(batch, chunk=5000)
    return time.perf_counter() - started


def timings(fn, samples: int) -> list[float]:
    out = []
    for _ in range(samples):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return sorted(out)


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entrants", type=int, default=1_000_000)
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    stack = Stack("unused")
    try:
        url = stack.start_redis(durable=False)
        client = redis.Redis.from_url(url)
        board = Leaderboard(client)
        fill_seconds = fill(board, args.entrants)
        assert board.size(CONTEST, ROUND) == args.entrants
        rng = random.Random(3)
        rank = timings(lambda: board.rank_of(CONTEST, ROUND, rng.randint(1, args.entrants)), 20_000)
        top = timings(lambda: board.top(CONTEST, ROUND, 100), 2_000)
        page = timings(
            lambda: board.top(CONTEST, ROUND, 50, rng.randint(0, args.entrants - 50)), 2_000
        )
        memory = client.info("memory")["used_memory"] / 1e6
    finally:
        stack.stop()
    rows = [
        ("rank of one entrant (`rank_of`)", rank),
        ("top 100 (`top`)", top),
        ("a page of 50 anywhere in the ranking", page),
    ]
    print(f"filled {args.entrants:,} in {fill_seconds:.1f} s; Redis {memory:.0f} MB")
    for name, values in rows:
        print(f"{name}: p50 {pct(values, 0.5):.2f} ms, p99 {pct(values, 0.99):.2f} ms")
    if args.no_report:
        return
    lines = [
        "## Leaderboard with 1,000,000 entrants",
        "",
        "Command: `.venv/bin/python bench/leaderboard_bench.py` (one round board and the "
        "contest board filled through the scorer's Lua script; reads from one client on "
        "loopback, as a web process makes them).",
        "",
        "| read | p50 (ms) | p99 (ms) | goal |",
        "|---|---:|---:|---|",
    ]
    for name, values in rows:
        p99 = pct(values, 0.99)
        lines.append(
            f"| {name} | {statistics.median(values):.2f} | {p99:.2f} | "
            f"p99 < 5 ms {'✓' if p99 < 5 else '✗'} |"
        )
    lines += [
        "",
        f"Filling {args.entrants:,} entries took {fill_seconds:.0f} s; the boards use "
        f"{memory:.0f} MB of Redis memory.",
    ]
    write_section("leaderboard", "\n".join(lines))


if __name__ == "__main__":
    main()
