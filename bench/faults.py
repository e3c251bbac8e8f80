"""Redis faults under load: killed while workers score, then back without its data.

    .venv/bin/python bench/faults.py            # writes its section of BENCHMARKS.md

A production-like stack on loopback: PostgreSQL (a database of its own), the
main Redis with the production settings (append-only file, fsync every
second), a threaded gunicorn, two RQ workers (`quiz.worker.AppWorker`) and
the scheduler (`python -m quiz.scoring.scheduler`). Nothing is restarted by
hand but Redis.

Entrants (threads, the standard library's HTTP client) start, answer every
question a moment apart, submit, and watch their result page until it shows
a score; they retry what gets 503 after its Retry-After, as the pages do,
and start again when a page tells them their attempt was lost. Two waves,
one fault each, in the middle of the wave:

1. `kill -9` of Redis while workers score and entrants submit, restarted
   seconds later from its append-only file;
2. `kill -9` of Redis, restarted empty (its disk lost).

Counted per wave, from what the entrants were shown and what the database
holds: receipts given, scores, submissions scored twice, attempt ids handed
to two entrants, wrong results (a result page whose score is not the one
the database holds for that entrant's attempt), attempts reported lost, the
alarm, and whether every worker and the scheduler are still running.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fault_waves import add_fault_options, run_waves  # noqa: E402
from bench.report import write_section  # noqa: E402
from bench.seeding import Sessions, demo_round, insert_entrants  # noqa: E402
from bench.stack import Stack, run_python  # noqa: E402

SLUG = "tim-hieu-nghi-quyet"
TOKEN = re.compile(r"/a/([^/?]+)")
CODE = re.compile(r'class="code">([A-Z0-9-]+)<')
SCORE = re.compile(r"Đúng (\d+)/(\d+) câu")


@dataclass
class Played:
    """What one entrant was shown."""

    entrant_id: int
    tokens: list = field(default_factory=list)  # every attempt handed to it, in order
    receipts: dict = field(default_factory=dict)  # token → receipt code shown
    shown: dict = field(default_factory=dict)  # token → (correct, total) on its result page
    lost: set = field(default_factory=set)  # tokens a page said were lost
    unavailable: int = 0  # 503 answers, retried


def attempt_of(token: str) -> int:
    return int(token.split(".")[0], 36)


class Browser:
    """One entrant's connection: keep-alive, cookies and CSRF as the pages send them."""

    def __init__(self, port: int, cookie: str, csrf: str, played: Played) -> None:
        self.port = port
        self.headers = {"Cookie": f"quiz_session={cookie}", "X-CSRFToken": csrf}
        self.csrf = csrf
        self.played = played
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, form: dict | None = None):
        """(status, headers, body); a 503 is waited out and sent again, as the pages do."""
        body = urlencode(form or {}) if method == "POST" else None
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for _ in range(120):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                time.sleep(0.5)
                continue
            if response.status != 503:
                return response.status, response.headers, data.decode()
            self.played.unavailable += 1
            time.sleep(float(response.headers.get("Retry-After", "1")) * random.uniform(0.2, 0.6))
        raise RuntimeError(f"{method} {path}: still unavailable")


def play(browser: Browser, questions: int, pace: float) -> None:
    """Start, answer, submit, watch the result; start again when told the attempt was lost."""
    played = browser.played
    for _ in range(4):
        form = {"csrf_token": browser.csrf}
        status, headers, _ = browser.call("POST", f"/c/{SLUG}/r/1/start", form)
        if status != 303:
            return
        token = TOKEN.search(headers["Location"]).group(1)
        played.tokens.append(token)
        if _answer_and_submit(browser, token, questions, pace) and _watch(browser, token):
            return


def _answer_and_submit(browser: Browser, token: str, questions: int, pace: float) -> bool:
    played = browser.played
    for position in range(questions):
        time.sleep(pace * random.uniform(0.5, 1.5))
        status, _, body = browser.call("POST", f"/a/{token}/save", {"q": position, "c": "0"})
        if status == 410:
            played.lost.add(token)
            return False
    status, headers, _ = browser.call("POST", f"/a/{token}/submit", {"csrf_token": browser.csrf})
    if status == 410:
        played.lost.add(token)
        return False
    return status == 303


