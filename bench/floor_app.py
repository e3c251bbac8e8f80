"""The floor of a survey submit: the least any handler of it does, on the same server.

It reads the request's body and makes the product's one Redis call, the same
Lua script (quiz/surveys/lua/submit.lua) with the body as the response, and
answers 303 as the product does; it checks nothing (no session, no CSRF
token, no signed token, no answers). Served by the same gunicorn settings, it
tells what of a submit's cost is carrying the request and calling Redis once,
and so what is left for the product's checks (bench/survey_hotpath.py).
"""

from __future__ import annotations

import itertools
import os

import redis

import quiz.surveys.store
from quiz.lua import load_script
from quiz.scoring import keys
from quiz.surveys.store import BURST_SECONDS, BURST_SIZE

SURVEY = 0  # a survey id no benchmark survey has
_client = redis.Redis.from_url(os.environ["REDIS_URL"])
_submit = load_script(_client, quiz.surveys.store.__file__, "submit")
_client.hset(keys.survey_counts(SURVEY), "_", "1")  # counted, as a survey's counts are
_numbers = itertools.count()


def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length)
    respondent = f"floor:{os.getpid()}:{next(_numbers)}"  # each submit a new respondent
    _submit(
        keys=[
            keys.survey_counts(SURVEY),
            keys.survey_draft(SURVEY, respondent),
            keys.survey_responses(SURVEY),
            keys.survey_drain(SURVEY),
            keys.survey_burst(SURVEY, "floor"),
        ],
        args=[respondent, 1, body, BURST_SECONDS, BURST_SIZE],
    )
    headers = [("Location", "/s/floor/done"), ("Content-Type", "text/plain")]
    start_response("303 See Other", [*headers, ("Content-Length", "0")])
    return [b""]
