"""Survey saves and submits served before Flask's request machinery, as contest saves are.

The same shape as `quiz.contest.fastpath`: when every check passes (the
session's CSRF token, the signed respondent token, the survey open, every
answer valid, Redis accepting it) the request is answered here with one
Redis call (a Lua script) and no database; anything else (a refusal, a
survey not in this process's cache yet, an error) goes untouched to the
Flask view, which runs the same functions (`quiz.surveys.responding`) and
answers with the precise message.
"""

from __future__ import annotations

import io
import logging
import re
from urllib.parse import parse_qs

from flask import Flask
from werkzeug.http import parse_cookie

from quiz.contest.csrf import csrf_secret, token_matches
from quiz.surveys.responding import Refusal, save_draft, submit_response
from quiz.surveys.store import request_drain, store_for
from quiz.surveys.structure import survey_cache
from quiz.surveys.tokens import BadToken
from quiz.timeutil import now_ms

log = logging.getLogger(__name__)

ROUTE = re.compile(r"^/s/t/([A-Za-z0-9._-]{10,400})/(save|submit)$")
MAX_BODY = 64 * 1024
SAVED = b'{"ok":true}\n'
HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Vary", "Cookie"),
    ("Cache-Control", "no-store"),
]


class SurveyFastPath:
    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST" or not self.app.config["ATTEMPT_FASTPATH"]:
            return self.wsgi_app(environ, start_response)
        match = ROUTE.match(environ.get("PATH_INFO", ""))
        if match is None:
            return self.wsgi_app(environ, start_response)
        body = self._read_body(environ)
        reply = None
        if body is not None:
            try:
                reply = self._serve(environ, match.group(1), match.group(2), body)
            except Exception:  # noqa: BLE001 - the Flask view will answer (e.g. 503)
                log.warning("survey fast path declined", exc_info=True)
                reply = None
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        if reply is None:
            return self.wsgi_app(environ, start_response)
        status, headers, payload = reply
        start_response(status, headers + [("Content-Length", str(len(payload)))])
        return [payload]

    @staticmethod
    def _read_body(environ) -> bytes | None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length > MAX_BODY or length < 0:
            return None
        return environ["wsgi.input"].read(length) if length else b""

    def _csrf_ok(self, environ, form) -> bool:
        cookie = parse_cookie(environ.get("HTTP_COOKIE", "")).get(self.cookie_name)
        session = self.app.session_interface.decode(self.app, cookie) if cookie else None
        expected = session.get("csrf_token") if session else None
        sent = environ.get("HTTP_X_CSRFTOKEN") or (form.get("csrf_token") or [None])[0]
        return token_matches(csrf_secret(self.app), sent, expected)

    def _serve(self, environ, token_text: str, action: str, body: bytes):
        form = parse_qs(body.decode("utf-8"), max_num_fields=500, keep_blank_values=True)
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
                return "200 OK", [("Content-Type", "application/json"), *HEADERS], SAVED
            address = environ.get("REMOTE_ADDR")
            sent = submit_response(store, info, token, form, now, address)
        except Refusal:
            return None
        if sent.needs_drain:
            request_drain(info.id, store.queue)
        location = f"{environ.get('SCRIPT_NAME', '')}/s/{info.slug}/done"
        return (
            "303 See Other",
            [("Location", location), ("Content-Type", "text/plain"), *HEADERS],
            b"",
        )
