"""Survey saves and submits against the framework ceiling, measured as bench/hotpath.py does.

    .venv/bin/python bench/survey_hotpath.py     # writes its section of BENCHMARKS.md

One run, one machine, the same gunicorn settings for every server, so the
figures compare as ratios. Each endpoint is measured `--runs` times,
interleaved with the ceiling, and the median is reported. The survey is
bench/surveys.py's 30 questions, on an open link, anonymous: a save is one
question as static/survey.js sends it (fetch, one field); a submit is the
whole form, all 30 questions answered or only the first 10, once per
respondent (a second would be refused).
Respondents are devices with signed tokens, as the survey page issues them.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.hotpath import goal_cell  # noqa: E402
from bench.report import write_section  # noqa: E402
from bench.seeding import Sessions  # noqa: E402
from bench.stack import GUNICORN, OUT, Stack, WrkResult, ensure_wrk, run_wrk  # noqa: E402
from bench.surveys import make_survey, question_specs  # noqa: E402

WARM_SAVES = 4
GOALS = {"save": 0.6, "submit": 0.6, "submit10": 0.6}
NAMES = {
    "ceiling": "minimal Flask POST (ceiling)",
    "save": "survey save (one question, fetch)",
    "submit": "survey submit (all 30 questions answered)",
    "submit10": "survey submit (its first 10 questions answered)",
}
# The same requests sent to the ceiling app (bench/ceiling_app.py answers any path):
# what gunicorn, the framework and wrk cost for a request of that size alone.
SAME = {name: f"{name}@ceiling" for name in ("save", "submit", "submit10")}
# The same submits sent to the floor app (bench/floor_app.py): read the body, make the
# product's one Redis call, check nothing. What is left above it is the product's checks.
FLOOR = {name: f"{name}@floor" for name in ("submit", "submit10")}
ORDER = (
    "ceiling",
    *(m for name in SAME for m in (SAME[name], *([FLOOR[name]] if name in FLOOR else []), name)),
)


def _answer(rng: random.Random, question: dict) -> list[tuple[str, str]]:
    """One question's form fields, as the survey page posts them."""
    name, kind = f"q{question['id']}", question["kind"]
    if kind in ("single", "scale"):
        return [(name, str(rng.choice(question["choices"])))]
    if kind == "multiple":
        return [(name, str(o)) for o in rng.sample(question["choices"], 2)]
    if kind == "grid":
        points = question["choices"]
        return [(f"{name}_r{row}", str(rng.choice(points))) for row in question["rows"]]
    if kind == "number":
        return [(name, str(rng.randint(0, 80)))]
    if kind == "date":
        return [(name, f"{rng.randint(1, 28)}/11/2026")]
    return [(name, rng.choice(["Mạng chậm", "Cần thêm bài giảng", "Tốt"]))]


def seed(people: int) -> dict:
    """The survey and `people` respondents (cookie, CSRF token, signed token)."""
    from quiz import create_app
    from quiz.demo import seed_units
    from quiz.extensions import db
    from quiz.surveys.tokens import RespondentSigner, RespondentToken

    app = create_app()
    with app.app_context():
        province = seed_units()
        survey = make_survey(province.id)
        questions = question_specs(survey)
        db.session.commit()
        signer = RespondentSigner(app.config["SECRET_KEY"])
        sessions = Sessions(app)
        respondents = []
        for n in range(people):
            token = RespondentToken(survey.id, f"device:bench{n:08d}", 1, province.id)
            cookie, csrf = sessions.signed(0)
            respondents.append((cookie, csrf, signer.sign(token)))
        return {"questions": questions, "people": respondents}


