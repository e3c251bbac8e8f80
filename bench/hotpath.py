"""Hot-path benchmark: the framework ceiling vs save, submit and start; scoring rate.

    .venv/bin/python bench/hotpath.py            # writes its section of BENCHMARKS.md
    .venv/bin/python bench/hotpath.py --fastpath-off --runs 1 --seconds 5
                                                 # the fast path on and off, its own section

One run, one machine, the same gunicorn settings for every server, so the
figures compare as ratios. Each endpoint is measured three times,
interleaved, and the median is reported. The load generator (wrk, one
thread, 64 connections) shares the two cores with the server, as in
production-sized tests on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from bench.seeding import Sessions, demo_round, insert_attempts, insert_entrants  # noqa: E402
from bench.stack import (  # noqa: E402
    GUNICORN,
    OUT,
    Stack,
    WrkResult,
    ensure_wrk,
    free_port,
    run_python,
    run_wrk,
)

SLUG = "tim-hieu-nghi-quyet"
WARM_SAVES = 4


def seed(n_save: int, n_submit: int, n_start: int) -> dict:
    """Entrants, attempts and signed sessions, written straight to the database."""
    from quiz import create_app
    from quiz.catalog.options import paper_options
    from quiz.contest.tokens import AttemptToken, TokenSigner
    from quiz.timeutil import now_ms

    app = create_app()
    with app.app_context():
        info = demo_round(time_limit_seconds=None, max_attempts=None, min_age=None)
        entrants = insert_entrants(n_save + n_submit + n_start)
        started = now_ms()
        attempts = insert_attempts(info, entrants[: n_save + n_submit], started)
        sessions = Sessions(app)
        signer = TokenSigner(app.secret_key)
        people = []
        for index, entrant_id in enumerate(entrants):
            cookie, csrf = sessions.signed(entrant_id)
            token, options = None, ()
            if index < len(attempts):
                attempt_id, paper = attempts[index]
                options = paper_options(paper)
                token = signer.sign(
                    AttemptToken(
                        attempt_id,
                        info.id,
                        entrant_id,
                        info.deadline_for(started),
                        info.questions_per_attempt,
                        paper_options(paper),
                    )
                )
            people.append((cookie, csrf, token, options))
        return {
            "people": people,
            "n_save": n_save,
            "n_submit": n_submit,
            "questions": info.questions_per_attempt,
        }


def write_requests(seeded: dict, slices: int) -> dict[str, list[Path]]:
    rng = random.Random(1)
    people, n_save, n_submit = seeded["people"], seeded["n_save"], seeded["n_submit"]
    q = seeded["questions"]
    files: dict[str, list[Path]] = {
        "ceiling": [],
        "save": [],
        "submit": [],
        "start": [],
        "prepare": [],
    }
    ceiling = OUT / "ceiling.txt"
    ceiling.write_text("POST\t/submit\t\t\t\n")
    files["ceiling"] = [ceiling] * slices
    save = OUT / "save.txt"
    with save.open("w") as out:
        for cookie, csrf, token, options in people[:n_save]:
            for position in range(q):
                # One of the question's options: a save of any other is refused.
                choice = rng.randrange(options[position])
                out.write(f"POST\t/a/{token}/save\t{cookie}\t{csrf}\tq={position}&c={choice}\n")
    files["save"] = [save] * slices
    submitters = people[n_save : n_save + n_submit]
    starters = people[n_save + n_submit :]
    for k in range(slices):
        path = OUT / f"submit-{k}.txt"
        with path.open("w") as out:
            for cookie, csrf, token, options in submitters[k::slices]:
                body = "&".join(f"q{i}={rng.randrange(options[i])}" for i in range(q)) + "&p=2500"
                out.write(f"POST\t/a/{token}/submit\t{cookie}\t{csrf}\t{body}\n")
        files["submit"].append(path)
        # Before submitting, entrants answer: their saves reach the server
        # processes first, as they do in a real attempt (untimed).
        path = OUT / f"prepare-{k}.txt"
        with path.open("w") as out:
            for cookie, csrf, token, _options in submitters[k::slices]:
                for position in range(WARM_SAVES):
                    out.write(f"POST\t/a/{token}/save\t{cookie}\t{csrf}\tq={position}&c=1\n")
        files["prepare"].append(path)
        path = OUT / f"start-{k}.txt"
        with path.open("w") as out:
            for cookie, csrf, _token, _options in starters[k::slices]:
                out.write(f"POST\t/c/{SLUG}/r/1/start\t{cookie}\t{csrf}\t\n")
        files["start"].append(path)
    return files


def measure_scoring(env: dict) -> dict:
    """One worker process: copies the attempts the start runs created, then
    drains what the submit runs left in the buffer (each timed on its own)."""
    code = (
        "import json, time\n"
        "from quiz import create_app\n"
        "from quiz.scoring.persistence import persist_new_attempts\n"
        "from quiz.extensions import get_redis\n"
        "from quiz.scoring import keys\n"
        "from quiz.scoring.jobs import drain_submissions\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    client = get_redis()\n"
        "    t = time.perf_counter()\n"
        "    copied = persist_new_attempts(client, 'bench', 2000, 60000, max_seconds=900)\n"
        "    persist_seconds = time.perf_counter() - t\n"
        "    waiting = client.xlen(keys.SUBMISSION_STREAM)\n"
        "    t = time.perf_counter()\n"
        "    scored = drain_submissions(max_seconds=900)\n"
        "    print(json.dumps({'waiting': waiting, 'scored': scored, 'copied': copied,\n"
        "                      'persist_seconds': persist_seconds,\n"
        "                      'seconds': time.perf_counter() - t}))\n"
    )
    out = run_python(env, code)
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument(
        "--fastpath-off",
        action="store_true",
        help="measure save, submit and start with ATTEMPT_FASTPATH on and off (section fastpath)",
    )
    args = parser.parse_args()
    if args.fastpath_off:
        compare_fastpath(args)
        return
    ensure_wrk()
    stack = Stack("quiz_bench")
    try:
        stack.prepare()
        os.environ.update(stack.env)
        print("seeding…", flush=True)
        seeded = seed(n_save=5_000, n_submit=20_000 * args.runs, n_start=15_000 * args.runs)
        files = write_requests(seeded, args.runs)
        stack.gunicorn("app:app", 8001, args.workers)
        stack.gunicorn("bench.ceiling_app:app", 8002, args.workers)
        urls = {
            "ceiling": "http://127.0.0.1:8002",
            "save": "http://127.0.0.1:8001",
            "submit": "http://127.0.0.1:8001",
            "start": "http://127.0.0.1:8001",
        }
        run_wrk(urls["ceiling"], files["ceiling"][0], 2)  # warm-up
        run_wrk(urls["save"], files["save"][0], 2)
        results: dict[str, list[WrkResult]] = {name: [] for name in urls}
        for k in range(args.runs):
            for name in ("ceiling", "save", "submit", "start"):
                if name == "submit":
                    lines = sum(1 for _ in files["prepare"][k].open())
                    run_wrk(urls["save"], files["prepare"][k], max(2, lines // 2500))
                result = run_wrk(urls[name], files[name][k], args.seconds)
                results[name].append(result)
                rps, p99 = result.requests_per_second, result.p99_ms
                print(
                    f"run {k + 1} {name:8s} {rps:8.0f} req/s  p99 {p99:6.1f} ms  "
                    f"errors {result.errors}",
                    flush=True,
                )
        time.sleep(1)
        scoring = measure_scoring(stack.env)
        print(f"scoring: {scoring}", flush=True)
    finally:
        stack.stop()
    summary = {
        name: {
            "rps": statistics.median(r.requests_per_second for r in runs),
            "p99": statistics.median(r.p99_ms for r in runs),
            "errors": sum(r.errors for r in runs),
        }
        for name, runs in results.items()
    }
    if not args.no_report:
        write_section("hotpath", render(summary, scoring, args))


def goal_cell(goals: dict, name: str, ratio: float) -> str:
    """The goal and whether the ratio meets it (✓ or ✗); empty where there is none."""
    if name not in goals:
        return ""
    return f"≥ {goals[name]:.1f}× {'✓' if ratio >= goals[name] else '✗'}"


def render(summary: dict, scoring: dict, args) -> str:
    ceiling = summary["ceiling"]["rps"]
    gunicorn = GUNICORN.replace("--workers 2", f"--workers {args.workers}")
    # Two sets of goals: the core's (issue 2) and the load issue's (issue 5).
    core_goals = {"save": 0.6, "submit": 0.6, "start": 0.4}
    load_goals = {"save": 0.7, "submit": 0.7}
    lines = [
        "## Hot path: requests per second against the framework ceiling",
        "",
        f"Command: `.venv/bin/python bench/hotpath.py` ({args.runs} interleaved runs of "
        f"{args.seconds} s per endpoint, median shown). Server: gunicorn `{gunicorn}`, "
        "PostgreSQL, Redis with `appendonly yes`, `appendfsync everysec` (leaderboards on a "
        "second Redis without persistence); load: "
        "`wrk -t1 -c64` on the same two cores.",
        "",
        "| endpoint | requests/s | × ceiling | core goal | load goal | p99 (ms) | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    names = {
        "ceiling": "minimal Flask POST (ceiling)",
        "save": "answer save",
        "submit": "submit",
        "start": "attempt start",
    }
    for name in ("ceiling", "save", "submit", "start"):
        row = summary[name]
        ratio = row["rps"] / ceiling
        lines.append(
            f"| {names[name]} | {row['rps']:,.0f} | {ratio:.2f} | "
            f"{goal_cell(core_goals, name, ratio)} | {goal_cell(load_goals, name, ratio)} | "
            f"{row['p99']:.1f} | {row['errors']} |"
        )
    rate = scoring["scored"] / scoring["seconds"] if scoring["seconds"] else 0
    copy_rate = scoring["copied"] / scoring["persist_seconds"] if scoring["persist_seconds"] else 0
    lines += [
        "",
        f"Scoring, one worker process: {scoring['scored']:,} submissions (of "
        f"{scoring['waiting']:,} buffered) scored and ranked in {scoring['seconds']:.1f} s: "
        f"**{rate:,.0f} submissions/s** (the scoring section below measures one worker "
        "and two on their own).",
        "",
        f"Attempts started in the start runs, copied from Redis to PostgreSQL by the same "
        f"worker beforehand: {scoring['copied']:,} in {scoring['persist_seconds']:.1f} s "
        f"({copy_rate:,.0f}/s).",
        "",
        f"The submit figure is for entrants who saved answers before submitting (their "
        f"session and tokens already verified by the server process, as in a real attempt: "
        f"each submitter's {WARM_SAVES} saves are sent, untimed, before the timed run). "
        f"Starts are first starts of entrants the server has never seen.",
    ]
    return "\n".join(lines)


OFF = {"ATTEMPT_FASTPATH": "0"}


def compare_fastpath(args) -> None:
    """The same requests against two servers of one stack, one with the fast path off.

    Each server gets its own entrants for submits and starts (a submit or a
    first start happens once); saves are the same file (a save is idempotent).
    """
    ensure_wrk()
    stack = Stack("quiz_bench_fastpath")
    runs = args.runs
    try:
        stack.prepare()
        os.environ.update(stack.env)
        print("seeding…", flush=True)
        seeded = seed(n_save=5_000, n_submit=2 * 20_000 * runs, n_start=2 * 15_000 * runs)
        files = write_requests(seeded, 2 * runs)
        ports = [free_port() for _ in range(3)]  # other benchmarks may run side by side
        stack.gunicorn("app:app", ports[0], args.workers)
        stack.gunicorn("app:app", ports[1], args.workers, extra_env=OFF)
        stack.gunicorn("bench.ceiling_app:app", ports[2], args.workers)
        on, off, ceiling = (f"http://127.0.0.1:{port}" for port in ports)
        run_wrk(ceiling, files["ceiling"][0], 2)  # warm-up
        run_wrk(on, files["save"][0], 2)
        run_wrk(off, files["save"][0], 2)
        results = _compare_runs(files, runs, args.seconds, (ceiling, on, off))
    finally:
        stack.stop()
    summary = {
        name: {
            "rps": statistics.median(r.requests_per_second for r in found),
            "p99": statistics.median(r.p99_ms for r in found),
            "errors": sum(r.errors for r in found),
        }
        for name, found in results.items()
    }
    if not args.no_report:
        write_section("fastpath", render_comparison(summary, args))


def _compare_runs(files, runs: int, seconds: int, urls: tuple[str, str, str]) -> dict:
    ceiling, on, off = urls
    results: dict[str, list[WrkResult]] = {}
    for k in range(runs):
        for name in ("ceiling", "save", "submit", "start"):
            servers = [("", ceiling)] if name == "ceiling" else [("", on)]
            servers += [("-off", off)] if name != "ceiling" else []
            for suffix, url in servers:
                # The off server's submitters and starters are the second half of the slices.
                slice_ = files[name][k + (runs if suffix else 0)]
                if name == "submit":
                    prepare = files["prepare"][k + (runs if suffix else 0)]
                    lines = sum(1 for _ in prepare.open())
                    run_wrk(url, prepare, max(2, lines // 2500))
                result = run_wrk(url, slice_, seconds)
                results.setdefault(name + suffix, []).append(result)
                print(
                    f"run {k + 1} {name + suffix:11s} {result.requests_per_second:8.0f} req/s  "
                    f"p99 {result.p99_ms:6.1f} ms  errors {result.errors}",
                    flush=True,
                )
    return results


def render_comparison(summary: dict, args) -> str:
    ceiling = summary["ceiling"]["rps"]
    gunicorn = GUNICORN.replace("--workers 2", f"--workers {args.workers}")
    lines = [
        "## Hot path with the fast path on and off",
        "",
        f"Command: `.venv/bin/python bench/hotpath.py --fastpath-off --runs {args.runs} "
        f"--seconds {args.seconds}` ({args.runs} run(s) of {args.seconds} s per endpoint and "
        "server, median shown). The same stack as the hot-path section (gunicorn "
        f"`{gunicorn}`, PostgreSQL, Redis with `appendonly yes`), two app servers side by "
        "side, one with `ATTEMPT_FASTPATH=0` (every request through Flask's views, same "
        "rules, same answers); the ceiling is a minimal Flask POST measured in the same run.",
        "",
        f"Ceiling: {ceiling:,.0f} requests/s.",
        "",
        "| endpoint | fast path on: req/s | × ceiling | p99 (ms) | fast path off: req/s "
        "| × ceiling | p99 (ms) | on ÷ off | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = {"save": "answer save", "submit": "submit", "start": "attempt start"}
    for name, label in names.items():
        on, off = summary[name], summary[name + "-off"]
        lines.append(
            f"| {label} | {on['rps']:,.0f} | {on['rps'] / ceiling:.2f} | {on['p99']:.1f} | "
            f"{off['rps']:,.0f} | {off['rps'] / ceiling:.2f} | {off['p99']:.1f} | "
            f"{on['rps'] / off['rps']:.2f} | {on['errors'] + off['errors']} |"
        )
    lines += [
        "",
        "What the fast path is worth is the on ÷ off column: the same request, the same "
        "checks, served before Flask's request machinery or through it.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