def _watch(browser: Browser, token: str) -> bool:
    """Poll the result page as it reloads itself; False if the attempt turned out lost."""
    played = browser.played
    for _ in range(600):
        status, _, page = browser.call("GET", f"/a/{token}/result")
        if status == 303:  # no receipt any more: the attempt page says what happened
            status, _, page = browser.call("GET", f"/a/{token}")
            if status == 410:
                played.lost.add(token)
                return False
            return _answer_and_submit(browser, token, 0, 0) and _watch(browser, token)
        code = CODE.search(page)
        if code:
            played.receipts[token] = code.group(1)
        score = SCORE.search(page)
        if score:
            played.shown[token] = (int(score.group(1)), int(score.group(2)))
            return True
        time.sleep(1)
    return True


def wave(port: int, people: list, questions: int, pace: float, window: float):
    """The entrants' threads, started; what each was shown fills in as they play."""
    results = []
    threads = []
    for entrant_id, cookie, csrf in people:
        played = Played(entrant_id)
        results.append(played)
        browser = Browser(port, cookie, csrf, played)

        def run(browser=browser, delay=random.uniform(0, window)):
            time.sleep(delay)
            play(browser, questions, pace)

        threads.append(threading.Thread(target=run, daemon=True))
    for thread in threads:
        thread.start()
    return results, threads


def database_view(env: dict, attempt_ids: list[int]) -> dict:
    """What the database holds for these attempts, and the alarm."""
    code = f"""
import json
from sqlalchemy import func, select
from quiz import create_app
from quiz.extensions import db
from quiz.models import Attempt, Score
from quiz.models.redis_state import LostAttempt, RedisLoss
ids = {attempt_ids!r}
app = create_app()
with app.app_context():
    owners = dict(db.session.execute(select(Attempt.id, Attempt.entrant_id).where(Attempt.id.in_(ids))).all())
    scores = {{a: [c, t, e] for a, c, t, e in db.session.execute(select(Score.attempt_id, Score.correct, Score.total, Score.entrant_id).where(Score.attempt_id.in_(ids)))}}
    twice = db.session.scalar(select(func.count()).select_from(select(Score.attempt_id).group_by(Score.attempt_id).having(func.count() > 1).subquery()))
    lost = db.session.scalar(select(func.count()).select_from(LostAttempt))
    losses = [[l.kind, l.unscored_attempts, l.receipts_missing] for l in db.session.scalars(select(RedisLoss))]
    print(json.dumps({{"owners": owners, "scores": scores, "twice": twice, "lost": lost, "losses": losses}}))
"""  # noqa: E501
    return json.loads(run_python(env, code).strip().splitlines()[-1])


def count(results: list[Played], view: dict) -> dict:
    """The wave's figures: shown to entrants, held by the database, and where they disagree."""
    owners = {int(k): v for k, v in view["owners"].items()}
    scores = {int(k): v for k, v in view["scores"].items()}
    handed = Counter(attempt_of(t) for p in results for t in p.tokens)
    wrong = 0
    receipts = scored_receipts = 0
    for p in results:
        for token in p.tokens:
            attempt = attempt_of(token)
            if attempt in owners and owners[attempt] != p.entrant_id:
                wrong += 1  # the token's attempt belongs to someone else
            elif token in p.shown and scores.get(attempt, [None, None])[:2] != list(p.shown[token]):
                wrong += 1  # the page's score is not the database's
        for token in p.receipts:
            receipts += 1
            scored_receipts += attempt_of(token) in scores and token not in p.lost
    return {
        "entrants": len(results),
        "attempts": sum(len(p.tokens) for p in results),
        "receipts": receipts,
        "scored_receipts": scored_receipts,
        "finished": sum(1 for p in results if p.tokens and p.tokens[-1] in p.shown),
        "twice_handed": sum(1 for n in handed.values() if n > 1),
        "scored_twice": view["twice"],
        "wrong": wrong,
        "lost_told": sum(len(p.lost) for p in results),
        "lost_rows": view["lost"],
        "losses": view["losses"],
        "unavailable": sum(p.unavailable for p in results),
    }


