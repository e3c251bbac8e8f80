"""Excel export of 1,000,000 scored attempts: time and peak memory.

    .venv/bin/python bench/export_bench.py       # writes its section of BENCHMARKS.md

A fresh PostgreSQL database (migrations, as in production) gets the demo
units, bank and contest, then entrants, attempts and scores by COPY. The
export runs in a separate process, the way a worker runs it (`make_export`,
the RQ job's function, without the queue), so its peak resident memory
(ru_maxrss) is the export's alone, imports and app included. A second
process only streams the same rows from the database, without writing, to
show how the time splits.

Goal: the 1M-row export in under 60 s and under 300 MB.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from bench.stack import OUT, ROOT, Stack  # noqa: E402

DATABASE = "quiz_bench_exports"
INSTANCE = OUT / "export-instance"
BLOCK = 50_000  # rows per COPY write
T0_MS = 1_767_225_600_000  # 2026-01-01 00:00 UTC


def seed(sizes: list[int], per_entrant: int) -> list[tuple[int, int]]:
    """The demo contest, `sizes[i]` scored attempts in its round i+1; [(rows, export id)]."""
    import psycopg
    from sqlalchemy import select

    from quiz import create_app
    from quiz.demo import seed_bank, seed_contest, seed_units
    from quiz.extensions import db
    from quiz.models import Question, Round, Unit
    from quiz.reports.export_jobs import create_export

    app = create_app()
    with app.app_context():
        province = seed_units()
        contest = seed_contest(province, seed_bank(province))
        rounds = list(
            db.session.scalars(
                select(Round).where(Round.contest_id == contest.id).order_by(Round.number)
            )
        )[: len(sizes)]
        assert len(rounds) == len(sizes), "the demo contest has fewer rounds"
        for round_ in rounds:
            round_.max_attempts = None
        plan = [(r.id, r.questions_per_attempt, n) for r, n in zip(rounds, sizes, strict=True)]
        questions = list(db.session.scalars(select(Question.id).where(Question.is_current)))
        units = list(db.session.scalars(select(Unit.id).where(Unit.depth == 2)))
        owner = province.id
        db.session.commit()
        url = app.config["SQLALCHEMY_DATABASE_URI"]
    entrants = -(-max(sizes) // per_entrant)
    rng = random.Random(7)
    papers = {
        per_paper: [
            json.dumps(
                [[q, "".join(rng.sample("0123", 4))] for q in rng.sample(questions, per_paper)]
            )
            for _ in range(64)
        ]
        for _, per_paper, _ in plan
    }
    with psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        _copy(
            conn,
            "entrants (id, phone, full_name, birth_year, gender, unit_id, occupation, "
            "consent_at, created_at, updated_at)",
            (
                f"{n}\t09{n:08d}\tNgười Thử {n}\t{1950 + n % 55}\t"
                f"{'female' if n % 2 else 'male'}\t{units[n % len(units)]}\tother\t"
                "2026-01-01 00:00:00\t2026-01-01 00:00:00\t2026-01-01 00:00:00\n"
                for n in range(1, entrants + 1)
            ),
        )
        first = 1
        for round_id, per_paper, total in plan:
            _copy(
                conn,
                "attempts (id, round_id, entrant_id, seq, paper, started_at_ms, deadline_ms)",
                (
                    f"{a}\t{round_id}\t{e}\t{s}\t{papers[per_paper][a % 64]}\t{t}\t{t + 900_000}\n"
                    for a, e, s, t in _attempts(first, total, per_entrant)
                ),
            )
            _copy(
                conn,
                "scores (attempt_id, round_id, entrant_id, seq, correct, total, time_used_ms, "
                "prediction, started_at_ms, submitted_at_ms, auto_submitted, answers, marks, "
                "timings, scored_at)",
                (
                    _score_line(round_id, per_paper, a, e, s, t)
                    for a, e, s, t in _attempts(first, total, per_entrant)
                ),
            )
            first += total
        for table in ("entrants", "attempts"):
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            conn.execute(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE entrants, attempts, scores")
    with app.app_context():
        made = [
            (round_id, create_export("attempts", {"round_id": round_id}, None, owner))
            for round_id, _, _ in plan
        ]
        db.session.commit()
        return [(round_id, export.id) for round_id, export in made]


def _attempts(first: int, total: int, per_entrant: int):
    """(attempt id, entrant id, seq, started at ms) of one round, spread over a week."""
    for n in range(total):
        entrant, seq = divmod(n, per_entrant)
        yield first + n, entrant + 1, seq + 1, T0_MS + (n * 604_800_000) // total


def _score_line(round_id: int, per_paper: int, a: int, e: int, s: int, t: int) -> str:
    correct = (a * 7919) % (per_paper + 1)
    used = 30_000 + (a * 104_729) % 840_000
    marks = "1" * correct + "0" * (per_paper - correct)
    answers = json.dumps([[0] if m == "1" else [1] for m in marks])
    prediction = (a * 31) % 200_000 if a % 3 else "\\N"
    auto = "t" if a % 50 == 0 else "f"
    return (
        f"{a}\t{round_id}\t{e}\t{s}\t{correct}\t{per_paper}\t{used}\t{prediction}\t{t}\t"
        f"{t + used}\t{auto}\t{answers}\t{marks}\t\\N\t2026-01-08 00:00:00\n"
    )


def _copy(conn, target: str, lines) -> None:
    started = time.perf_counter()
    count = 0
    with conn.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as copy:
        buffer = io.StringIO()
        for line in lines:
            buffer.write(line)
            count += 1
            if count % BLOCK == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    name = target.split(" ", 1)[0]
    print(f"  {name}: {count:,} rows in {time.perf_counter() - started:.1f} s", flush=True)


def child(what: str, number: int) -> None:
    """Run in a fresh process: the export job, or only the database read; print figures."""
    import psutil

    from quiz import create_app

    app = create_app()
    with app.app_context():
        baseline_mb = psutil.Process().memory_info().rss / 2**20
        started = time.perf_counter()
        if what == "export":
            from quiz.extensions import db
            from quiz.models import ExportFile
            from quiz.reports.export_jobs import export_path, make_export

            rows = make_export(number)
            export = db.session.get(ExportFile, number)
            assert export.status == "ready", export.error
            size = export_path(export).stat().st_size
        else:
            from quiz.reports import exports

            rows, size = _read_only(exports, number), 0
        seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "peak_mb": peak_kb / 1024,
                "baseline_mb": baseline_mb,
                "bytes": size,
            }
        )
    )


def _read_only(exports, round_id: int) -> int:
    """The attempts export's query and per-row conversions, without any Excel."""
    count = 0
    for row in exports.attempt_rows(round_id):
        exports.text(row[2]), exports.text(row[4])
        exports.excel_time(row[12]), exports.excel_time(row[13])
        count += 1
    return count


