"""Survey results at scale: 100,000 responses of 30 questions counted per unit and exported.

    .venv/bin/python bench/surveys.py            # writes its section of BENCHMARKS.md

A fresh PostgreSQL database (migrations, as in production) gets the demo
units and one survey of 30 questions (10 single choice, 5 multiple choice
with "other", 5 scales, 3 grids of 3 rows, 3 numbers, 2 short and 1 long
text, 1 date), then the responses and their answers by COPY, spread over
every commune. Each measured step runs in a process of its own, the way a
worker runs it, so its peak resident memory (ru_maxrss) is its own, the
app and its imports included:

- counting: the results job `compute_survey_results` (every unit, every
  question), then one demographic filter and one cross-tab;
- exporting: the export job `make_export` of the Excel file (responses and
  codebook), then of the CSV.

Goals (issue 11): counted per unit in < 10 s; the Excel export in < 30 s
and < 300 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from bench.stack import OUT, ROOT, Stack  # noqa: E402

DATABASE = "quiz_bench_surveys"
INSTANCE = OUT / "survey-instance"
BLOCK = 50_000  # rows per COPY write
# (kind, how many, options or points, rows of a grid)
PLAN = [
    ("single", 10, 4, 0),
    ("multiple", 5, 5, 0),
    ("scale", 5, 5, 0),
    ("grid", 3, 3, 3),
    ("number", 3, 0, 0),
    ("short_text", 2, 0, 0),
    ("long_text", 1, 0, 0),
    ("date", 1, 0, 0),
]
TEXTS = ["Cần thêm bài giảng", "Mạng chậm", "Tốt", "Không có ý kiến", "Giáo viên nhiệt tình"]
GENDERS = ["male", "female"]
BANDS = ["<18", "18-29", "30-44", "45-59", "60+"]
JOBS = ["official", "student", "farmer", "worker", "business", "retired", "other"]


def question_specs(survey) -> list[dict]:
    """What a respondent needs to answer each question (bench/survey_hotpath.py `_answer`)."""
    return [
        {
            "id": q.id,
            "kind": q.kind,
            "choices": [o.id for o in q.options if o.role != "row"],
            "rows": [o.id for o in q.options if o.role == "row"],
        }
        for q in survey.questions
    ]


def make_survey(owner_id: int):
    """The 30 questions, in two sections; returned with their options by role."""
    from quiz.extensions import db
    from quiz.models import Survey, SurveyOption, SurveyQuestion, SurveySection

    now = dt.datetime.now(dt.UTC)
    survey = Survey(
        unit_id=owner_id, slug="khao-sat-do-tai", title="Khảo sát đo tải",
        opens_at=now - dt.timedelta(days=30), closes_at=now + dt.timedelta(days=30),
        salt="muoi-do-tai",
    )  # fmt: skip
    db.session.add(survey)
    db.session.flush()
    sections = [SurveySection(survey_id=survey.id, position=n, title=f"Phần {n}") for n in (1, 2)]
    db.session.add_all(sections)
    db.session.flush()
    position = 0
    for kind, count, points, rows in PLAN:
        for _ in range(count):
            position += 1
            question = SurveyQuestion(
                survey_id=survey.id, section_id=sections[position > 15].id, position=position,
                code=f"Q{position}", kind=kind, text=f"Câu hỏi {position} ({kind})",
                allow_other=kind == "multiple", max_choices=3 if kind == "multiple" else None,
            )  # fmt: skip
            role = "point" if kind in ("scale", "grid") else "option"
            for n in range(1, points + 1):
                question.options.append(
                    SurveyOption(position=n, value=str(n), label=f"Mức {n}", role=role)
                )
            for n in range(1, rows + 1):
                question.options.append(
                    SurveyOption(position=10 + n, value=chr(96 + n), label=f"Mặt {n}", role="row")
                )
            db.session.add(question)
    db.session.flush()
    return survey


def _answer_lines(questions, response_id: int, rng: random.Random, next_id):
    """One response's answer rows (COPY text): every question answered."""
    for q, choices, rows in questions:
        if q.kind in ("single", "scale"):
            yield f"{next_id()}\t{response_id}\t{q.id}\t\\N\t{rng.choice(choices)}\t\\N\t\\N\t\\N\n"
        elif q.kind == "multiple":
            for option in rng.sample(choices, 2):
                yield f"{next_id()}\t{response_id}\t{q.id}\t\\N\t{option}\t\\N\t\\N\t\\N\n"
            if rng.random() < 0.1:
                yield f"{next_id()}\t{response_id}\t{q.id}\t\\N\t\\N\t\\N\tMáy tính bảng\t\\N\n"
        elif q.kind == "grid":
            for row in rows:
                option = rng.choice(choices)
                yield f"{next_id()}\t{response_id}\t{q.id}\t{row}\t{option}\t\\N\t\\N\t\\N\n"
        elif q.kind == "number":
            yield f"{next_id()}\t{response_id}\t{q.id}\t\\N\t\\N\t{rng.randint(0, 80)}\t\\N\t\\N\n"
        elif q.kind == "date":
            day = f"2026-11-{rng.randint(1, 30):02d}"
            yield f"{next_id()}\t{response_id}\t{q.id}\t\\N\t\\N\t\\N\t\\N\t{day}\n"
        else:
            yield f"{next_id()}\t{response_id}\t{q.id}\t\\N\t\\N\t\\N\t{rng.choice(TEXTS)}\t\\N\n"


