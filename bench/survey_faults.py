"""Redis faults under load for surveys: killed while respondents submit and workers drain.

    .venv/bin/python bench/survey_faults.py      # writes its section of BENCHMARKS.md

The stack of bench/faults.py (PostgreSQL, Redis with its append-only file,
threaded gunicorn, two RQ workers and the scheduler, nothing restarted by
hand but Redis) and bench/surveys.py's 30 questions on a public link, one
response per device. Respondents (threads) open the link on their own
device, take a few seconds to answer, send every answer and follow to the
end page; they wait out a 503 and send again, as a person would. Redis is
killed with SIGKILL in the middle of each wave: restarted from its
append-only file, then restarted empty.

Once the workers have written every queued response, each respondent opens
the link again, as someone unsure would: the page either sends them to the
end page (their response is counted) or shows the form again, with the
notice of a server fault when Redis lost responses, and they answer again.

Counted from what respondents were shown and what the database holds.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fault_waves import add_fault_options, run_waves  # noqa: E402
from bench.faults import Browser, Played  # noqa: E402
from bench.report import write_section  # noqa: E402
from bench.stack import Stack, run_python  # noqa: E402
from bench.survey_hotpath import _answer  # noqa: E402

SUBMIT = re.compile(r'action="/s/t/([^"/]+)/submit"')
NOTICE = '<p class="note" role="status">'  # the fault notice above the form


@dataclass
class Visit:
    """What one respondent was shown."""

    device: str
    browser: Browser
    done: bool = False  # the end page after sending, at the first visit
    again: str = ""  # the second visit: "counted", "form", or "form+notice"
    done_again: bool = False  # answered again at the second visit


def send(browser: Browser, slug: str, questions: list, rng: random.Random) -> tuple[bool, bool]:
    """Open the link and, if the form is shown, send every answer: (the form was shown, it
    carried the fault notice). Raises when sending does not end on the end page."""
    status, _headers, page = browser.call("GET", f"/s/{slug}")
    if status == 303:
        return False, False
    token = SUBMIT.search(page).group(1)
    form = [pair for q in questions for pair in _answer(rng, q)]
    form.append(("csrf_token", browser.csrf))
    status, headers, _ = browser.call("POST", f"/s/t/{token}/submit", form)
    if status != 303 or not headers["Location"].endswith(f"/s/{slug}/done"):
        raise RuntimeError(f"submit answered {status}")
    return True, NOTICE in page


def in_threads(visits: list[Visit], work, window: float) -> None:
    def run(visit: Visit) -> None:
        time.sleep(random.uniform(0, window))
        work(visit)

    threads = [threading.Thread(target=run, args=(v,), daemon=True) for v in visits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(900)


def database_view(env: dict, slug: str) -> dict:
    code = f"""
import json
from sqlalchemy import func, select
from quiz import create_app
from quiz.extensions import db
from quiz.models import Survey, SurveyRespondent, SurveyResponse
app = create_app()
with app.app_context():
    survey = db.session.scalar(select(Survey).where(Survey.slug == {slug!r}))
    keys = db.session.scalars(select(SurveyRespondent.key).where(SurveyRespondent.survey_id == survey.id)).all()
    responses = db.session.scalar(select(func.count()).select_from(SurveyResponse).where(SurveyResponse.survey_id == survey.id))
    print(json.dumps({{"keys": keys, "responses": responses}}))