def run_child(env: dict, what: str, number: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", what, str(number)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument(
        "--small", type=int, default=100_000, help="a second round, to show memory does not grow"
    )
    parser.add_argument("--per-entrant", type=int, default=4)
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("WHAT", "ID"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    stack = Stack(DATABASE)
    try:
        stack.prepare()
        env = dict(stack.env, QUIZ_INSTANCE_PATH=str(INSTANCE))
        os.environ.update(env)
        print(f"seeding {args.attempts:,} + {args.small:,} scored attempts…", flush=True)
        started = time.perf_counter()
        (big_round, big_export), (_, small_export) = seed(
            [args.attempts, args.small], args.per_entrant
        )
        seeded = time.perf_counter() - started
        print(f"seeded in {seeded:.0f} s; exporting…", flush=True)
        small = run_child(env, "export", small_export)
        big = run_child(env, "export", big_export)
        read = run_child(env, "read", big_round)
    finally:
        stack.stop()
        shutil.rmtree(INSTANCE, ignore_errors=True)  # the files: 0.1 GB of fake names
    for result in (small, big):
        print(
            f"{result['rows']:,} rows: {result['seconds']:.1f} s, peak {result['peak_mb']:.0f} MB "
            f"(app loaded: {result['baseline_mb']:.0f} MB), file {result['bytes'] / 1e6:.0f} MB"
        )
    print(f"database read alone: {read['seconds']:.1f} s, {read['peak_mb']:.0f} MB")
    if not args.no_report:
        write_section("exports", report(args, seeded, small, big, read))


def report(args, seeded: float, small: dict, big: dict, read: dict) -> str:
    def row(result: dict, goals: bool) -> str:
        fast = (" ✓" if result["seconds"] < 60 else " ✗") if goals else ""
        lean = (" ✓" if result["peak_mb"] < 300 else " ✗") if goals else ""
        return (
            f"| {result['rows']:,} | {result['bytes'] / 1e6:.0f} MB | "
            f"**{result['seconds']:.1f} s**{fast} | **{result['peak_mb']:.0f} MB**{lean} | "
            f"{result['baseline_mb']:.0f} MB |"
        )

    return "\n".join(
        [
            "## Excel export of 1,000,000 results",
            "",
            "Command: `.venv/bin/python bench/export_bench.py` (PostgreSQL, a fresh database "
            f"seeded by COPY in {seeded:.0f} s: two rounds of {args.attempts:,} and "
            f"{args.small:,} scored attempts, {args.per_entrant} per entrant). Each export of "
            "all scored attempts of a round (`attempts`) runs the job's function "
            "`make_export` in a process of its own, so the peak resident memory (ru_maxrss) "
            "is the export's: Python, the app and its imports included.",
            "",
            "| rows | file | time (goal < 60 s) | peak memory (goal < 300 MB) | app loaded |",
            "|---:|---:|---:|---:|---:|",
            row(small, goals=False),
            row(big, goals=True),
            "",
            f"Reading the same {big['rows']:,} rows from the database with the same per-row "
            f"conversions, without writing Excel: {read['seconds']:.1f} s. Rows come from a "
            "server-side cursor 5,000 at a time (`yield_per`) into a write-only openpyxl "
            "workbook whose data rows are serialised as XML text (openpyxl's own cell-by-cell "
            "path runs at about 4,500 rows/s here, close to four minutes for a million rows). "
            "The rest of the time is building each row's XML and compressing the sheet into "
            "the .xlsx (zlib level 3: half the time of openpyxl's default level 6, for a file "
            "about 15% larger). While it runs, the uncompressed sheet sits in the temporary "
            "directory: about 0.7 GB per million rows.",
        ]
    )


if __name__ == "__main__":
    main()