def seed(responses: int) -> dict:
    """The survey, its responses and answers; the ids the children need."""
    import psycopg
    from sqlalchemy import select

    from quiz import create_app
    from quiz.demo import seed_units
    from quiz.extensions import db
    from quiz.models import Unit
    from quiz.reports.export_jobs import create_export

    app = create_app()
    with app.app_context():
        province = seed_units()
        survey = make_survey(province.id)
        questions = [
            (
                SimpleNamespace(id=q.id, kind=q.kind),
                [o.id for o in q.options if o.role != "row"],
                [o.id for o in q.options if o.role == "row"],
            )
            for q in survey.questions
        ]
        units = list(db.session.scalars(select(Unit.id).where(Unit.depth == 2)))
        exports = {
            kind: create_export(kind, {"survey_id": survey.id}, None, province.id).id
            for kind in ("survey_responses", "survey_csv")
        }
        first_q = next(q.id for q, _, _ in questions if q.kind == "single")
        second_q = next(q.id for q, _, _ in questions if q.kind == "scale")
        db.session.commit()
        ids = {"survey": survey.id, "exports": exports, "pair": [first_q, second_q]}
        url = app.config["SQLALCHEMY_DATABASE_URI"]
    rng = random.Random(11)
    counter = iter(range(1, 10**9))
    with psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        order = list(range(1, responses + 1))
        rng.shuffle(order)  # as the drain writes anonymous responses: ids in no order
        _copy(
            conn,
            "survey_responses (id, survey_id, unit_id, submitted_on, age_band, gender, "
            "occupation, flagged)",
            (
                f"{r}\t{ids['survey']}\t{units[r % len(units)]}\t2026-11-{1 + r % 28:02d}\t"
                f"{BANDS[r % 5]}\t{GENDERS[r % 2]}\t{JOBS[r % 7]}\tf\n"
                for r in order
            ),
        )
        _copy(
            conn,
            "survey_answers (id, response_id, question_id, row_option_id, option_id, number, "
            "text, date)",
            (
                line
                for r in range(1, responses + 1)
                for line in _answer_lines(questions, r, rng, lambda: next(counter))
            ),
        )
        for table in ("survey_responses", "survey_answers"):
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            conn.execute(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE survey_responses, survey_answers")
        ids["answers"] = conn.execute("SELECT count(*) FROM survey_answers").fetchone()[0]
    return ids


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


def child(what: str, arg: str) -> None:
    """Run in a fresh process: one counting variant, or one export job; print figures."""
    import psutil

    from quiz import create_app

    app = create_app()
    with app.app_context():
        baseline_mb = psutil.Process().memory_info().rss / 2**20
        started = time.perf_counter()
        size = 0
        if what == "count":
            from quiz.reports.survey_jobs import compute_survey_results

            survey_id, filters, pair = json.loads(arg)
            data = compute_survey_results(survey_id, filters, pair)
            rows = sum(u["responses"] for u in data.get("units", {}).values()) or sum(
                sum(p.values()) for p in data.get("pairs", {}).values()
            )
        else:
            from quiz.extensions import db
            from quiz.models import ExportFile
            from quiz.reports.export_jobs import export_path, make_export

            rows = make_export(int(arg))
            export = db.session.get(ExportFile, int(arg))
            assert export.status == "ready", export.error
            size = export_path(export).stat().st_size
        seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak_kb / 1024,
                      "baseline_mb": baseline_mb, "bytes": size}))  # fmt: skip


