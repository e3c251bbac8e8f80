"""Survey saves and submits served before Flask's request machinery, as contest saves are.

The same shape as `quiz.contest.fastpath`, on the same WSGI layer
(`quiz.fastpath`): when every check passes (the session's CSRF token, the
signed respondent token, the survey open, every answer valid, Redis
accepting it) the request is answered here with one Redis call (a Lua
script) and no database; anything else (a refusal, a survey not in this
process's cache yet, counts of who answered that Redis must take from the
database first, an error) goes untouched to the Flask view, which runs
the same functions (`quiz.surveys.responding`) and answers with the precise
message.
"""

from __future__ import annotations

import logging
import re
from functools import partial

from quiz.contest.csrf import csrf_secret, token_matches
from quiz.fastpath import FastPath, read_form, saved, see_other
from quiz.surveys.responding import Refusal, save_draft, submit_response
from quiz.surveys.store import NotCounted, request_drain, store_for
from quiz.surveys.structure import survey_cache
from quiz.surveys.tokens import BadToken
from quiz.timeutil import now_ms

ROUTE = re.compile(r"^/s/t/([A-Za-z0-9._-]{10,400})/(save|submit)$")


class SurveyFastPath(FastPath):
    max_body = 64 * 1024
    log = logging.getLogger(__name__)

    def route(self, path: str):
        match = ROUTE.match(path)
        if match is None:
            return None
        return partial(self._serve, token_text=match.group(1), action=match.group(2))

    def _csrf_ok(self, environ, form) -> bool:
        session = self.session(environ)
        expected = session.get("csrf_token") if session else None
        sent = environ.get("HTTP_X_CSRFTOKEN") or (form.get("csrf_token") or [None])[0]
        return token_matches(csrf_secret(self.app), sent, expected)

    def _serve(self, environ, body: bytes, *, token_text: str, action: str):
        form = read_form(body, max_fields=500, keep_blank=True)
        if not self._csrf_ok(environ, form):
            return None
        store = store_for(self.app)
        try:
            token = store.signer.verify(token_text)
        except BadToken:
            return None
        info = survey_cache(self.app).peek(token.survey_id)
        if info is None:
            return None  # the view loads the survey into this process's cache
        now = now_ms()
        try:
            if action == "save":
                if environ.get("HTTP_X_REQUESTED_WITH") != "fetch":
                    return None  # the no-script button: the view redirects with a note
                save_draft(store, info, token, form, now)
                return saved()
            address = environ.get("REMOTE_ADDR")
            sent = submit_response(store, info, token, form, now, address)
        except (Refusal, NotCounted):
            return None  # the view says why, or counts who answered from the database first
        if sent.needs_drain:
            request_drain(info.id, store.queue)
        return see_other(environ, f"/s/{info.slug}/done")
