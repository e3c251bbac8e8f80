"""Starts, answer saves and submits served before Flask's request machinery, when all is in order.

These requests are most of what a contest's server does (a start per
attempt, a save per answer chosen, a submit per attempt), and Flask's
per-request work (request context, routing, hooks, response object) costs
more than a save itself. This WSGI middleware serves them directly when
every check passes: the signed session names the entrant, the CSRF token
matches, the attempt token is ours and this entrant's, the deadline has not
passed, the fields are well formed, Redis accepts the save or submit, and
(for a start) the contest, the round and its question pool are already in
this process's caches.

Anything else (a refusal, a late submit, an error of any kind) is handed,
untouched, to the Flask views, which check the same things with the same
functions and answer with the precise message: the CSRF rule
(`csrf.token_matches`), the session's entrant (`session.entrant_in`), the
round lookup (`catalog.rounds.round_numbered`), the late rule
(`Engine.late`), answer parsing (`attempts.parse_answer`, `form_answers`).
A start the fast path ran but could not serve (busy, refused) leaves its
outcome for the view (`DECLINED_START`), which shows it without drawing a
second paper. So the fast path can only be faster, never different: the
tests run both paths, and `ATTEMPT_FASTPATH` (Config) turns it off. The
WSGI layer itself (body read and handed on, the switch, the WARNING log) is
`quiz.fastpath.FastPath`, shared with the survey fast path.
"""

from __future__ import annotations

import logging
import re
from functools import partial

from quiz.catalog.questions import question_cache_for
from quiz.catalog.rounds import contest_cache, round_cache, round_numbered
from quiz.contest.attempts import (
    Busy,
    Refusal,
    engine_for,
    form_answers,
    parse_answer,
    request_drain,
)
from quiz.contest.csrf import csrf_secret, token_matches
from quiz.contest.session import BadEntrant, EntrantSession, entrant_in
from quiz.contest.starting import DECLINED_START, DEVICE_COOKIE, start_attempt
from quiz.contest.tokens import BadToken
from quiz.fastpath import FastPath, cookie_value, read_form, saved, see_other
from quiz.scoring.buffer import AttemptClosed, AttemptUnknown, TooManySaves
from quiz.timeutil import now_ms

ROUTE = re.compile(r"^/a/([A-Za-z0-9._-]{10,200})/(save|submit)$")
START = re.compile(r"^/c/([A-Za-z0-9_-]{1,80})/r/(\d{1,4})/start$")


class AttemptFastPath(FastPath):
    log = logging.getLogger(__name__)

    def route(self, path: str):
        match = ROUTE.match(path)
        if match is not None:
            return partial(self._serve, token_text=match.group(1), action=match.group(2))
        start = START.match(path)
        if start is not None:
            return partial(self._start, slug=start.group(1), number=int(start.group(2)))
        return None

    def _entrant(self, environ, form) -> EntrantSession | None:
        """The signed-in entrant if the cookie is ours and the CSRF token matches it."""
        session = self.session(environ)
        if not session:
            return None
        sent = environ.get("HTTP_X_CSRFTOKEN") or (form.get("csrf_token") or [None])[0]
        if not token_matches(csrf_secret(self.app), sent, session.get("csrf_token")):
            return None
        try:
            return entrant_in(session)
        except BadEntrant:
            return None  # the view forgets it

    def _start(self, environ, body: bytes, *, slug: str, number: int):
        form = read_form(body, max_fields=8)
        entrant = self._entrant(environ, form)
        if entrant is None:
            return None
        contest = contest_cache(self.app).peek(slug)
        if contest is None or not contest.published:
            return None
        info = round_numbered(contest, number, round_cache(self.app).peek)
        pool = (
            question_cache_for(self.app).warm_pool(info.bank_id, info.bank_revision)
            if info
            else None
        )
        if pool is None:
            return None
        try:
            device = cookie_value(environ.get("HTTP_COOKIE", ""), DEVICE_COOKIE)
            started = start_attempt(
                info, entrant.id, entrant.birth_year, now_ms(), self.app, pool, device=device
            )
        except (Refusal, Busy) as declined:
            environ[DECLINED_START] = declined  # the view shows it: no second start
            return None
        return see_other(environ, f"/a/{started.token}")

    def _serve(self, environ, body: bytes, *, token_text: str, action: str):
        form = read_form(body, max_fields=64)
        entrant = self._entrant(environ, form)
        if entrant is None:
            return None
        engine = engine_for(self.app)
        try:
            token = engine.signer.verify(token_text)
        except BadToken:
            return None
        if token.entrant_id != entrant.id:
            return None
        now = now_ms()
        if engine.late(token, now):
            return None  # late: the view submits the attempt as it stood
        if action == "save":
            return self._save(engine, token, form)
        return self._submit(environ, engine, token, token_text, form, now)

    @staticmethod
    def _save(engine, token, form):
        def one(name: str) -> str | None:
            values = form.get(name)
            return values[0] if values else None

        if token.options is None:
            return None  # an older token: the view checks the answer against the paper
        try:
            field, value = parse_answer(token, one("q"), one("c"), one("p"))
            engine.buffer.save_answer(token.attempt_id, field, value, engine.max_saves, now_ms())
        except (Refusal, AttemptClosed, TooManySaves, AttemptUnknown):
            return None
        return saved()

    @staticmethod
    def _submit(environ, engine, token, token_text: str, form, now: int):
        try:
            receipt = engine.buffer.submit(token.attempt_id, now, form_answers(form, token))
        except AttemptUnknown:
            return None  # the view looks for the attempt, and says so if it is lost
        if receipt.needs_drain:
            request_drain(engine.queue)
        return see_other(environ, f"/a/{token_text}/result")