def run_child(env: dict, what: str, arg) -> dict:
    text = arg if isinstance(arg, str) else json.dumps(arg)
    out = subprocess.run(
        [sys.executable, __file__, "--child", what, text],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("WHAT", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    stack = Stack(DATABASE)
    try:
        stack.prepare()
        env = dict(stack.env, QUIZ_INSTANCE_PATH=str(INSTANCE))
        os.environ.update(env)
        print(f"seeding {args.responses:,} responses of 30 questions…", flush=True)
        started = time.perf_counter()
        ids = seed(args.responses)
        seeded = time.perf_counter() - started
        print(f"seeded in {seeded:.0f} s; counting and exporting…", flush=True)
        sid = ids["survey"]
        load_before = os.getloadavg()[0]
        results = {
            "all": run_child(env, "count", [sid, {}, None]),
            "filter": run_child(env, "count", [sid, {"gender": "female"}, None]),
            "cross": run_child(env, "count", [sid, {}, ids["pair"]]),
            "xlsx": run_child(env, "export", str(ids["exports"]["survey_responses"])),
            "csv": run_child(env, "export", str(ids["exports"]["survey_csv"])),
        }
        load = (load_before, os.getloadavg()[0])
    finally:
        stack.stop()
        shutil.rmtree(INSTANCE, ignore_errors=True)
    for name, r in results.items():
        print(f"{name}: {r['rows']:,} rows in {r['seconds']:.1f} s, peak {r['peak_mb']:.0f} MB")
    if not args.no_report:
        write_section("surveys", report(args, seeded, ids, {**results, "load": load}))


def report(args, seeded: float, ids: dict, results: dict) -> str:
    def row(label: str, r: dict, goal_s: float | None, goal_mb: float | None) -> str:
        fast = "" if goal_s is None else (" ✓" if r["seconds"] < goal_s else " ✗")
        lean = "" if goal_mb is None else (" ✓" if r["peak_mb"] < goal_mb else " ✗")
        size = f"{r['bytes'] / 1e6:.0f} MB" if r["bytes"] else ""
        return (
            f"| {label} | {size} | **{r['seconds']:.1f} s**{fast} | **{r['peak_mb']:.0f} MB**{lean}"
            f" | {r['baseline_mb']:.0f} MB |"
        )

    return "\n".join(
        [
            f"## Survey results: {args.responses:,} responses of 30 questions",
            "",
            "Command: `.venv/bin/python bench/surveys.py` (PostgreSQL, a fresh database seeded "
            f"by COPY in {seeded:.0f} s: the demo units, one survey of 30 questions of every "
            f"kind, {args.responses:,} responses over every commune, {ids['answers']:,} answer "
            "rows). Each step runs the worker's own function (`compute_survey_results`, "
            "`make_export`) in a process of its own, so the peak resident memory (ru_maxrss) "
            "is the step's: Python, the app and its imports included.",
            "",
            "| step | file | time | peak memory | app loaded |",
            "|---|---:|---:|---:|---:|",
            row("counted per unit, every question (goal < 10 s)", results["all"], 10, None),
            row("the same, one filter (gender)", results["filter"], None, None),
            row("a cross-tab of two questions, per unit", results["cross"], None, None),
            row("Excel export with codebook (goals < 30 s, < 300 MB)", results["xlsx"], 30, 300),
            row("CSV export", results["csv"], None, None),
            "",
            "Counting is two grouped passes over the answers in the database (every answer "
            "row by unit, question, row and option, with the numbers' sums; then the distinct "
            "respondents of the several-answer questions): Python receives a few rows per "
            "unit and option, and the results page sums the units of the subtree it shows. "
            "The exports read responses 5,000 at a time by id and their answers by the same "
            "id range as the driver's plain rows (a chosen option is three integers, placed "
            "by one lookup), into the streamed writer the contest exports use.",
            "",
            f"Load average while measuring: {results['load'][0]:.1f} at the start, "
            f"{results['load'][1]:.1f} at the end (a load above 2 means the two cores were "
            "shared with other work).",
        ]
    )


if __name__ == "__main__":
    main()
