"""The survey fast path called directly, in one process: per-request time, no server, no wrk.

    .venv/bin/python bench/survey_direct.py                 # times, and ratios to the ceiling
    .venv/bin/python bench/survey_direct.py --profile submit  # cProfile of the 30-answer submit

Where a request's time goes, without gunicorn and the load generator
sharing the two cores: the product's WSGI app (its fast paths in front) is
called with a WSGI environ as gunicorn builds it, and so is the framework
ceiling (bench/ceiling_app.py), in the same process and the same run, so
the ratio "ceiling time / request time" compares the Python work of the
two. A Redis of its own (the embedded one) and a SQLite file; the survey is
bench/surveys.py's 30 questions, the requests bench/survey_hotpath.py's.
Every timed request must be answered by the fast path (a decline to the
Flask view is counted and reported).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.survey_hotpath import WARM_SAVES, _answer  # noqa: E402

ORDER = ("ceiling", "save", "submit", "submit10")


def _environ(path: str, cookie: str, csrf: str, body: bytes, fetch: bool, name: str) -> dict:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8011",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1:8011",
        "HTTP_COOKIE": f"{name}={cookie}" if cookie else "",
        "HTTP_X_CSRFTOKEN": csrf,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if fetch:
        environ["HTTP_X_REQUESTED_WITH"] = "fetch"
    return environ


def _start_response(status, headers, exc_info=None):
    return None


def _build(tmp: Path, people: int):
    from flask_migrate import upgrade

    from bench.seeding import Sessions
    from bench.surveys import make_survey, question_specs
    from quiz import create_app
    from quiz.demo import seed_units
    from quiz.embedded_redis import EmbeddedRedis
    from quiz.extensions import db
    from quiz.surveys.tokens import RespondentSigner, RespondentToken

    server = EmbeddedRedis(tmp / "redis", persist=False)
    server.start(daemonize=True)
    config = {
        "TESTING": False,
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "REDIS_URL": server.url,
        "SESSION_COOKIE_SECURE": False,
    }
    app = create_app(config)
    root = Path(__file__).resolve().parent.parent
    with app.app_context():
        upgrade(directory=str(root / "migrations"))
        province = seed_units()
        survey = make_survey(province.id)
        questions = question_specs(survey)
        db.session.commit()
        from quiz.surveys.counting import count_from_database
        from quiz.surveys.store import store_for
        from quiz.surveys.structure import survey_cache

        survey_cache(app).get(survey.id)  # what the first view request does in a server process
        # What the first view request does for the survey's Redis: who answered, counted
        # from the database (without it the scripts refuse to decide and every request
        # is declined to the view).
        count_from_database(store_for(app), survey.id)
        signer = RespondentSigner(app.config["SECRET_KEY"])
        sessions = Sessions(app)
        people_ = []
        for n in range(people):
            token = RespondentToken(survey.id, f"device:direct{n:08d}", 1, province.id)
            cookie, csrf = sessions.signed(0)
            people_.append((cookie, csrf, signer.sign(token)))
    return app, server, questions, people_


class Declines:
    """Stands behind the fast path: counts the requests it hands to the Flask view."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, environ, start_response):
        self.count += 1
        start_response("500 Declined", [])
        return [b""]


def _requests(questions, people, n: int, rng: random.Random):
    saves, submits, submits10, warm = [], [], [], []
    for cookie, csrf, token in people[:n]:
        question = rng.choice(questions)
        saves.append((f"/s/t/{token}/save", cookie, csrf, urlencode(_answer(rng, question)), True))
        # A respondent saves every answer: their session, CSRF token and respondent token
        # are verified once per process, at the first (untimed, as in bench/survey_hotpath.py).
        warm.append((f"/s/t/{token}/save", cookie, csrf, urlencode(_answer(rng, question)), True))
    for k, (cookie, csrf, token) in enumerate(people[n:]):
        answered = questions if k % 2 == 0 else questions[:10]
        body = urlencode([pair for q in answered for pair in _answer(rng, q)])
        (submits if k % 2 == 0 else submits10).append(
            (f"/s/t/{token}/submit", cookie, csrf, body, False)
        )
        for question in questions[:WARM_SAVES]:
            body = urlencode(_answer(rng, question))
            warm.append((f"/s/t/{token}/save", cookie, csrf, body, True))
    return saves, submits, submits10, warm


def _time(wsgi, requests, cookie_name: str = "quiz_session") -> tuple[float, float]:
    """(seconds, CPU seconds of this process) per request; the environs are built before
    the clocks start. The CPU time leaves out the wait for Redis, whose server shares
    the loaded cores: it is the Python work of the request, the steadier figure."""
    environs = [_environ(p, c, t, b.encode(), f, cookie_name) for p, c, t, b, f in requests]
    started, cpu = time.perf_counter(), time.process_time()
    for environ in environs:
        wsgi(environ, _start_response)
    n = len(environs)
    return (time.perf_counter() - started) / n, (time.process_time() - cpu) / n


def _report(times: dict[str, list[tuple[float, float]]]) -> None:
    ceiling_wall = statistics.median(t[0] for t in times["ceiling"])
    ceiling_cpu = statistics.median(t[1] for t in times["ceiling"])
    for name, rounds in times.items():
        wall = statistics.median(t[0] for t in rounds)
        cpu = statistics.median(t[1] for t in rounds)
        per_round = " ".join(f"{ceiling_cpu / t[1]:.2f}" for t in rounds)
        print(
            f"{name:9s} wall {wall * 1000:6.3f} ms (ceiling/this {ceiling_wall / wall:4.2f})  "
            f"CPU {cpu * 1000:6.3f} ms (ceiling/this {ceiling_cpu / cpu:4.2f}; "
            f"per round {per_round})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3000, help="requests per endpoint")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime")
    parser.add_argument("--profile", choices=["save", "submit", "submit10"])
    args = parser.parse_args()
    from bench.ceiling_app import app as ceiling

    with tempfile.TemporaryDirectory() as tmp:
        app, server, questions, people = _build(Path(tmp), 3 * args.n)
        try:
            declines = Declines()
            app.wsgi_app.wsgi_app = declines  # the survey fast path, alone
            saves, submits, submits10, warm = _requests(questions, people, args.n, random.Random(5))
            _time(app.wsgi_app, warm)
            declines.count = 0
            cases = {"save": saves, "submit": submits, "submit10": submits10}
            if args.profile:
                profile = cProfile.Profile()
                profile.enable()
                _time(app.wsgi_app, cases[args.profile])
                profile.disable()
                pstats.Stats(profile).sort_stats(args.sort).print_stats(35)
                return
            ceiling_requests = [("/submit", "", "", "", False)] * args.n
            cases["ceiling"] = ceiling_requests
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in ORDER}
            step = args.n // args.rounds
            for k in range(args.rounds):  # interleaved, so the machine's load hits all alike
                for name in ORDER:
                    wsgi = ceiling.wsgi_app if name == "ceiling" else app.wsgi_app
                    times[name].append(_time(wsgi, cases[name][k * step : (k + 1) * step]))
            _report(times)
            print(f"declined to the Flask view: {declines.count}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