"""  # noqa: E501
    return json.loads(run_python(env, code).strip().splitlines()[-1])


def wait_for_drain(url: str, survey_id: int) -> None:
    from quiz.scoring import keys

    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 300
    # The drain deletes a batch from the stream after its commit: an empty stream is written.
    while client.xlen(keys.survey_responses(survey_id)) and time.monotonic() < deadline:
        time.sleep(0.5)


def run_wave(stack, port, people, seeded, args, fault) -> dict:
    from quiz.surveys.respondents import device_key

    slug, questions = seeded["slug"], seeded["questions"]
    visits = []
    for cookie, csrf in people:
        device = secrets.token_hex(16)
        browser = Browser(port, cookie, csrf, Played(0))
        browser.headers["Cookie"] += f"; qd={device}"  # the device cookie the page would set
        visits.append(Visit(device, browser))

    def first(visit: Visit) -> None:
        time.sleep(random.uniform(1, 4))  # reading and answering
        visit.done = send(visit.browser, slug, questions, random.Random(visit.device))[0]

    def second(visit: Visit) -> None:
        shown, notice = send(visit.browser, slug, questions, random.Random(visit.device + "2"))
        visit.again = ("form+notice" if notice else "form") if shown else "counted"
        visit.done_again = shown

    url = stack.env["REDIS_URL"]
    thread = threading.Thread(target=in_threads, args=(visits, first, args.window))
    thread.start()
    time.sleep(args.fault_at)
    stack.kill_redis(url)
    time.sleep(args.down)
    stack.restart_redis(url, empty=fault == "empty")
    back = time.monotonic()
    thread.join()
    finished = time.monotonic() - back
    wait_for_drain(url, seeded["id"])
    before = database_view(stack.env, slug)
    in_threads(visits, second, 2.0)
    wait_for_drain(url, seeded["id"])
    after = database_view(stack.env, slug)
    survey = SimpleNamespace(salt=seeded["salt"])
    base = {v.device: device_key(survey, v.device) for v in visits}
    counted_before = {k.partition("#")[0] for k in before["keys"]}
    rows_after = [k.partition("#")[0] for k in after["keys"]]
    lost = [v for v in visits if v.done and base[v.device] not in counted_before]
    mine = set(base.values())
    return {
        "respondents": len(visits),
        "done": sum(v.done for v in visits),
        "written": sum(1 for v in visits if base[v.device] in counted_before),
        "lost": len(lost),
        "lost_told": sum(v.again == "form+notice" for v in lost),
        "form_again_counted": sum(
            1 for v in visits if base[v.device] in counted_before and v.again != "counted"
        ),
        "answered_again": sum(v.done_again for v in visits),
        "final_one_each": sum(1 for v in visits if rows_after.count(base[v.device]) == 1),
        "second_rows": sum(1 for k in after["keys"] if "#" in k and k.partition("#")[0] in mine),
        "responses_minus_respondents": after["responses"] - len(after["keys"]),
        "unavailable": sum(v.browser.played.unavailable for v in visits),
        "seconds_after_restart": finished,
    }


def seed(people: int) -> dict:
    """The survey (public link, one response per device, not anonymous: its responses are
    written as they come, not held back in groups) and `people` sessions."""
    from bench.seeding import Sessions
    from bench.surveys import make_survey, question_specs
    from quiz import create_app
    from quiz.demo import seed_units
    from quiz.extensions import db

    app = create_app()
    with app.app_context():
        survey = make_survey(seed_units().id)
        survey.anonymous = False
        questions = question_specs(survey)
        db.session.commit()
        sessions = Sessions(app)
        return {
            "id": survey.id,
            "salt": survey.salt,
            "slug": survey.slug,
            "questions": questions,
            "people": [sessions.signed(0) for _ in range(people)],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=300, help="per wave")
    parser.add_argument("--window", type=float, default=10.0, help="seconds to open the link")
    add_fault_options(parser, fault_at=6.0)
    args = parser.parse_args()
    seeded: dict = {}

    def seed_people(waves: int) -> list:
        seeded.update(seed(waves * args.respondents))
        return seeded["people"]

    run_waves(
        Stack("quiz_bench_survey_faults"),
        args,
        ["kill", "empty"],
        seed_people,
        lambda stack, port, group, name: run_wave(stack, port, group, seeded, args, name),
        lambda waves, alive: write_section("survey-faults", render(waves, alive, args)),
    )


ROWS = (
    ("respondents", "respondents"),
    ("end pages shown after sending", "done"),
    ("… of which written to the database", "written"),
    ("… lost (end page shown, response not written)", "lost"),
    ("… of those, shown the form again with the fault notice", "lost_told"),
    ("counted respondents shown the form again at a second visit", "form_again_counted"),
    ("respondents who answered at the second visit", "answered_again"),
    ("devices with exactly one response at the end", "final_one_each"),
    ("second responses accepted from one device", "second_rows"),
    ("responses written twice (responses − respondents)", "responses_minus_respondents"),
    ("503 answers during the outage, retried", "unavailable"),
)


def render(waves: dict, alive: bool, args) -> str:
    lines = [
        "## Survey responses under Redis faults",
        "",
        f"Command: `.venv/bin/python bench/survey_faults.py` ({args.respondents} respondents "
        f"per wave opening the public link within {args.window:.0f} s, each sending all 30 "
        f"answers a few seconds later; Redis killed with SIGKILL {args.fault_at:.0f} s into "
        f"the wave and down for {args.down:.0f} s; {args.workers} RQ workers and the "
        "scheduler, never restarted by hand; then every respondent opens the link again). "
        "PostgreSQL, Redis with `appendonly yes`, `appendfsync everysec`, gunicorn "
        "(threaded). One response per device; the survey is not anonymous, so its responses "
        "are written as they come instead of in held-back groups. A test of correctness, "
        "not of speed.",
        "",
        "| | kill -9, restart from the append-only file | kill -9, restart empty |",
        "|---|---:|---:|",
    ]
    kill, empty = waves["kill"], waves["empty"]
    for label, key in ROWS:
        lines.append(f"| {label} | {kill[key]:,} | {empty[key]:,} |")
    lines += [
        f"| seconds from restart to every first visit done | "
        f"{kill['seconds_after_restart']:.0f} | {empty['seconds_after_restart']:.0f} |",
        "",
        f"Workers and scheduler still running at the end: {'yes' if alive else 'no'}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