def write_requests(seeded: dict, n_save: int, runs: int) -> dict[str, list[Path]]:
    rng = random.Random(5)
    questions, people = seeded["questions"], seeded["people"]
    ceiling = OUT / "ceiling.txt"
    ceiling.write_text("POST\t/submit\t\t\t\n")
    files: dict[str, list[Path]] = {"ceiling": [ceiling] * runs, "save": [], "submit": []}
    files["submit10"] = []
    files["prepare"] = []
    save = OUT / "survey-save.txt"
    with save.open("w") as out:
        for cookie, csrf, token in people[:n_save]:
            for question in questions:
                body = urlencode(_answer(rng, question))
                out.write(f"POST\t/s/t/{token}/save\t{cookie}\t{csrf}\t{body}\n")
    files["save"] = [save] * runs
    submitters = people[n_save:]
    for k in range(runs):
        for name, answered in (("submit", questions), ("submit10", questions[:10])):
            path = OUT / f"survey-{name}-{k}.txt"
            with path.open("w") as out:
                for cookie, csrf, token in submitters[k::runs][name == "submit10" :: 2]:
                    body = urlencode([pair for q in answered for pair in _answer(rng, q)])
                    out.write(f"POST\t/s/t/{token}/submit\t{cookie}\t{csrf}\t{body}\n")
            files[name].append(path)
        # Before submitting, respondents answer: their saves reach the server
        # processes first (untimed), as in a real response and in bench/hotpath.py.
        # Last to save, first to submit: a real submit follows its respondent's own
        # saves, not 40,000 other people's (a process keeps 20,000 verified sessions,
        # quiz/sessions.py; in saving order the first submitters' had been dropped).
        path = OUT / f"survey-prepare-{k}.txt"
        with path.open("w") as out:
            for cookie, csrf, token in reversed(submitters[k::runs]):
                for question in questions[:WARM_SAVES]:
                    body = urlencode(_answer(rng, question))
                    out.write(f"POST\t/s/t/{token}/save\t{cookie}\t{csrf}\t{body}\n")
        files["prepare"].append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--submitters", type=int, default=40_000, help="per run, both kinds")
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    ensure_wrk()
    stack = Stack("quiz_bench_survey_hotpath")
    n_save = 2_000
    try:
        stack.prepare()
        os.environ.update(stack.env)
        print("seeding…", flush=True)
        seeded = seed(n_save + args.submitters * args.runs)
        files = write_requests(seeded, n_save, args.runs)
        stack.gunicorn("app:app", 8011, args.workers)
        stack.gunicorn("bench.ceiling_app:app", 8012, args.workers)
        stack.gunicorn("bench.floor_app:app", 8013, args.workers)
        urls = {"ceiling": "http://127.0.0.1:8012", "save": "http://127.0.0.1:8011"}
        urls["submit"] = urls["submit10"] = urls["save"]
        scripts = {"ceiling": "cycle.lua", "save": "fetch.lua"}
        scripts["submit"] = scripts["submit10"] = "cycle.lua"
        for name, same in SAME.items():
            urls[same], scripts[same], files[same] = urls["ceiling"], scripts[name], files[name]
        for name, floor in FLOOR.items():
            urls[floor], scripts[floor] = "http://127.0.0.1:8013", "cycle.lua"
            files[floor] = files[name]
        # Warm-up: each server process loads the survey into its cache through the view.
        run_wrk(urls["ceiling"], files["ceiling"][0], 2)
        run_wrk(urls["save"], files["save"][0], 2, script="fetch.lua")
        results: dict[str, list[WrkResult]] = {name: [] for name in urls}
        for k in range(args.runs):
            lines = sum(1 for _ in files["prepare"][k].open())
            run_wrk(urls["save"], files["prepare"][k], max(2, lines // 2500), script="fetch.lua")
            for name in ORDER:
                result = run_wrk(urls[name], files[name][k], args.seconds, script=scripts[name])
                results[name].append(result)
                print(
                    f"run {k + 1} {name:8s} {result.requests_per_second:8.0f} req/s  "
                    f"p99 {result.p99_ms:6.1f} ms  errors {result.errors}",
                    flush=True,
                )
        time.sleep(1)
    finally:
        stack.stop()
    summary = {
        name: {
            "rps": statistics.median(r.requests_per_second for r in runs),
            "p99": statistics.median(r.p99_ms for r in runs),
            "errors": sum(r.errors for r in runs),
            "total": sum(r.total for r in runs),
        }
        for name, runs in results.items()
    }
    if not args.no_report:
        write_section("survey-hotpath", render(summary, args))


def render(summary: dict, args) -> str:
    ceiling = summary["ceiling"]["rps"]
    gunicorn = GUNICORN.replace("--workers 2", f"--workers {args.workers}")
    lines = [
        "## Survey hot path: saves and submits against the framework ceiling",
        "",
        f"Command: `.venv/bin/python bench/survey_hotpath.py` ({args.runs} interleaved runs of "
        f"{args.seconds} s per endpoint, median shown). Server: gunicorn `{gunicorn}`, "
        "PostgreSQL, Redis with `appendonly yes`, `appendfsync everysec`; load: `wrk -t1 -c64` "
        "on the same two cores. The survey: 30 questions of every kind, an open link, "
        "anonymous; each submitter submits once (a refused second submit would count as an "
        f"error below), having first sent {WARM_SAVES} saves, untimed, as a respondent answering "
        "does (so the server processes have verified their session and token, as "
        "bench/hotpath.py does for contest submits).",
        "",
        "| endpoint | requests/s | × ceiling | goal | the same request to the ceiling app: "
        "requests/s | × that | goal | p99 (ms) | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in NAMES:
        row = summary[name]
        ratio = row["rps"] / ceiling
        same = summary[SAME[name]]["rps"] if name in SAME else None
        cells = ["", "", ""]
        if same:
            same_ratio = row["rps"] / same
            cells = [f"{same:,.0f}", f"{same_ratio:.2f}", goal_cell(GOALS, name, same_ratio)]
        lines.append(
            f"| {NAMES[name]} | {row['rps']:,.0f} | {ratio:.2f} | {goal_cell(GOALS, name, ratio)} "
            f"| {' | '.join(cells)} | {row['p99']:.1f} | {row['errors']} |"
        )
    lines += ["", *render_floor(summary)]
    lines += [
        "",
        "Both are answered by the WSGI fast path (`quiz/surveys/fastpath.py`) with one Lua "
        "call and no database: a save keeps the field in the respondent's draft hash, a "
        "submit counts the respondent once and queues the response on the survey's stream "
        "for the drain worker.",
        "",
        'Two ceilings. "× ceiling" divides by the bare ceiling that every hot-path figure in '
        'this file uses: a POST without a cookie or a body. "The same request to the ceiling '
        "app\" sends that endpoint's own requests (its cookie, headers and form body: about "
        "1.3 KB for 30 answers) to the ceiling app, which ignores them, so the ratio beside it "
        "counts only the product's own work: what gunicorn and wrk spend to carry a request that "
        "size is paid by both sides of the division.",
    ]
    return "\n".join(lines)


def render_floor(summary: dict) -> list[str]:
    ceiling = summary["ceiling"]["rps"]
    lines = [
        "The floor: the same submits sent to `bench/floor_app.py`, which reads the body, makes "
        "the product's one Redis call (the same Lua script, the body as the response) and "
        "answers 303, checking nothing. Above the floor is what the product's checks cost "
        "(session, CSRF token, signed token, every answer parsed and checked, conditions and "
        "required questions, packing).",
        "",
        "| endpoint | floor: requests/s | floor × ceiling | product × floor |",
        "|---|---:|---:|---:|",
    ]
    for name, floor in FLOOR.items():
        rps = summary[floor]["rps"]
        lines.append(
            f"| {NAMES[name]} | {rps:,.0f} | {rps / ceiling:.2f} "
            f"| {summary[name]['rps'] / rps:.2f} |"
        )
    return lines


if __name__ == "__main__":
    main()