def run_wave(stack, port, people, args, fault) -> dict:
    url = stack.env["REDIS_URL"]
    results, threads = wave(port, people, args.questions, args.pace, args.window)
    time.sleep(args.fault_at)
    stack.kill_redis(url)
    time.sleep(args.down)
    stack.restart_redis(url, empty=fault == "empty")
    back = time.monotonic()
    for thread in threads:
        thread.join(900)
    finished = time.monotonic() - back
    tokens = [attempt_of(t) for p in results for t in p.tokens]
    figures = count(results, database_view(stack.env, tokens))
    figures["seconds_after_restart"] = finished
    return figures


def seed(entrants: int, time_limit: int) -> list[tuple[int, str, str]]:
    from datetime import timedelta

    from quiz import create_app
    from quiz.timeutil import utcnow

    app = create_app()
    with app.app_context():
        demo_round(
            time_limit_seconds=time_limit,
            max_attempts=3,
            min_age=None,
            starts_at=utcnow() - timedelta(minutes=1),
        )
        sessions = Sessions(app)
        return [(e, *sessions.signed(e)) for e in insert_entrants(entrants)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entrants", type=int, default=300, help="per wave")
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--pace", type=float, default=0.5, help="seconds between answers")
    parser.add_argument("--window", type=float, default=10.0, help="seconds to start everyone")
    parser.add_argument("--waves", default="kill,empty", help="which faults, in order")
    add_fault_options(parser, fault_at=8.0)
    args = parser.parse_args()
    run_waves(
        Stack("quiz_bench_faults"),
        args,
        args.waves.split(","),
        lambda waves: seed(waves * args.entrants, time_limit=600),
        lambda stack, port, group, name: run_wave(stack, port, group, args, name),
        lambda waves, alive: write_section("faults", render(waves, alive, args)),
    )


def render(waves: dict, alive: bool, args) -> str:
    lines = [
        "## Redis faults under load",
        "",
        f"Command: `.venv/bin/python bench/faults.py` ({args.entrants} entrants per wave starting "
        f"within {args.window:.0f} s, {args.questions} answers {args.pace} s apart, then submit "
        f"and watch the result page; Redis killed with SIGKILL {args.fault_at:.0f} s into the "
        f"wave and down for {args.down:.0f} s; {args.workers} RQ workers and the scheduler, "
        "never restarted by hand). PostgreSQL, Redis with `appendonly yes`, "
        "`appendfsync everysec`, gunicorn (threaded).",
        "",
        "| | kill -9, restart from the append-only file | kill -9, restart empty |",
        "|---|---:|---:|",
    ]
    rows = [
        ("attempts started", "attempts"),
        ("receipts shown to entrants", "receipts"),
        ("… of which scored in the database", "scored_receipts"),
        ("entrants who saw their final score", "finished"),
        ("submissions scored twice", "scored_twice"),
        ("attempt ids handed to two entrants", "twice_handed"),
        ("wrong results (a page showing another attempt's score)", "wrong"),
        ("attempts an entrant was told were lost (and started again)", "lost_told"),
        ("lost attempts recorded", "lost_rows"),
        ("503 answers during the outage, retried", "unavailable"),
    ]
    kill, empty = waves["kill"], waves["empty"]
    for label, key in rows:
        lines.append(f"| {label} | {kill[key]:,} | {empty[key]:,} |")
    alarm = ", ".join(f"{k} ({v} unscored attempts void)" for k, v, _m in empty["losses"]) or "none"
    voided = empty["receipts"] - empty["scored_receipts"]
    lines += [
        f"| seconds from restart to every entrant done | {kill['seconds_after_restart']:.0f} | "
        f"{empty['seconds_after_restart']:.0f} |",
        "",
        f"Alarm rows (console, system page) after both waves: {alarm}. Workers and scheduler "
        f"still running at the end: {'yes' if alive else 'no'}. In the second wave, {voided} "
        "receipts had been shown for submissions not yet scored when Redis lost its data: "
        "those attempts are void, and their entrants were told so and started a new one.",
    ]
    if all(w["wrong"] == 0 and w["finished"] == w["entrants"] for w in (kill, empty)):
        lines[-1] += (
            " Every entrant saw the score of its own last attempt; no page showed another's."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
